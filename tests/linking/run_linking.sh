#!/bin/bash
# run_linking.sh - build and run one example of examples/ for one target,
# with the command line tools as a user would (clang-19, bpf2native,
# bpf2native gen skeleton, the target's gcc, ld.lld-19), under qemu-user for
# cross targets.
#
# usage: run_linking.sh MODE TARGET GNU QEMU BIG_ENDIAN BPF2NATIVE RUNTIME_LIB SRC_ROOT WORK
#   MODE static  examples/static: object + runtime linked statically (-static)
#        shared  examples/shared: the object linked into counter.so with
#                ld.lld-19 -shared (sparcv9: the GNU ld of the target, see
#                below), the application dynamically linked with the
#                whole runtime (exported: -rdynamic), run with qemu -L /usr/GNU
#        multi   examples/multi: two objects in one (static) application
#        object  object_test.c: the loader against hand-made descriptors
#   QEMU is "" for a target that runs natively.  Exits 77 (skipped) when a
#   tool is missing; the example prints "N passed, M failed".
set -u
mode=$1 target=$2 gnu=$3 qemu=$4 be=$5 b2n=$6 rtlib=$7 root=$8 work=$9

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
clang=$(command -v clang-19 || command -v clang) || skip "clang-19 not installed"
command -v "$gnu-gcc" >/dev/null || skip "$gnu-gcc not installed"
if [ -n "$qemu" ]; then command -v "$qemu" >/dev/null || skip "$qemu not installed"; fi
[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib missing"
[ -x "$b2n" ] || fail "$b2n missing"
bpf=bpfel
[ "$be" = 1 ] && bpf=bpfeb
# <asm/types.h> for <linux/bpf.h>: the host's multiarch directory
asm_inc=/usr/include/$(gcc -print-multiarch 2>/dev/null)
[ -f "$asm_inc/asm/types.h" ] || asm_inc=$(dirname "$(dirname "$(ls /usr/include/*/asm/types.h | head -1)")")

rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || exit 1

# bpf NAME SRC: BPF C -> NAME.bpf.o -> NAME.o (native) + NAME.skel.h
bpf() {
	local name=$1 src=$2
	"$clang" -target $bpf -O2 -g -Wall -idirafter "$asm_inc" -I"$(dirname "$src")" \
		-c "$src" -o "$name.bpf.o" 2>"$name.clang.err" ||
		fail "clang $src: $(head -5 "$name.clang.err")"
	"$b2n" -target "$target" --object-name "$name" -o "$name.o" "$name.bpf.o" 2>"$name.b2n.err" ||
		fail "bpf2native -target $target $name.bpf.o: $(head -5 "$name.b2n.err")"
	"$b2n" gen skeleton "$name.bpf.o" --object-name "$name" ${3:-} -o "$name.skel.h" \
		2>"$name.skel.err" || fail "gen skeleton $name: $(head -5 "$name.skel.err")"
}

cflags=(-O1 -Wall -Wextra -Werror -I"$root/include" -I"$work" -I"$root/examples/static")
case $mode in
static)
	bpf counter "$root/examples/static/counter.bpf.c"
	"$gnu-gcc" "${cflags[@]}" -static -o app "$root/examples/static/main.c" counter.o "$rtlib" \
		-lpthread 2>link.err || fail "link: $(grep -v 'statically linked' link.err | head -5)"
	run=(./app)
	;;
shared)
	lld=$(command -v ld.lld-19 || command -v ld.lld) || skip "ld.lld-19 not installed"
	bpf counter "$root/examples/static/counter.bpf.c"
	if ! "$lld" -shared -o counter.so counter.o 2>lld.err; then
		# ld.lld 19 cannot link SPARC shared objects: it has no SPARC TLS
		# relocations (R_SPARC_TLS_GD_*) and refuses R_SPARC_64 against
		# local symbols.  The GNU linker of the target does it.
		[ "$target" = sparcv9 ] || fail "ld.lld -shared: $(head -5 lld.err)"
		echo "NOTE: ld.lld cannot link a SPARC shared object ($(head -1 lld.err)); using $gnu-ld"
		"$gnu-ld" -shared -o counter.so counter.o 2>ld.err || fail "$gnu-ld -shared: $(head -5 ld.err)"
	fi
	"$gnu-gcc" "${cflags[@]}" -rdynamic -o app "$root/examples/shared/main.c" \
		-Wl,--whole-archive "$rtlib" -Wl,--no-whole-archive -lpthread -ldl 2>link.err ||
		fail "link: $(head -5 link.err)"
	if nm counter.so 2>/dev/null | grep -q ' b2n_object_counter$'; then :; else
		nm -D counter.so | grep -q b2n_object_counter || fail "counter.so lacks b2n_object_counter"
	fi
	run=(./app ./counter.so)
	if [ -n "$qemu" ]; then
		[ -d "/usr/$gnu/lib" ] || skip "no /usr/$gnu/lib for the dynamic loader"
		qemu="$qemu -L /usr/$gnu"
	fi
	;;
multi)
	bpf ingress "$root/examples/multi/ingress.bpf.c" --types
	bpf egress "$root/examples/multi/egress.bpf.c" --types
	"$gnu-gcc" "${cflags[@]}" -static -pthread -o app "$root/examples/multi/main.c" ingress.o \
		egress.o "$rtlib" -lpthread 2>link.err ||
		fail "link: $(grep -v 'statically linked' link.err | head -5)"
	run=(./app)
	;;
object)
	"$gnu-gcc" "${cflags[@]}" -static -o app "$root/tests/linking/object_test.c" "$rtlib" \
		-lpthread -ldl 2>link.err || fail "link: $(grep -v 'statically linked' link.err | head -5)"
	run=(./app)
	;;
*)
	fail "unknown mode $mode"
	;;
esac
echo "== $mode on $target: ${qemu:+$qemu }${run[*]}"
$qemu "${run[@]}"
rc=$?
[ $rc -eq 0 ] || echo "FAIL: $mode on $target: exit status $rc"
exit $rc
