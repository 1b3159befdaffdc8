#!/bin/sh
# plugin_test.sh - drive bpf2native-plugin exactly like the upstream
# bpf_conformance runner does, over every conformance file, for one target.
#
#   plugin_test.sh --prepare-all BPF2NATIVE DATA_DIR PREP_DIR [JOBS]
#   plugin_test.sh TARGET BIG_ENDIAN QEMU PLUGIN PREP_DIR DATA_DIR SKIPS [JOBS]
#
# The first form (a ctest fixture, run once for all targets) prepares the
# runner's view of each .data file: the program's bytes come from
# `bpf2native --emit-raw` (bpfel), formatted as the runner formats them (hex
# bytes each followed by two spaces, one line on stdin); the "-- mem" bytes
# are formatted the same way into argv[1], left out when there is none; the
# options follow ("--target TARGET").  The printed r0 is compared with
# "-- result" on little-endian targets, and on big-endian targets with the
# output of `PLUGIN [MEM] --interp --big-endian` (the interpreter's
# independent big-endian reading of the same program).  Files run JOBS at a
# time (xargs -P).  Exit 77 when the target cannot run here.
set -u

if [ "${1:-}" = "--prepare" ]; then
	# --prepare FILE: the runner's view of one test, computed once for all
	# targets: DIR/NAME.prog (program hex line), .mem (memory hex, maybe
	# empty), .exp (expected r0 from "-- result").
	f=$2
	name=$(basename "$f" .data)
	if ! "$B2N_COMPILER" --emit-raw -o "$B2N_PREP/$name.bin" "$f" 2>"$B2N_PREP/$name.err"; then
		echo "bpf2native --emit-raw failed: $(head -c 300 "$B2N_PREP/$name.err")" >"$B2N_PREP/$name.bad"
		exit 0
	fi
	od -An -v -tx1 "$B2N_PREP/$name.bin" | awk '{ for (i = 1; i <= NF; i++) printf "%s  ", $i }
		END { printf "\n" }' >"$B2N_PREP/$name.prog"
	: >"$B2N_PREP/$name.mem"
	: >"$B2N_PREP/$name.exp"
	awk -v memf="$B2N_PREP/$name.mem" -v expf="$B2N_PREP/$name.exp" '
		/^-- / { s = substr($0, 4); next }
		s == "mem" { for (i = 1; i <= NF; i++) printf "%s  ", $i >memf }
		s == "result" && NF && !done { print $1 >expf; done = 1 }' "$f" || exit 1
	if [ ! -s "$B2N_PREP/$name.exp" ]; then
		echo "no -- result in $f" >"$B2N_PREP/$name.bad"
	fi
	exit 0
fi

if [ "${1:-}" = "--one" ]; then
	# --one FILE: one test, prints one PASS/FAIL/SKIP line
	name=$(basename "$2" .data)
	p=$B2N_PREP/$name
	reason=$(awk -F '\t' -v t="$B2N_T" -v n="$name" \
		'!/^#/ && NF >= 3 && ($1 == t || $1 == "*") && $2 == n { print $3; exit }' "$B2N_SKIPS")
	if [ -n "$reason" ]; then
		echo "SKIP $name: $reason"
		exit 0
	fi
	if [ -e "$p.bad" ]; then
		echo "FAIL $name: $(cat "$p.bad")"
		exit 0
	fi
	mem=$(cat "$p.mem")
	if [ -n "$mem" ]; then set -- "$mem"; else set --; fi
	got=$("$B2N_PLUGIN" "$@" --target "$B2N_T" <"$p.prog" 2>"$p.$B2N_T.err")
	# (the line above is what the upstream runner does: memory in argv[1],
	# options after it, the program on stdin)
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: plugin exit status $rc: $(tr '\n' ' ' <"$p.$B2N_T.err" | head -c 300)"
		exit 0
	fi
	oracle="file"
	expected=$(cat "$p.exp")
	if [ "$B2N_BE" = 1 ]; then
		oracle="interp --big-endian"
		expected=$("$B2N_PLUGIN" "$@" --interp --big-endian <"$p.prog" 2>"$p.$B2N_T.err")
		if [ $? -ne 0 ]; then
			echo "FAIL $name: big-endian interpreter failed: $(tr '\n' ' ' <"$p.$B2N_T.err" | head -c 300)"
			exit 0
		fi
	fi
	# compare as 64-bit numbers: "0x00FF" == "ff"
	if [ -n "$got" ] && awk -v a="$got" -v b="$expected" 'function n(x) {
			x = tolower(x); sub(/^0x/, "", x); sub(/^0+/, "", x); return x }
		BEGIN { exit !(n(a) == n(b)) }'; then
		echo "PASS $name"
	else
		echo "FAIL $name: plugin printed '$got', expected '$expected' ($oracle)"
	fi
	exit 0
