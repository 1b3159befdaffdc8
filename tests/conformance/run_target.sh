#!/bin/sh
# run_target.sh TARGET QEMU BINARY TIMEFILE [REASON]
# Runs the conformance harness of one target: natively when QEMU is empty,
# else under qemu-user.  Prints the compile time that timed.sh recorded.
# Exits 77 (ctest "skipped") with the reason when the test cannot run here:
# REASON given (e.g. no cross gcc at configure time) or qemu not installed.
set -u
target=$1 qemu=$2 bin=$3 timefile=$4 reason=${5:-}
if [ -n "$reason" ]; then
	echo "SKIPPED conformance[$target]: $reason"
	exit 77
fi
if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIPPED conformance[$target]: $qemu not found (install qemu-user)"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "FAIL conformance[$target]: harness $bin was not built"
	exit 1
fi
if [ -r "$timefile" ]; then
	echo "conformance[$target]: bpf2native compiled the whole suite in $(cat "$timefile") s"
fi
if [ -n "$qemu" ]; then
	exec "$qemu" "$bin"
fi
exec "$bin"
