#!/bin/sh
# run_progs.sh - compile the BPF objects of one byte order with bpf2native
# for one target, link them with the drivers and the target's runtime, and
# run the result (ctest progs-<target> and progs-kernel, see CMakeLists.txt).
#
# usage: run_progs.sh MODE TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJDIR WORKDIR [SKIPREASON]
#   MODE native: progs_main.c, static, run under QEMU ("" = natively).
#   MODE kernel: kernel_test.c with libbpf, run natively on OBJDIR.
# An object that bpf2native refuses is reported, counted as one failure,
# and left out of the link (its group then fails: descriptor missing).
# Exits 77 when something needed is missing.
set -u
mode=$1 target=$2 cc=$3 qemu=$4 b2n=$5 rtlib=$6 src=$7 inc=$8 objdir=$9
shift 9
work=$1
reason=${2:-}

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $target ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib"
[ -x "$b2n" ] || { echo "FAIL: $b2n missing"; echo "0 passed, 1 failed"; exit 1; }
ls "$objdir"/*.bpf.o >/dev/null 2>&1 || skip "no BPF objects in $objdir"

mkdir -p "$work" || exit 1
rm -f "$work"/*.o
cfail=0
natives=""
for obj in "$objdir"/*.bpf.o; do
	name=$(basename "$obj" .bpf.o)
	if "$b2n" -target "$target" --object-name "$name" -o "$work/$name.o" "$obj" \
		2>"$work/$name.err"; then
		natives="$natives $work/$name.o"
	else
		echo "FAIL: bpf2native -target $target refused $name.bpf.o:"
		sed 's/^/    /' "$work/$name.err" | head -5
		cfail=$((cfail + 1))
	fi
done

drivers="$src/progs_common.c"
for d in "$src"/*_test.c; do
	case $d in */kernel_test.c) ;; *) drivers="$drivers $d" ;; esac
done
flags="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I$inc -I$src"
exe=$work/progs
if [ "$mode" = kernel ]; then
	# shellcheck disable=SC2086
	if ! "$cc" $flags -o "$exe" "$src/kernel_test.c" $drivers $natives "$rtlib" \
		-lbpf -lelf -lz -lpthread 2>"$work/link.err"; then
		echo "FAIL: linking the kernel test failed:"
		head -20 "$work/link.err"
		echo "0 passed, $((cfail + 1)) failed"
		exit 1
	fi
	"$exe" "$objdir"
	rc=$?
else
	# shellcheck disable=SC2086
	if ! "$cc" $flags -static -o "$exe" "$src/progs_main.c" $drivers $natives "$rtlib" \
		-lpthread 2>"$work/link.err"; then
		echo "FAIL: linking the $target driver failed:"
		head -20 "$work/link.err"
		echo "0 passed, $((cfail + 1)) failed"
		exit 1
	fi
	$qemu "$exe" | tee "$work/out.txt"
	rc=$?
	# POSIX sh: the exit status of the pipeline is tee's; read the tail.
	tail -1 "$work/out.txt" | grep -q ", 0 failed$" && rc=0 || rc=1
fi
[ $rc -eq 77 ] && exit 77
if [ $cfail -gt 0 ]; then
	echo "$target: $cfail object(s) not compiled by bpf2native"
	exit 1
fi
exit $rc
