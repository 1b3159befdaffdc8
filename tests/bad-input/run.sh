#!/bin/sh
# run.sh - bad input must give exactly one diagnostic line, exit status 1
# and no output file.
#
#   run.sh BPF2NATIVE core            asm/raw programs and CLI errors
#   run.sh BPF2NATIVE elf CLANG CC    corrupt / foreign ELF objects (made here
#                                     with clang-19 -target bpfel and CC)
#   run.sh BPF2NATIVE output          output files: regular files atomically,
#                                     devices and FIFOs in place, -o -
#
# Every input is generated in a temporary directory (printf for raw
# bytecode, here-documents for asm).  Each case names the regex that the one
# stderr line must match; instruction diagnostics follow the driver's format
#   PATH: error: program NAME[ (SECTION)]: insn IDX `DISASM`: MESSAGE
# Exit 77 (skip) when the elf part lacks clang-19.
set -u
b2n=$1 part=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/b2n-bad-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0 fail=0

# check NAME REGEX ARGS... : run bpf2native ARGS -o NAME.out
check() {
	name=$1 re=$2
	shift 2
	out=$name.out
	rm -f "$out"
	"$b2n" "$@" -o "$out" >stdout.txt 2>stderr.txt
	rc=$?
	# one error line; "note:" lines may follow it (as clang's do)
	lines=$(grep -vc '^[^ ]*: note: ' stderr.txt)
	why=""
	if [ $rc -ne 1 ]; then
		why="exit status $rc, expected 1"
	elif [ -e "$out" ]; then
		why="output file $out was left behind"
	elif [ "$lines" -ne 1 ]; then
		why="$lines lines on stderr, expected exactly 1"
	elif ! grep -Eq -- "$re" stderr.txt; then
		why="diagnostic does not match /$re/"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $name: $why"
		sed 's/^/    stderr: /' stderr.txt
		fail=$((fail + 1))
	else
		echo "PASS $name: $(head -1 stderr.txt)"
		pass=$((pass + 1))
	fi
}

# insn diagnostic regex: PATH, program, index, then the message
insn() { # insn PATH PROG IDX MESSAGE-REGEX
	printf '^%s: error: program %s: insn %s `[^`]+`: %s' "$1" "$2" "$3" "$4"
}

# raw FILE BYTES... : write bytes given as 3-digit octal escapes
raw() {
	f=$1
	shift
	bytes=""
	for b in "$@"; do bytes=$bytes$b; done
	printf "$bytes" >"$f"
}
# little-endian instruction encodings (octal escapes for printf)
EXIT='\225\000\000\000\000\000\000\000'
MOV0='\267\000\000\000\000\000\000\000'

