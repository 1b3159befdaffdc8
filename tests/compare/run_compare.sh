#!/bin/bash
# run_compare.sh - `bpf2native compare` end to end.
#
#   run_compare.sh static TARGET BPF2NATIVE CHECK OBJDIR BIG_ENDIAN
#       every program object of the target's byte order, JSON checked by
#       compare_check (static columns; sparcv9: the kernel JIT's refusal of
#       a -mcpu=v3 program and acceptance of a -mcpu=v2 one, and the
#       estimate), the CSV header and one row per program, the text table.
#   run_compare.sh host TARGET BPF2NATIVE CHECK OBJDIR 0
#       the host: kernel columns (or the reason they are missing), timing,
#       agreement; --input changes the result of the ctx program and both
#       sides still agree.
#   run_compare.sh bad TARGET BPF2NATIVE CHECK OBJDIR 0
#       user errors: one line on stderr, exit 1, nothing on stdout.
set -u
mode=$1 target=$2 b2n=$3 check=$4 objdir=$5 be=$6
work=$(mktemp -d /tmp/b2n-compare-test-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

[ -f "$objdir/calc.el.o" ] || { echo "SKIP: BPF objects not built (clang-19 missing)"; exit 77; }
end=el
[ "$be" = 1 ] && end=eb
objs="$objdir/parse.$end.o $objdir/hash.$end.o $objdir/calc.$end.o"

CSV_HEADER='object,program,type,target,bpf_insns,native_insns,code_bytes,frame_bytes,spills,reloads,ns_per_run,retval,kernel_jited_insns,kernel_jited_bytes,kernel_xlated_insns,kernel_stack_depth,kernel_ns_per_run,kernel_empty_ns,kernel_retval,agree,kernel_skip,run_skip,target_kernel_jit,est_native_insns,est_frame_bytes,kernel_frame_bytes,empty_ns_per_run'

case $mode in
static|host)
	kind=$mode
	for o in $objs; do
		base=$(basename "$o" .o)
		"$b2n" compare "$o" --target "$target" --format json --repeat 2000 >"$work/$base.json" \
			2>"$work/$base.err" || fail "compare $base: $(cat "$work/$base.err")"
		"$check" "$work/$base.json" "$kind" "$target" || { cat "$work/$base.json"; fail "$base JSON"; }
		"$b2n" compare "$o" --target "$target" --format csv --repeat 100 >"$work/$base.csv" \
			|| fail "compare --format csv $base"
		[ "$(head -1 "$work/$base.csv")" = "$CSV_HEADER" ] || fail "CSV header of $base: $(head -1 "$work/$base.csv")"
		[ "$(wc -l <"$work/$base.csv")" = 2 ] || fail "CSV of $base: not one row per program"
		"$b2n" compare "$o" --target "$target" --repeat 100 >"$work/$base.txt" || fail "compare text $base"
		for row in "native insns" "code bytes" "native frame bytes" "spills/reloads" "BPF stack depth"; do
			grep -q "^  $row " "$work/$base.txt" || fail "text table of $base has no '$row' row"
		done
	done
	# The allocator's comments are read (verbose assembly).  Whether LLVM
	# spills at all depends on the target's register file: at -O2 the hash
	# program spills on ppc64le; at -O0 the fast allocator spills values
	# live across blocks on aarch64 and riscv64.
	if [ "$target" = ppc64le ]; then
		grep -q '"bpf2native": {[^}]*"spills": [1-9]' "$work/hash.el.json" \
			|| fail "$target: no spill counted in hash_fnv"
	fi
	if [ "$target" = aarch64 ] || [ "$target" = riscv64 ]; then
		"$b2n" compare "$objdir/hash.el.o" --target "$target" -O0 --format json \
			>"$work/hash.O0.json" || fail "compare -O0 hash"
		grep -q '"bpf2native": {[^}]*"spills": [1-9]' "$work/hash.O0.json" \
			|| fail "$target: no spill counted in hash_fnv at -O0"
	fi
	if [ "$target" = sparcv9 ]; then
		grep -q 'kernel sparc64 JIT: would refuse (JMP32 at insn [0-9]' "$work/calc.eb.json" \
			|| fail "sparcv9: no JMP32 refusal for a -mcpu=v3 program"
		"$b2n" compare "$objdir/calc.v2.eb.o" --target sparcv9 --format json >"$work/v2.json" \
			|| fail "compare calc.v2"
		"$check" "$work/v2.json" static sparcv9 || fail "v2 JSON"
		grep -q 'kernel sparc64 JIT: supports every instruction used' "$work/v2.json" \
			|| fail "sparcv9: a -mcpu=v2 program without atomics should be accepted"
		grep -q 'ESTIMATE' "$work/calc.eb.txt" || fail "sparcv9: the estimate is not labelled"
	fi
	if [ "$mode" = host ]; then
		cat "$work/parse.el.txt"
		if grep -q '"skip": "bpf() not permitted' "$work/calc.el.json"; then
			echo "NOTE: the kernel columns are skipped here: $(grep -o '"skip": "[^"]*"' "$work/calc.el.json" | head -1)"
		fi
		# Where the kernel ran them, both sides must agree on every
		# program (verdict, output packet).
		for o in $objs; do
			base=$(basename "$o" .o)
			grep -q '"kernel": {"skip"' "$work/$base.json" && continue
			grep -q '"agree": "yes' "$work/$base.json" \
				|| fail "$base: no agreement: $(grep -o '"agree": "[^"]*"\|"run_skip": "[^"]*"' "$work/$base.json")"
		done
		# --input: the ctx program (raw_tp: its first two u64 arguments)
		# gives another result, and both sides agree on it.
		printf '\x11\x22\x33\x44\x55\x66\x77\x08\x99\xaa\xbb\xcc\xdd\xee\xff\x10' >"$work/ctx.bin"
		"$b2n" compare "$objdir/calc.el.o" --input "$work/ctx.bin" --format json --repeat 100 \
			>"$work/in.json" || fail "compare --input"
		"$check" "$work/in.json" host "$target" || fail "--input JSON"
		r1=$(grep -o '"retval": [0-9]*' "$work/calc.el.json" | head -1)
		r2=$(grep -o '"retval": [0-9]*' "$work/in.json" | head -1)
		[ -n "$r1" ] && [ -n "$r2" ] || fail "no bpf2native retval for calc ($r1 / $r2)"
		[ "$r1" != "$r2" ] || fail "--input did not change the result ($r1)"
		if ! grep -q '"skip"' "$work/in.json"; then
			grep -q '"agree": "yes (retval)"' "$work/in.json" || fail "calc with --input: kernel and bpf2native disagree"
			grep -q '"agree": "yes (retval)"' "$work/calc.el.json" || fail "calc: kernel and bpf2native disagree"
		fi
		# A packet for the XDP programs given as a file, 60 bytes of UDP.
		head -c 60 /dev/zero | tr '\0' '\1' >"$work/pkt.bin"
		"$b2n" compare "$objdir/parse.el.o" --input "$work/pkt.bin" --format json --repeat 100 \
			>"$work/pkt.json" || fail "compare parse --input"
		"$check" "$work/pkt.json" host "$target" || fail "parse --input JSON"
		if ! grep -q '"kernel": {"skip"' "$work/pkt.json"; then
			grep -q '"agree": "yes (retval and 60-byte output packet)"' "$work/pkt.json" \
				|| fail "parse with --input: $(grep -o '"agree": "[^"]*"' "$work/pkt.json")"
		fi
	fi
	echo "PASS: compare $mode $target"
	;;
bad)
	expect_err() {
		local what=$1 pat=$2
		shift 2
		"$b2n" compare "$@" >"$work/out" 2>"$work/err"
		rc=$?
		[ $rc = 1 ] || fail "$what: exit $rc, not 1"
		[ ! -s "$work/out" ] || fail "$what: output on stdout: $(head -2 "$work/out")"
		[ "$(wc -l <"$work/err")" = 1 ] || fail "$what: not one line: $(cat "$work/err")"
		grep -q -- "$pat" "$work/err" || fail "$what: '$pat' not in: $(cat "$work/err")"
		echo "ok $what: $(cat "$work/err")"
	}
	expect_err "missing input file" "nonexistent.bin" "$objdir/calc.el.o" --input "$work/nonexistent.bin"
	head -c 4 /dev/zero >"$work/short.bin"
	expect_err "packet shorter than Ethernet" "shorter than an Ethernet header" "$objdir/parse.el.o" --input "$work/short.bin"
	head -c 5000 /dev/zero >"$work/long.bin"
	expect_err "input too large" "too large" "$objdir/parse.el.o" --input "$work/long.bin"
	expect_err "unknown format" "unknown format 'yaml'" "$objdir/calc.el.o" --format yaml
	expect_err "unknown target" "unknown target 'vax'" "$objdir/calc.el.o" --target vax
	expect_err "byte order" "big-endian BPF object" "$objdir/calc.eb.o" --target x86_64
	expect_err "missing object" "nothere.o" "$work/nothere.o"
	printf 'not an object at all' >"$work/junk.o"
	expect_err "junk object" "junk.o" "$work/junk.o"
	expect_err "no such program" "no program named nope" "$objdir/calc.el.o" --prog nope
	expect_err "no input" "no input file"
	expect_err "bad repeat" "bad --repeat" "$objdir/calc.el.o" --repeat 0
	echo "PASS: compare bad input"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
