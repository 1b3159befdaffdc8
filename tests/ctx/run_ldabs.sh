#!/bin/sh
# run_ldabs.sh TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJ WORKDIR [SKIPREASON]
# LD_ABS/LD_IND end to end on one target (ctx-ldabs-<target>): compile
# OBJ (ldabs.bpf.c in the target's byte order) for TARGET, emit its
# rewritten bytecode, link ldabs_main.c with the target's runtime
# (-static) and run it (under QEMU for the cross targets).
set -u
target=$1 cc=$2 qemu=$3 b2n=$4 rtlib=$5 src=$6 inc=$7 obj=$8 work=$9
shift 9
reason=${1:-}
skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $target ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib"
[ -f "$obj" ] || skip "$obj not built"
mkdir -p "$work" || exit 1
rm -f "$work/ldabs.o" "$work/ldabs.bin" "$work/ldabs"
"$b2n" -target "$target" --object-name ldabs -o "$work/ldabs.o" "$obj" || {
	echo "FAIL: bpf2native -target $target refused $obj"; exit 1; }
"$b2n" -target "$target" --emit-raw -o "$work/ldabs.bin" "$obj" || { echo "FAIL: --emit-raw"; exit 1; }
"$cc" -std=c11 -O1 -g -Wall -Wextra -Werror -static -I"$inc" -o "$work/ldabs" \
	"$src/ldabs_main.c" "$work/ldabs.o" "$rtlib" -lpthread || {
	echo "FAIL: linking the $target driver failed"; exit 1; }
$qemu "$work/ldabs" "$work/ldabs.bin"