if [ "$part" = core ]; then
	raw unknown.bin '\377\000\000\000\000\000\000\000' "$EXIT"
	check unknown-opcode "$(insn unknown.bin prog 0 'unknown opcode 0xff')" unknown.bin

	raw unknown2.bin "$MOV0" '\217\000\000\000\000\000\000\000' "$EXIT"
	check unknown-opcode-2 "$(insn unknown2.bin prog 1 'unknown opcode 0x8f')" unknown2.bin

	printf 'mov %%r0, 0\nmov %%r11, 1\nexit\n' >reg11.s
	check register-r11-asm "$(insn reg11.s prog 1 'invalid register r11')" reg11.s

	# mov r0, r12 (src nibble 12)
	raw reg12.bin '\277\300\000\000\000\000\000\000' "$EXIT"
	check register-r12-raw "$(insn reg12.bin prog 0 'invalid register r12')" reg12.bin

	printf 'mov %%r0, 0\nja +5\nexit\n' >jout.s
	check jump-out-forward "$(insn jout.s prog 1 'jump out of the program')" jout.s

	printf 'mov %%r0, 0\njeq %%r0, 0, -4\nexit\n' >jback.s
	check jump-out-backward "$(insn jback.s prog 1 'jump out of the program')" jback.s

	printf 'mov %%r0, 0\nja +1\nlddw %%r0, 0x1122334455667788\nexit\n' >jlddw.s
	check jump-into-lddw "$(insn jlddw.s prog 1 'jump into the middle of an lddw')" jlddw.s

	# mov r0, 0; lddw r0, 1 (first slot only): an odd slot at the end
	raw tlddw.bin "$MOV0" '\030\000\000\000\001\000\000\000'
	check truncated-lddw "$(insn tlddw.bin prog 1 'truncated lddw')" tlddw.bin

	raw short.bin "$MOV0" '\225\000\000'
	check truncated-raw 'short\.bin: error: .*not a multiple of 8' short.bin

	printf 'mov %%r0, 0\nadd %%r0, 1\n' >fall.s
	check fall-off-end "$(insn fall.s prog 1 'control can fall off the end')" fall.s

	printf 'mov %%r0, 0\njeq %%r1, 0, +1\nexit\nmov %%r0, 1\n' >fall2.s
	check fall-off-end-branch "$(insn fall2.s prog 3 'control can fall off the end')" fall2.s

	printf 'mov %%r0, 0\ncall local +5\nexit\n' >call.s
	check call-nowhere-asm "$(insn call.s prog 1 'local call to nowhere')" call.s

	# call local imm=-3 (src = 1)
	raw call.bin '\205\020\000\000\375\377\377\377' "$EXIT"
	check call-nowhere-raw "$(insn call.bin prog 0 'local call to nowhere')" call.bin

	# the name given with --name appears in the diagnostic
	check named-program "$(insn unknown.bin myprog 0 'unknown opcode 0xff')" --name myprog unknown.bin

	printf 'mov %%r0, 0\nexit\n' >good.s
	check unknown-target '^bpf2native: error: unknown target .vax.' -target vax good.s
	check missing-input '^bpf2native: error: no input' -target x86_64
	check nonexistent-input '^nothere\.s: error: ' nothere.s
	check unknown-option '^bpf2native: error: .*--no-such-option' --no-such-option good.s
	check option-suggestion "^bpf2native: error: unknown argument '--stat'; did you mean '--stats'\?" \
		--stat good.s
	check option-suggestion-2 "did you mean '-emit-llvm'\?" -emit-lvm good.s
	for t in x86_64 aarch64 riscv64 sparcv9 s390x ppc64le; do
		check "unknown-cpu-$t" "^bpf2native: error: unknown target CPU 'skylakee' for target $t" \
			-target $t -mcpu skylakee good.s
		if ! grep -q "^bpf2native: note: '-mcpu help' lists the CPUs of $t" stderr.txt; then
			echo "FAIL unknown-cpu-$t: no note naming -mcpu help"
			fail=$((fail + 1))
		fi
	done
	# -mcpu help and -target help list and exit 0, compiling nothing
	for h in "-target sparcv9 -mcpu help" "-mcpu=help" "-target help"; do
		rm -f help.out
		# shellcheck disable=SC2086
		if "$b2n" $h good.s -o help.out >help.txt 2>&1 && [ ! -e help.out ] &&
			[ "$(wc -l <help.txt)" -gt 3 ]; then
			echo "PASS help '$h': $(wc -l <help.txt) lines, exit 0, no output"
			pass=$((pass + 1))
		else
			echo "FAIL help '$h': $(head -2 help.txt)"
			fail=$((fail + 1))
		fi
	done
	grep -q '^  v9$' help.txt 2>/dev/null || "$b2n" -target sparcv9 -mcpu help | grep -q '^  v9$' ||
		{ echo "FAIL help: '-target sparcv9 -mcpu help' does not list v9"; fail=$((fail + 1)); }
	"$b2n" -target sparcv9 -mcpu v9 good.s -o v9.o && pass=$((pass + 1)) ||
		{ echo "FAIL: -mcpu v9 refused for sparcv9"; fail=$((fail + 1)); }

	# helpers are named as the kernel's verifier names them
	printf 'call 69\nmov %%r0, 0\nexit\n' >fib.s
	check helper-name "$(insn fib.s prog 0 'unknown helper bpf_fib_lookup#69')" fib.s
	printf 'call 100000\nmov %%r0, 0\nexit\n' >h100k.s
	check helper-name-unknown "$(insn h100k.s prog 0 'unknown helper unknown#100000')" h100k.s

	# C source gets a hint to build it with clang first
	printf 'int prog(void *ctx) { return 0; }\n' >prog.c
	check c-source "^prog\.c: error: this is C source.*clang-19 -target bpf" prog.c

	# control bytes in the input are escaped: still one line
	printf 'mov %%r0, 1\001\002\r\033[2J\nexit\n' >ctl.s
	check control-bytes '^ctl\.s:1: error: .*\\x01\\x02\\x0d\\x1b' ctl.s
	printf 'mov %%r0, 0\nmov %%r11, 1\nexit\n' >"$(printf 'nl\nname.s')"
	check control-bytes-path '^nl\\x0aname\.s: error: program prog: insn 1' "$(printf 'nl\nname.s')"
	check control-bytes-arg '^bpf2native: error: unknown target .x\\x0aname' \
		-target "$(printf 'x\nname')" good.s

	# sanity: the good program does compile (so the cases above fail for
	# the reason they claim)
	if "$b2n" good.s -o good.o && [ -s good.o ]; then
		echo "PASS control: a valid program compiles"
		pass=$((pass + 1))
	else
		echo "FAIL control: a valid program does not compile"
		fail=$((fail + 1))
	fi
