#!/bin/sh
# run.sh - the differential test on one target (ctest and scripts/differential.sh).
#
#   run.sh smoke COUNT SEED BATCH OPTS DIFFTEST <t> <cc> <qemu> <bpf2native> <rt.a> \
#          <srcdir> <incdir> <objs> <workdir> "<skip reason>"
#     programs 0..COUNT-1 of SEED, BATCH at a time: `difftest gen` writes the
#     batch, ONE bpf2native run compiles all its programs (at the optimisation
#     levels of OPTS, e.g. "2" or "2,0", taken in turn batch by batch: -O0
#     compiles about six times faster), the target's gcc
#     links one static harness (diff_main.c) and it runs once, natively or
#     under qemu-user.  Every MISMATCH or CRASH line is followed by the
#     program (`difftest show`: disassembly, host and kernel results).
#     Prints per target: programs, agree, mismatches, the time per 1000
#     programs, and exits 1 on any mismatch;
#   run.sh regress REGRESS_DIR GEN_HARNESS CONF_DIR <t> ... (same tail)
#     the regression files REGRESS_DIR/*.data through the conformance
#     harness (tests/conformance/harness_main.c); skips in REGRESS_DIR/skips.txt.
# The tail is what b2n_add_target_test passes to a SCRIPT; a non-empty skip
# reason or a missing qemu exits 77.
set -u
mode=$1
shift
case $mode in
smoke)
	count=$1 seed=$2 batch=$3 opts=$4 difftest=$5
	shift 5
	;;
regress)
	rdir=$1 gen_harness=$2 confdir=$3
	shift 3
	;;
*)
	echo "run.sh: unknown mode $mode"
	exit 2
	;;
esac
t=$1 cc=$2 qemu=$3 b2n=$4 rt=$5 src=$6 inc=$7 work=$9 reason=${10:-}

if [ -n "$reason" ]; then
	echo "SKIPPED differential[$t]: $reason"
	exit 77
fi
if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIPPED differential[$t]: $qemu not found (install qemu-user)"
	exit 77
fi
mkdir -p "$work" || exit 2
run() { # run BINARY ARGS...: natively or under qemu-user
	if [ -n "$qemu" ]; then "$qemu" "$@"; else "$@"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

if [ "$mode" = regress ]; then
	set -- "$rdir"/*.data
	if [ ! -e "$1" ]; then
		echo "SKIPPED differential-regress[$t]: no regression files in $rdir"
		exit 77
	fi
	skips=$rdir/skips.txt
	files=""
	for f in "$@"; do
		stem=$(basename "$f" .data)
		if awk -F '\t' -v t="$t" -v s="$stem" \
			'($1 == t || $1 == "*") && $2 == s { found = 1 } END { exit !found }' "$skips"; then
			continue
		fi
		files="$files $f"
	done
	"$gen_harness" --skips "$skips" -o "$work/cases.c" "$@" || exit 1
	# shellcheck disable=SC2086
	"$b2n" -target "$t" $files -o "$work/regress.o" || exit 1
	"$cc" -O1 -static -Wall -Wextra -Werror -I"$inc" -I"$confdir" -DB2N_CONF_TARGET="\"$t\"" \
		"$confdir/harness_main.c" "$work/cases.c" "$work/regress.o" "$rt" -o "$work/regress" ||
		exit 1
	run "$work/regress"
	exit $?
fi

# smoke: the harness main, once per run
hobj=$work/diff_main.o
"$cc" -O1 -std=c11 -Wall -Wextra -Werror -I"$inc" -DB2N_DIFF_TARGET="\"$t\"" \
	-c "$src/diff_main.c" -o "$hobj" || exit 1
programs=0 agree=0 mism=0 notrun=0 tcomp=0 tlink=0 trun=0
first=0 nb=0
bdir=$work/batch
nopts=$(echo "$opts" | awk -F, '{ print NF }')
while [ "$first" -lt "$count" ]; do
	olevel=$(echo "$opts" | cut -d, -f$((nb % nopts + 1)))
	nb=$((nb + 1))
	n=$batch
	[ $((first + n)) -gt "$count" ] && n=$((count - first))
	rm -rf "$bdir"
	"$difftest" gen "$seed" "$first" "$n" "$bdir" || {
		echo "FAIL differential[$t]: difftest gen failed for programs $first.. of seed $seed"
		exit 1
	}
	fobj=$work/fns-$n.o
	[ -f "$fobj" ] || "$cc" -O0 -c "$bdir/fns.c" -o "$fobj" || exit 1
	t0=$(now)
	# shellcheck disable=SC2046
	if ! "$b2n" -target "$t" -O"$olevel" $(ls "$bdir"/p*.bin) -o "$bdir/progs.o" >"$bdir/b2n.log" 2>&1; then
		cat "$bdir/b2n.log"
		echo "FAIL differential[$t]: bpf2native -O$olevel refused batch $first..$((first + n - 1))" \
			"of seed $seed (p<pos>.bin is program $first+pos)"
		programs=$((programs + n)) notrun=$((notrun + n)) first=$((first + n))
		continue
	fi
	tcomp=$(awk -v a="$tcomp" -v b="$(elapsed "$t0")" 'BEGIN { print a + b }')
	t0=$(now)
	"$cc" -static "$hobj" "$fobj" "$bdir/progs.o" "$rt" -o "$bdir/harness" || exit 1
	tlink=$(awk -v a="$tlink" -v b="$(elapsed "$t0")" 'BEGIN { print a + b }')
	t0=$(now)
	run "$bdir/harness" "$bdir" >"$bdir/out" 2>&1
	rc=$?
	trun=$(awk -v a="$trun" -v b="$(elapsed "$t0")" 'BEGIN { print a + b }')
	ok=$(sed -n 's/.*: \([0-9]*\) programs, \([0-9]*\) agree, .*/\2/p' "$bdir/out")
	grep -v '^differential\[' "$bdir/out"
	if [ -z "$ok" ]; then
		echo "FAIL differential[$t]: the harness stopped (exit $rc) in batch" \
			"$first..$((first + n - 1)) (-O$olevel)"
		ok=0 bad=$(grep -c '^MISMATCH\|^CRASH' "$bdir/out")
		notrun=$((notrun + n - bad))
	else
		bad=$((n - ok))
	fi
	[ "$bad" -gt 0 ] && echo "differential[$t]: the batch above was compiled with -O$olevel"
	grep '^MISMATCH\|^CRASH' "$bdir/out" | sed 's/.* index=\([0-9]*\).*/\1/' | head -20 |
		while read -r idx; do "$difftest" show "$seed" "$idx"; done
	programs=$((programs + n)) agree=$((agree + ok)) mism=$((mism + bad)) first=$((first + n))
done
per=$(awk -v c="$tcomp" -v l="$tlink" -v r="$trun" -v p="$programs" \
	'BEGIN { if (p) printf "%.2f s (compile %.2f, link %.2f, run %.2f)", (c+l+r)*1000/p, c*1000/p, l*1000/p, r*1000/p }')
echo "differential[$t]: seed $seed, -O$opts: programs $programs, agree $agree, mismatches $mism, not run $notrun; per 1000 programs $per"
echo "differential[$t]: $agree passed, $((programs - agree)) failed"
[ "$agree" -eq "$programs" ]
