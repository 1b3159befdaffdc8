#!/bin/sh
# run_packet.sh - one packet differential test (ctest packet-kernel and
# packet-<target>, see CMakeLists.txt).
#
# usage: run_packet.sh MODE TARGET CC QEMU BPF2NATIVE RTLIB SRCDIR INCDIR OBJDIR WORKDIR [SKIPREASON]
#   MODE kernel: driver.c + be_kernel.c (libbpf) built with CC, run on the
#                bpfel objects of OBJDIR in the live kernel.
#   MODE native: bpf2native -target TARGET compiles every object of OBJDIR
#                (the target's byte order), CC links driver.c + be_b2n.c +
#                the objects + RTLIB statically, run under QEMU ("" = natively).
# Either way the driver writes WORKDIR/out/<case>.txt, and every line
# ("item": a packet's verdict and output, a context, a map entry) must
# equal SRCDIR/expected/<case>.txt, which the x86_64 kernel produced.
# A case listed for this target (or "*") in SRCDIR/known-failures.txt
# (TARGET<TAB>CASE<TAB>REASON) is reported with its reason and does not
# fail the test; a listed case that agrees fails it (remove the line).
# The list does not apply to the kernel run (the oracle).
# To regenerate the expected files from a kernel run:
#   cp WORKDIR/out/*.txt SRCDIR/expected/   (WORKDIR of packet-kernel)
set -u
mode=$1 target=$2 cc=$3 qemu=$4 b2n=$5 rtlib=$6 src=$7 inc=$8 objdir=$9
shift 9
work=$1
reason=${2:-}

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$reason" ] || skip "$reason"
[ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 || skip "no C compiler for $target ($cc)"
[ -z "$qemu" ] || command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
ls "$objdir"/*.bpf.o >/dev/null 2>&1 || skip "no BPF objects in $objdir"

rm -rf "$work"
mkdir -p "$work/out" || exit 1
flags="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I$inc -I$src"
exe=$work/packet-run
cfail=0
if [ "$mode" = kernel ]; then
	# shellcheck disable=SC2086
	if ! "$cc" $flags -I"$src/../common" -o "$exe" "$src/driver.c" "$src/pktgen.c" \
		"$src/be_kernel.c" "$src/../common/kload.c" -lbpf -lelf -lz 2>"$work/link.err"; then
		echo "FAIL: building the kernel runner failed:"
		head -20 "$work/link.err"
		exit 1
	fi
	"$exe" "$work/out" "$objdir"
	rc=$?
else
	[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib"
	[ -x "$b2n" ] || { echo "FAIL: $b2n missing"; exit 1; }
	natives=""
	for obj in "$objdir"/*.bpf.o; do
		name=$(basename "$obj" .bpf.o)
		if "$b2n" -target "$target" --object-name "$name" -o "$work/$name.o" "$obj" \
			2>"$work/$name.err"; then
			natives="$natives $work/$name.o"
		else
			echo "bpf2native -target $target refused $name.bpf.o:"
			sed 's/^/    /' "$work/$name.err" | head -5
			cfail=$((cfail + 1))
		fi
	done
	# shellcheck disable=SC2086
	if ! "$cc" $flags -static -o "$exe" "$src/driver.c" "$src/pktgen.c" "$src/be_b2n.c" \
		$natives "$rtlib" -lpthread 2>"$work/link.err"; then
		echo "FAIL: linking the $target runner failed:"
		head -20 "$work/link.err"
		exit 1
	fi
	$qemu "$exe" "$work/out" -
	rc=$?
fi
[ $rc -eq 77 ] && exit 77
[ $rc -gt 1 ] && echo "runner exited with status $rc (crash?)"

# ---- compare ------------------------------------------------------------------
tab=$(printf '\t')
total=0 bad=0 cases=0 badcases=0 known=0 xpass=0 skipped=0
for exp in "$src"/expected/*.txt; do
	case=$(basename "$exp" .txt)
	got=$work/out/$case.txt
	cases=$((cases + 1))
	n=$(grep -vc '^#' "$exp")
	# a case this kernel cannot run (it refuses a program the case needs)
	why=$(sed -n 's/^# skipped: //p' "$got" 2>/dev/null | head -1)
	if [ -n "$why" ]; then
		echo "skip  $case: $n items not compared: $why"
		skipped=$((skipped + 1))
		continue
	fi
	total=$((total + n))
	total=$((total + n))
	if [ -f "$got" ]; then
		grep -v '^#' "$exp" | sort >"$work/exp.sorted"
		grep -v '^#' "$got" | sort >"$work/got.sorted"
		miss=$(comm -23 "$work/exp.sorted" "$work/got.sorted" | wc -l)
		extra=$(comm -13 "$work/exp.sorted" "$work/got.sorted" | wc -l)
	else
		miss=$n extra=0
	fi
	# (the kernel is the oracle: no known failures for it)
	[ "$mode" = kernel ] && kf="" || kf=$(grep -v '^#' "$src/known-failures.txt" 2>/dev/null |
		awk -F"$tab" -v t="$target" -v c="$case" '($1 == t || $1 == "*") && $2 == c { print $3; exit }')
	if [ "$miss" -eq 0 ] && [ "$extra" -eq 0 ]; then
		if [ -n "$kf" ]; then
			echo "XPASS $case: $n items agree but it is listed in known-failures.txt ($kf)"
			xpass=$((xpass + 1))
		else
			echo "ok    $case: $n items agree"
		fi
		continue
	fi
	bad=$((bad + miss))
	if [ -n "$kf" ]; then
		echo "known $case: $miss of $n items differ ($extra unexpected) - $kf"
		known=$((known + 1))
		continue
	fi
	badcases=$((badcases + 1))
	echo "FAIL  $case: $miss of $n items differ ($extra unexpected); first differences (-expected +$target):"
	if [ -f "$got" ]; then
		diff "$exp" "$got" | grep '^[<>]' | head -8 | cut -c1-220 | sed 's/^</    -/; s/^>/    +/'
	else
		echo "    (no output)"
	fi
done
# A case the driver ran that has no expected file is a failure too.
for got in "$work"/out/*.txt; do
	case=$(basename "$got" .txt)
	if [ ! -f "$src/expected/$case.txt" ]; then
		echo "FAIL  $case: no expected/$case.txt (add it from a packet-kernel run)"
		badcases=$((badcases + 1))
	fi
done
echo "$target: $cases cases ($skipped skipped), $total items compared, $((total - bad)) agree," \
	"$bad differ; $badcases case(s) failed, $known known failure(s), $xpass unexpected pass(es)"
[ $skipped -eq $cases ] && { echo "SKIP: every case was skipped"; exit 77; }
[ $cfail -gt 0 ] && echo "$target: $cfail object(s) not compiled by bpf2native"
[ $badcases -eq 0 ] && [ $xpass -eq 0 ] && [ $cfail -eq 0 ] || exit 1
exit 0