elif [ "$part" = elf ]; then
	clang=${3:-clang-19} cc=${4:-cc}
	if ! command -v "$clang" >/dev/null 2>&1; then
		echo "SKIPPED bad-input-elf: $clang not found (install clang-19)"
		exit 77
	fi
	cat >p.c <<'EOF'
static __attribute__((noinline)) int sub(int x) { return x * 3; }
__attribute__((section("xdp"), used)) int prog(void *ctx) { return sub((int)(long)ctx) + 1; }
EOF
	if ! "$clang" -target bpfel -O2 -c p.c -o p.o; then
		echo "FAIL: $clang cannot build the BPF object"
		exit 1
	fi
	if "$b2n" p.o -o good.o && [ -s good.o ]; then
		echo "PASS control: the intact object compiles"
		pass=$((pass + 1))
	else
		echo "FAIL control: the intact object does not compile"
		fail=$((fail + 1))
	fi
	size=$(wc -c <p.o)
	head -c $((size / 2)) p.o >trunc.o
	check elf-truncated '^trunc\.o: error: ' trunc.o
	head -c 40 p.o >trunc-hdr.o
	check elf-truncated-header '^trunc-hdr\.o: error: ' -x elf trunc-hdr.o
	# e_shoff (offset 40, 8 bytes) pointing far away
	cp p.o shoff.o
	printf '\377\377\377\377\000\000\000\000' | dd of=shoff.o bs=1 seek=40 conv=notrunc 2>/dev/null
	check elf-bad-shoff '^shoff\.o: error: ' shoff.o
	# e_machine (offset 18) flipped
	cp p.o mach.o
	printf '\377' | dd of=mach.o bs=1 seek=18 conv=notrunc 2>/dev/null
	check elf-bad-machine '^mach\.o: error: .*machine' mach.o
	# the last instruction (exit) of section "xdp" flipped to opcode 0xff
	readelf=$(command -v readelf || command -v llvm-readelf-19)
	xoff=$("$readelf" -W -S p.o | sed -n 's/^.*\] *//p' | awk '$1 == "xdp" { print $4, $5 }')
	if [ -n "$xoff" ]; then
		set -- $xoff
		last=$((0x$2 / 8 - 1))
		cp p.o opcode.o
		printf '\377' | dd of=opcode.o bs=1 seek=$((0x$1 + 8 * last)) conv=notrunc 2>/dev/null
		check elf-bad-opcode "$(insn opcode.o 'prog \(xdp\)' $last 'unknown opcode 0xff')" opcode.o
	else
		echo "FAIL elf-bad-opcode: cannot locate section xdp (no readelf?)"
		fail=$((fail + 1))
	fi
	echo 'int f(void) { return 1; }' >h.c
	if "$cc" -c h.c -o host.o; then
		check elf-not-bpf '^host\.o: error: .*(EM_BPF|BPF)' host.o
	else
		echo "FAIL: $cc cannot build a host object"
		fail=$((fail + 1))
	fi
	printf '\177ELF' >magic.o
	check elf-magic-only '^magic\.o: error: ' magic.o
	# EI_VERSION (byte 6) = 2, e_version (offset 20) = 2
	cp p.o eiver.o
	printf '\002' | dd of=eiver.o bs=1 seek=6 conv=notrunc 2>/dev/null
	check elf-ei-version '^eiver\.o: error: .*ELF identification version 2, expected' eiver.o
	cp p.o ever.o
	printf '\002' | dd of=ever.o bs=1 seek=20 conv=notrunc 2>/dev/null
	check elf-e-version '^ever\.o: error: .*ELF version 2 in e_version' ever.o
elif [ "$part" = output ]; then
	. "$here/output.sh"
else
	echo "usage: $0 BPF2NATIVE core|elf|output [CLANG CC]" >&2
	exit 2
fi

echo "bad-input[$part]: $pass passed, $fail failed"
[ $fail -eq 0 ]
