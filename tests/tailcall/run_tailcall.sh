#!/bin/sh
# run_tailcall.sh - compile the tests/tailcall objects of one byte order
# with bpf2native for one target, link them with tailcall_test.c and the
# target's runtime (-static), and run the result (ctest tailcall-<target>,
# see CMakeLists.txt).
#
# usage: run_tailcall.sh TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJDIR WORKDIR [SKIPREASON]
# QEMU "" runs the program natively.  An object that bpf2native refuses is
# reported, counted as one failure, and left out of the link (the driver
# then reports its descriptor as missing).  Exits 77 when something
# needed is missing.
set -u
target=$1 cc=$2 qemu=$3 b2n=$4 rtlib=$5 src=$6 inc=$7 objdir=$8 work=$9
shift 9
reason=${1:-}

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $target ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib"
[ -x "$b2n" ] || { echo "FAIL: $b2n missing"; echo "0 passed, 1 failed"; exit 1; }
for f in chain chainb loop; do
	[ -f "$objdir/$f.bpf.o" ] || skip "BPF object $objdir/$f.bpf.o not built"
done

mkdir -p "$work" || exit 1
rm -f "$work"/*.o "$work/out.txt" "$work/tailcall"
cfail=0
natives=""
# compile NAME INPUT [OPTIONS...]
compile() {
	name=$1 input=$2
	shift 2
	if "$b2n" -target "$target" --object-name "$name" "$@" -o "$work/$name.o" "$input" \
		2>"$work/$name.err"; then
		natives="$natives $work/$name.o"
	else
		echo "FAIL: bpf2native -target $target $* refused $(basename "$input"):"
		sed 's/^/    /' "$work/$name.err" | head -8
		cfail=$((cfail + 1))
	fi
}
compile tc_chain "$objdir/chain.bpf.o" --allow-unknown-helpers
compile tc_chainb "$objdir/chainb.bpf.o" --allow-unknown-helpers
compile tc_loop "$objdir/loop.bpf.o" --loop-limit 1000
compile ll_bounded "$src/ll_bounded.s" --loop-limit 1000
compile ll_unbounded "$src/ll_unbounded.s" --loop-limit 1000
for f in as_step as_disp as_ret as_sub; do
	compile $f "$src/$f.s" --allow-unknown-helpers
done

exe=$work/tailcall
# shellcheck disable=SC2086
if ! "$cc" -std=c11 -O2 -g -Wall -Wextra -Werror -I"$inc" -I"$src" -static -o "$exe" \
	"$src/tailcall_test.c" $natives "$rtlib" -lpthread 2>"$work/link.err"; then
	echo "FAIL: linking the $target driver failed:"
	head -20 "$work/link.err"
	echo "0 passed, $((cfail + 1)) failed"
	exit 1
fi
# One process per group: a crash (a wrong-code bug can jump anywhere)
# costs its group one failure, and the other groups still report.
pass=0 fail=0
: >"$work/out.txt"
for g in asm chain self index sub init cross loop; do
	$qemu "$exe" "$g" >"$work/out-$g.txt" 2>&1
	grc=$?
	cat "$work/out-$g.txt" >>"$work/out.txt"
	last=$(tail -1 "$work/out-$g.txt")
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "FAIL [$g] the group did not finish (exit status $grc): $last" >>"$work/out.txt"
		nf=$(grep -c "^FAIL" "$work/out-$g.txt")
		p=0 f=$((nf + 1))
	elif [ $grc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
done
cat "$work/out.txt"
[ $cfail -eq 0 ] || echo "$target: $cfail object(s) not compiled by bpf2native"
echo "$pass passed, $((fail + cfail)) failed"
[ $((fail + cfail)) -eq 0 ]
