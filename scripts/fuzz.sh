#!/bin/sh
# fuzz.sh [SECONDS] [TARGET...] - run the libFuzzer targets of tests/fuzz
# (elf, raw, asm, compile; default all) for SECONDS each (default 60), one
# after the other on one core, and print per target the executions, the
# crashes (leaks and sanitizer reports count as crashes), hangs (inputs
# slower than 10 s) and out-of-memory cases, then a total line.
#
# The fuzz build is made when missing or stale: build-fuzz/ (or
# $B2N_FUZZ_BUILD), configured with clang-19 and -DB2N_FUZZ=ON, target
# b2n_fuzz (fuzzers and seed corpora).  Each target runs in libFuzzer's
# fork mode (-fork=1), which goes on after a crash, with the persistent
# corpus BUILD/fuzz-corpus/TARGET (the seeds are read as a second corpus),
# artifacts in BUILD/fuzz-artifacts/TARGET/ and the whole log in
# BUILD/fuzz-logs/TARGET.log.  Replay an artifact with
# BUILD/tests/fuzz/fuzz_TARGET FILE; a fixed one goes to
# tests/fuzz/regress/TARGET/.  B2N_FUZZ_LAX_ESCAPES=1 is passed through
# (tests/fuzz/fuzz.h).  Exit status 1 if anything was found.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${B2N_FUZZ_BUILD:-$root/build-fuzz}
seconds=60
case "${1:-}" in
[0-9]*) seconds=$1; shift ;;
-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
targets=${*:-elf raw asm compile}
for t in $targets; do
	[ -f "$root/tests/fuzz/fuzz_$t.c" ] || { echo "fuzz.sh: unknown target '$t' (elf raw asm compile)" >&2; exit 2; }
done

cc=$(command -v clang-19 || command -v clang) || { echo "fuzz.sh: clang-19 not found (scripts/deps.sh installs it)" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DB2N_FUZZ=ON >"$build.configure.log" 2>&1 ||
		{ cat "$build.configure.log"; echo "fuzz.sh: configure failed" >&2; exit 1; }
fi
cmake --build "$build" --target b2n_fuzz -j 2 >"$build/fuzz-build.log" 2>&1 ||
	{ tail -n 40 "$build/fuzz-build.log"; echo "fuzz.sh: build failed ($build/fuzz-build.log)" >&2; exit 1; }

mkdir -p "$build/fuzz-logs"
stamp=$build/fuzz-logs/.start
: >"$stamp"
total_x=0 total_c=0 total_h=0 total_o=0
summary=""
for t in $targets; do
	corpus=$build/fuzz-corpus/$t
	art=$build/fuzz-artifacts/$t
	log=$build/fuzz-logs/$t.log
	mkdir -p "$corpus" "$art"
	echo "fuzz.sh: $t for $seconds s (log $log)"
	"$build/tests/fuzz/fuzz_$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
		-max_total_time="$seconds" -timeout=10 -detect_leaks=1 -rss_limit_mb=4096 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$art/" \
		"$corpus" "$build/tests/fuzz/seeds/$t" >"$log" 2>&1
	# the last progress line of fork mode: "#N: cov: ... oom/timeout/crash: O/T/C ..."
	last=$(grep -a '^#[0-9]*: cov:' "$log" | tail -n 1)
	x=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
	oth=$(echo "$last" | sed -n 's|.*oom/timeout/crash: \([0-9]*\)/\([0-9]*\)/\([0-9]*\).*|\1 \2 \3|p')
	set -- ${oth:-0 0 0}
	o=$1 h=$2 c=$3
	x=${x:-0}
	new=$(find "$art" -type f -newer "$stamp" | wc -l)
	line=$(printf '%-8s %12s executions  %4s crashes  %4s hangs  %4s ooms' "$t" "$x" "$c" "$h" "$o")
	echo "$line"
	summary="$summary$line
"
	total_x=$((total_x + x)) total_c=$((total_c + c)) total_h=$((total_h + h)) total_o=$((total_o + o))
	[ "$new" -gt 0 ] && echo "  $new new artifact(s) in $art/:" && find "$art" -type f -newer "$stamp" | sed 's/^/    /' | head -n 20
done
echo "== fuzz.sh: ${seconds} s per target"
printf '%s' "$summary"
printf '%-8s %12s executions  %4s crashes  %4s hangs  %4s ooms\n' total "$total_x" "$total_c" "$total_h" "$total_o"
echo "artifacts: $build/fuzz-artifacts/"
[ $((total_c + total_h + total_o)) -eq 0 ]
