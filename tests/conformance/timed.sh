#!/bin/sh
# timed.sh TIMEFILE COMMAND... - run COMMAND and, when it succeeds, write its
# wall time in seconds to TIMEFILE (used to report how long bpf2native takes
# to compile the whole conformance suite for one target).
set -u
timefile=$1
shift
rm -f "$timefile"
start=$(date +%s%N)
"$@" || exit $?
end=$(date +%s%N)
echo "$(( (end - start) / 1000000 ))" | awk '{ printf "%.2f\n", $1 / 1000 }' >"$timefile"
