#!/bin/sh
# test-all.sh - the whole test suite, as root on Debian 12 (CI runs it
# through .ci/run):
#   1. install the missing packages (scripts/deps.sh);
#   2. configure a clean build (build-test/), build everything and run every
#      ctest test (conformance and plugin on the six targets, unit, ELF,
#      interpreter, bad input, example);
#   3. configure a clean ASan+UBSan build (build-asan/, -DB2N_SANITIZE=ON)
#      and run the host-only tests there (ctest -LE target);
#   4. configure a clean libFuzzer build (build-fuzz/, clang-19,
#      -DB2N_FUZZ=ON) and run its tests (ctest -L fuzz): a smoke of about
#      60 s per fuzz target, two at a time, and the regression inputs.
# A build failure does not stop the run (make -k), so every test result is
# reported; the exit status is non-zero if anything failed, or if a test was
# skipped that tests/allowed-skips.txt does not list.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
b2n_install_deps || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)
failed=""

run_build() { # run_build DIR CMAKE-ARGS...
	dir=$1
	shift
	rm -rf "$dir"
	# the default build type, as developers build (-Werror stays on)
	cmake -S "$root" -B "$dir" "$@" || return 1
	# keep going after an error (make -k / ninja -k 0) so that every test
	# that can be built is run and reported
	if [ -f "$dir/build.ninja" ]; then
		cmake --build "$dir" -j "$jobs" -- -k 0
	else
		cmake --build "$dir" -j "$jobs" -- -k
	fi
}

# run_ctest DIR LOG CTEST-ARGS...: ctest in DIR, its output also kept in LOG;
# then every skipped test must be listed in tests/allowed-skips.txt.
run_ctest() {
	dir=$1 log=$2
	shift 2
	rm -f "$log.rc"
	{
		(cd "$dir" && ctest "$@")
		echo $? >"$log.rc"
	} 2>&1 | tee "$log"
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	unlisted=""
	for t in $(sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (Skipped)$/\1/p' "$log"); do
		why=""
		while IFS="$(printf '\t')" read -r pat reason; do
			case $pat in '#'* | '') continue ;; esac
			# shellcheck disable=SC2254
			case $t in $pat) why=$reason && break ;; esac
		done <"$root/tests/allowed-skips.txt"
		if [ -n "$why" ]; then
			echo "test-all: $t skipped; allowed: $why"
		else
			echo "test-all: $t skipped, and tests/allowed-skips.txt does not allow it"
			unlisted="$unlisted $t"
		fi
	done
	[ -z "$unlisted" ] && [ "$rc" -eq 0 ]
}

echo "== [1/3] build and full test suite (build-test/)"
run_build "$root/build-test" || failed="$failed build"
if [ -x "$root/build-test/bpf2native" ]; then
	run_ctest "$root/build-test" "$root/build-test/ctest.log" -j "$jobs" --output-on-failure \
		--timeout 1800 || failed="$failed ctest"
else
	failed="$failed ctest(no-compiler)"
fi
echo "== test-all: full suite done after $(( $(date +%s) - start )) s"

echo "== [2/3] ASan+UBSan build, host-only tests (build-asan/)"
if run_build "$root/build-asan" -DB2N_SANITIZE=ON; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_ctest "$root/build-asan" "$root/build-asan/ctest.log" -j "$jobs" -LE target \
		--output-on-failure --timeout 900 || failed="$failed asan-ctest"
else
	failed="$failed asan-build"
fi

echo "== [3/3] libFuzzer build (clang-19), fuzz smoke and regressions (build-fuzz/)"
fuzz_cc=$(command -v clang-19)
if [ -z "$fuzz_cc" ]; then
	failed="$failed fuzz(no-clang-19)"
elif rm -rf "$root/build-fuzz" &&
	cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_C_COMPILER="$fuzz_cc" -DB2N_FUZZ=ON &&
	cmake --build "$root/build-fuzz" --target b2n_fuzz -j "$jobs"; then
	run_ctest "$root/build-fuzz" "$root/build-fuzz/ctest.log" -j "$jobs" -L fuzz \
		--output-on-failure --timeout 600 || failed="$failed fuzz-ctest"
else
	failed="$failed fuzz-build"
fi

echo "== test-all: finished in $(( $(date +%s) - start )) s"
if [ -n "$failed" ]; then
	echo "test-all: FAILED:$failed"
	exit 1
fi
echo "test-all: everything passed"
