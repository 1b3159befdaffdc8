#!/bin/sh
# differential.sh - random valid BPF programs, native against the interpreter and the kernel.
#
#   scripts/differential.sh [-B BUILD] [--seed S] [--batch B] [-O LIST] N [TARGET...]
#
# Runs N programs of tests/differential's generator (seed S, default: the
# current time, printed so that a run can be repeated) on each TARGET
# (default: the six targets and "kernel"): per target, batches of B programs
# (default 1000) are each compiled by ONE bpf2native run, linked into one
# harness and run once (qemu-user for the foreign targets); native code and
# the reference interpreter on the target must equal the host interpreter.
# "kernel" loads the same programs into the running kernel
# (BPF_PROG_TEST_RUN).  -O LIST gives the optimisation levels, taken in turn
# batch by batch (default 2; "2,0" alternates -O2 and the six times faster
# -O0).  The tools and per-target settings come from BUILD (default build/)
# /tests/differential/differential.env, written by cmake.  Prints per
# target: programs, agree, mismatches; exits 1 on any mismatch.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build seed=$(date +%s) batch=1000 opts=2
while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	-O) opts=$2; shift 2 ;;
	-O*) opts=${1#-O}; shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ]; then
	echo "usage: $0 [-B BUILD] [--seed S] [--batch B] [-O LIST] N [TARGET...]" >&2
	exit 2
fi
count=$1
shift
env=$build/tests/differential/differential.env
if [ ! -r "$env" ]; then
	echo "differential.sh: $env not found: configure and build first (cmake -S . -B build)" >&2
	exit 2
fi
field() { awk -F '\t' -v k="$1" '$1 == k { print $2; exit }' "$env"; }
difftest=$(field difftest) b2n=$(field bpf2native) src=$(field source) inc=$(field include)
for tool in "$difftest" "$b2n"; do
	[ -x "$tool" ] || { echo "differential.sh: $tool not built (cmake --build $build)" >&2; exit 2; }
done
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046 # one word per target
	set -- $(awk -F '\t' '$1 == "target" { print $2 }' "$env") kernel
fi

echo "differential: $count programs per target, seed $seed, batches of $batch, -O$opts"
summary="" fail=0
for t in "$@"; do
	log=$build/tests/differential/script-$t.log
	start=$(date +%s)
	if [ "$t" = kernel ]; then
		"$difftest" kernel "$seed" 0 "$count" | tee "$log"
	else
		line=$(awk -F '\t' -v t="$t" '$1 == "target" && $2 == t' "$env")
		if [ -z "$line" ]; then
			echo "differential.sh: unknown target $t" >&2
			exit 2
		fi
		cc=$(echo "$line" | cut -f3) qemu=$(echo "$line" | cut -f4)
		rt=$(echo "$line" | cut -f5) why=$(echo "$line" | cut -f6)
		sh "$src/run.sh" smoke "$count" "$seed" "$batch" "$opts" "$difftest" "$t" "$cc" "$qemu" \
			"$b2n" "$rt" "$src" "$inc" none "$build/tests/differential/script-$t" "$why" |
			tee "$log"
	fi
	rc=$(tail -1 "$log" | sed -n 's/.*: [0-9]* passed, \([0-9]*\) failed/\1/p')
	[ -n "$rc" ] || rc=1
	grep -q '^SKIP' "$log" && rc=77
	secs=$(($(date +%s) - start))
	res=$(grep -o 'programs [0-9]*, agree [0-9]*, mismatches [0-9]*' "$log" | tail -1)
	case $rc in
	0) state="ok" ;;
	77) state="skipped: $(sed -n 's/^SKIP[A-Z]* [^:]*: //p' "$log" | head -1)" res="" ;;
	*) state="FAILED" fail=1 ;;
	esac
	summary="$summary$(printf '%-8s %-55s %5ss  %s' "$t" "$res" "$secs" "$state")
"
done
echo
echo "differential summary (seed $seed, -O$opts):"
printf '%s' "$summary"
exit $fail
