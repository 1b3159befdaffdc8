#!/bin/sh
# run.sh - ctest nullptr-<target>: NULL loads and stores fault natively.
#
# usage: run.sh TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR WORKDIR [SKIPREASON]
# (the SCRIPT form of b2n_add_target_test)
#   1. bpf2native compiles null_store.s and null_load.s for TARGET into one
#      object, at -O2 and at -O0;
#   2. no exported program function may be empty (readelf: a b2n_ FUNC of
#      size 0 is code LLVM deleted as undefined behaviour);
#   3. fault_main.c, linked with it statically, checks that each program
#      dies of SIGSEGV natively and in the interpreter.
set -u
t=$1 cc=$2 qemu=$3 b2n=$4 rtlib=$5 src=$6 inc=$7 work=$8
reason=${9:-}
skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $t ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
[ -f "$rtlib" ] || skip "runtime for $t not built: $rtlib"
readelf=$(command -v readelf || command -v llvm-readelf-19) || skip "no readelf"

rm -rf "$work" && mkdir -p "$work" || exit 1
pass=0 fail=0
for o in 2 0; do
	obj=$work/null-O$o.o
	if ! "$b2n" -target "$t" -O$o -o "$obj" "$src/null_store.s" "$src/null_load.s"; then
		echo "FAIL -O$o: bpf2native refused the programs"
		fail=$((fail + 1))
		continue
	fi
	empty=$("$readelf" -sW "$obj" | awk '$4 == "FUNC" && $8 ~ /^b2n_/ && $3 == 0 { print $8 }')
	nfun=$("$readelf" -sW "$obj" | awk '$4 == "FUNC" && $8 ~ /^b2n_/' | wc -l)
	if [ -n "$empty" ] || [ "$nfun" -lt 2 ]; then
		echo "FAIL -O$o: empty exported functions: ${empty:-(fewer than 2 functions)}"
		fail=$((fail + 1))
	else
		echo "ok   -O$o: $nfun exported functions, none empty"
		pass=$((pass + 1))
	fi
	exe=$work/fault-O$o
	if ! "$cc" -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -static -I"$inc" \
		-o "$exe" "$src/fault_main.c" "$obj" "$rtlib" -lpthread 2>"$work/link.err"; then
		echo "FAIL -O$o: linking failed:"
		head -10 "$work/link.err"
		fail=$((fail + 1))
		continue
	fi
	out=$($qemu "$exe" 2>/dev/null)
	echo "$out" | grep -v passed | sed "s/^/     -O$o: /"
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	[ -n "$p" ] || p="0 1"
	pass=$((pass + ${p% *})) fail=$((fail + ${p#* }))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
