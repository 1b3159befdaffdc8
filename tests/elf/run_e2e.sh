#!/bin/bash
# run_e2e.sh - compile BPF ELF objects of progs.c with bpf2native for one
# target, link each with e2e_main.c, the natively compiled progs.c and the
# runtime, run it (under qemu-user for cross targets) and compare every
# program with the C oracle (see e2e_main.c).
#
# usage: run_e2e.sh TARGET GNU_PREFIX QEMU BPF2NATIVE RUNTIME_LIB SRC_DIR WORK_DIR OBJ...
#   QEMU is "" for targets that run natively.  Exits 77 (skipped) when the
#   cross gcc, qemu or the target's runtime library is missing.
set -u
target=$1 gnu=$2 qemu=$3 b2n=$4 rtlib=$5 src=$6 work=$7
shift 7

skip() { echo "SKIP: $*"; exit 77; }
command -v "$gnu-gcc" >/dev/null || skip "$gnu-gcc not installed"
if [ -n "$qemu" ]; then command -v "$qemu" >/dev/null || skip "$qemu not installed"; fi
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib missing (cmake/B2NTargets.cmake)"
[ -x "$b2n" ] || { echo "FAIL: $b2n missing"; exit 1; }
[ $# -gt 0 ] || skip "no BPF objects for $target"

mkdir -p "$work" || exit 1
# The C oracle, compiled once for the target.
"$gnu-gcc" -O2 -I"$src" -c "$src/progs.c" -o "$work/progs_native.o" ||
	{ echo "FAIL: $gnu-gcc cannot compile progs.c"; exit 1; }
fails=0 passes=0
for obj in "$@"; do
	v=$(basename "$obj" .o)
	out=$work/$v.$target
	# progs.c's "xdp", "socket" and "tc" programs take a made-up context
	# (struct elf_ctx), so the section's context rules are switched off.
	# the -O0 object's bubble is a known false refusal of the safety pass
	# (see elf_read_test.c): compiled as trusted code
	unsafe=""
	case $obj in *clang_O0*) unsafe=--unsafe ;; esac
	if ! "$b2n" -target "$target" --prog-type none $unsafe --object-name progs -o "$out.o" "$obj" \
		2>"$out.err"; then
		echo "FAIL: $v: bpf2native -target $target failed: $(head -3 "$out.err")"
		fails=$((fails + 1)); continue
	fi
	if ! "$gnu-gcc" -static -O1 -I"$src" -o "$out.exe" "$src/e2e_main.c" \
		"$work/progs_native.o" "$out.o" "$rtlib" -lpthread 2>"$out.err"; then
		echo "FAIL: $v: link failed: $(head -5 "$out.err")"
		fails=$((fails + 1)); continue
	fi
	if $qemu "$out.exe" "$v/$target"; then
		passes=$((passes + 1))
	else
		echo "FAIL: $v: run on $target failed"
		fails=$((fails + 1))
	fi
done
echo "$target: $passes objects passed, $fails failed"
[ $fails -eq 0 ]
