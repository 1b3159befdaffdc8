#!/bin/sh
# run_ph.sh - compile ph.bpf.o with bpf2native for one target, link it with
# ph_driver.c and the target's runtime, run it (ctest pkthelpers-*).
#
# usage: run_ph.sh MODE TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJ WORKDIR [SKIPREASON]
#   MODE native: static link, run under QEMU ("" = natively), compare with
#                SRCDIR/expected.txt.
#   MODE kernel: link with libbpf (-DPH_KERNEL), run natively: kernel vs
#                runtime on every case, and the kernel vs expected.txt (the
#                kernel's lines are left in WORKDIR/kernel.txt).
# Exits 77 when something needed is missing.
set -u
mode=$1 target=$2 cc=$3 qemu=$4 b2n=$5 rtlib=$6 src=$7 inc=$8 obj=$9
shift 9
work=$1
reason=${2:-}

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $target ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib"
[ -f "$obj" ] || skip "no BPF object $obj"
[ -x "$b2n" ] || { echo "FAIL: $b2n missing"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$work" || exit 1
if ! "$b2n" -target "$target" --object-name ph -o "$work/ph.o" "$obj" 2>"$work/b2n.err"; then
	echo "FAIL: bpf2native -target $target refused $(basename "$obj"):"
	head -5 "$work/b2n.err"
	echo "0 passed, 1 failed"
	exit 1
fi
flags="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I$inc"
exe=$work/ph_run
if [ "$mode" = kernel ]; then
	# shellcheck disable=SC2086
	if ! "$cc" $flags -DPH_KERNEL -I"$src/../common" -o "$exe" "$src/ph_driver.c" \
		"$src/../common/kload.c" "$work/ph.o" "$rtlib" \
		-lbpf -lelf -lz -lpthread 2>"$work/link.err"; then
		echo "FAIL: linking the kernel test failed:"
		head -20 "$work/link.err"
		echo "0 passed, 1 failed"
		exit 1
	fi
	"$exe" kernel "$src/expected.txt" "$obj" "$work/kernel.txt"
	exit $?
fi
# shellcheck disable=SC2086
if ! "$cc" $flags -static -o "$exe" "$src/ph_driver.c" "$work/ph.o" "$rtlib" -lpthread \
	2>"$work/link.err"; then
	echo "FAIL: linking the $target driver failed:"
	head -20 "$work/link.err"
	echo "0 passed, 1 failed"
	exit 1
fi
$qemu "$exe" native "$src/expected.txt"