fi

if [ "${1:-}" = "--prepare-all" ] && [ $# -ge 4 ]; then
	B2N_COMPILER=$2 data=$3 B2N_PREP=$4 jobs=${5:-2}
	export B2N_COMPILER B2N_PREP
	rm -rf "$B2N_PREP"
	mkdir -p "$B2N_PREP" || exit 2
	start=$(date +%s)
	ls "$data"/*.data | xargs -P "$jobs" -n 1 sh "$0" --prepare || exit 1
	n=$(ls "$B2N_PREP"/*.prog 2>/dev/null | wc -l)
	bad=$(ls "$B2N_PREP"/*.bad 2>/dev/null | wc -l)
	echo "plugin: prepared $n programs with bpf2native --emit-raw ($bad failed) in $(( $(date +%s) - start )) s"
	exit 0
fi

if [ $# -lt 7 ]; then
	echo "usage: $0 TARGET BIG_ENDIAN QEMU PLUGIN PREP_DIR DATA_DIR SKIPS [JOBS]" >&2
	echo "       $0 --prepare-all BPF2NATIVE DATA_DIR PREP_DIR [JOBS]" >&2
	exit 2
fi
B2N_T=$1 B2N_BE=$2 qemu=$3 B2N_PLUGIN=$4 B2N_PREP=$5 data=$6 B2N_SKIPS=$7 jobs=${8:-2}
export B2N_T B2N_BE B2N_PLUGIN B2N_PREP B2N_SKIPS
if [ ! -d "$B2N_PREP" ]; then
	echo "FAIL plugin[$B2N_T]: $B2N_PREP missing (run the plugin-prepare test first)"
	exit 1
fi

if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIPPED plugin[$B2N_T]: $qemu not found (install qemu-user)"
	exit 77
fi
# A target the plugin was built without (no cross gcc) is a skip, with the
# plugin's own explanation.
probe=$(printf 'b7  00  00  00  2a  00  00  00  95  00  00  00  00  00  00  00  \n' |
	"$B2N_PLUGIN" --target "$B2N_T" 2>&1)
case $probe in
*"is not available in this build"*)
	echo "SKIPPED plugin[$B2N_T]: $probe"
	exit 77
	;;
2a) ;;
*)
	echo "FAIL plugin[$B2N_T]: probe program (r0 = 42) printed: $probe"
	exit 1
	;;
esac

start=$(date +%s)
out=$B2N_PREP/results-$B2N_T
ls "$data"/*.data | xargs -P "$jobs" -n 1 sh "$0" --one >"$out"
end=$(date +%s)
grep -v '^PASS' "$out" | sort
pass=$(grep -c '^PASS' "$out")
fail=$(grep -c '^FAIL' "$out")
skip=$(grep -c '^SKIP' "$out")
total=$(ls "$data"/*.data | wc -l)
echo "plugin[$B2N_T]: $pass passed, $fail failed, $skip skipped of $total ($((end - start)) s wall, $jobs jobs)"
[ "$fail" -eq 0 ] && [ $((pass + skip)) -eq "$total" ]
