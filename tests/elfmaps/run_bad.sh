#!/bin/sh
# run_bad.sh - one bad object through the driver: bpf2native must exit 1,
# print exactly one line on stderr containing the expected text, nothing
# on stdout, and write no output file.
#
# usage: run_bad.sh BPF2NATIVE OBJ WORKDIR EXPECTED [truncate:N]
#   truncate:N first cuts OBJ to N bytes (a truncated ELF).
b2n=$1 obj=$2 work=$3 want=$4 mode=${5:-}
mkdir -p "$work" || exit 1
name=$(basename "$obj" .o)
if [ -n "$mode" ]; then
	n=${mode#truncate:}
	head -c "$n" "$obj" >"$work/$name.trunc$n.o" || exit 1
	obj=$work/$name.trunc$n.o
	name=$name.trunc$n
fi
out=$work/$name.native.o
rm -f "$out"
"$b2n" -o "$out" "$obj" >"$work/$name.stdout" 2>"$work/$name.stderr"
rc=$?
fail=0
[ $rc -eq 1 ] || { echo "FAIL: exit status $rc, want 1"; fail=1; }
lines=$(wc -l <"$work/$name.stderr")
[ "$lines" -eq 1 ] || { echo "FAIL: $lines lines on stderr, want 1"; fail=1; }
[ -s "$work/$name.stdout" ] && { echo "FAIL: output on stdout"; fail=1; }
grep -qF -- "$want" "$work/$name.stderr" || { echo "FAIL: diagnostic does not contain: $want"; fail=1; }
grep -qF -- "$obj: error: " "$work/$name.stderr" || { echo "FAIL: diagnostic does not name $obj"; fail=1; }
[ -e "$out" ] && { echo "FAIL: $out was written"; fail=1; }
cat "$work/$name.stderr"
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
