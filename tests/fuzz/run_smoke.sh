#!/bin/sh
# run_smoke.sh FUZZER SECONDS SEEDS WORKDIR - the ctest smoke of one fuzz
# target: SECONDS of libFuzzer from the seed corpus (new inputs go to
# WORKDIR/corpus, crash/leak/timeout artifacts to WORKDIR/artifacts/).
# Fails on a crash, a leak (-detect_leaks=1), an input slower than 10 s
# (-timeout=10) or an out-of-memory; prints the executions either way.
set -u
fuzzer=$1 seconds=$2 seeds=$3 work=$4
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: $fuzzer was not built"
	exit 77
fi
if [ -z "$(ls "$seeds" 2>/dev/null)" ]; then
	echo "fuzz: no seed corpus in $seeds (the build makes it)"
	exit 1
fi
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/log.txt
"$fuzzer" -max_total_time="$seconds" -timeout=10 -detect_leaks=1 -rss_limit_mb=4096 \
	-max_len=65536 -error_exitcode=1 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" "$seeds" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
name=$(basename "$fuzzer")
if [ $rc -ne 0 ]; then
	# the report: everything from the first sanitizer or libFuzzer error
	grep -n -m 1 -e '^==[0-9]*==' -e 'ERROR: libFuzzer' -e 'fuzz: diagnostics' "$log" >/dev/null &&
		sed -n '/^==[0-9]*==\|ERROR: libFuzzer\|fuzz: diagnostics\|runtime error/,$p' "$log" | head -n 80 ||
		tail -n 40 "$log"
	echo "fuzz-smoke $name: FAILED (exit $rc) after ${execs:-?} executions; artifacts: $(ls "$work/artifacts" | tr '\n' ' ')"
	echo "  in $work/artifacts/ (replay: $fuzzer FILE)"
	exit 1
fi
echo "fuzz-smoke $name: ${execs:-?} executions in ${seconds} s, no crash, leak or hang"
