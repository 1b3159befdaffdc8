#!/bin/sh
# run_e2e.sh - e2e.bpf.o compiled by bpf2native for one target, linked
# (-static) with e2e_main.c and the target's runtime, run (under qemu-user
# for the cross targets).  Exits 77 when the target cannot run here.
#
# usage: run_e2e.sh TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJ WORKDIR [SKIPREASON]
t=$1 cc=$2 qemu=$3 b2n=$4 rtlib=$5 src=$6 inc=$7 obj=$8 work=$9
reason=${10:-}
skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null || skip "no C compiler for $t"
[ -f "$rtlib" ] || skip "runtime for $t not built: $rtlib"
if [ -n "$qemu" ]; then command -v "$qemu" >/dev/null || skip "$qemu not installed"; fi
mkdir -p "$work" || exit 1
"$b2n" -target "$t" --object-name e2e -o "$work/e2e.$t.o" "$obj" ||
	{ echo "FAIL: bpf2native -target $t"; echo "0 passed, 1 failed"; exit 1; }
"$cc" -O1 -static -I"$inc" -o "$work/e2e.$t" "$src/e2e_main.c" "$work/e2e.$t.o" "$rtlib" -lpthread ||
	{ echo "FAIL: link for $t"; echo "0 passed, 1 failed"; exit 1; }
if [ -n "$qemu" ]; then
	"$qemu" "$work/e2e.$t" "e2e/$t"
else
	"$work/e2e.$t" "e2e/$t"
fi
