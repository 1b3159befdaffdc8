#!/bin/sh
# example.sh BUILD_DIR [TARGET...] - the "main job" on examples/hello:
# compile hello.bpf.c with clang-19 (bpfel for little-endian targets, bpfeb
# for big-endian ones), turn it into a native object with bpf2native, link
# it with main.c and the target's runtime library using the target's gcc,
# and run it (under qemu-user for foreign targets).  Targets default to
# x86_64 and sparcv9; their gcc/qemu/byte order come from targets/targets.def.
# Exit status: 0 iff every target built, ran and printed the right value;
# 77 if a needed tool is missing.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: example.sh BUILD_DIR [TARGET...]}
shift
build=$(cd "$build" && pwd) || exit 2
[ $# -gt 0 ] || set -- x86_64 sparcv9
b2n=$build/bpf2native
ex=$here/examples/hello
out=$build/examples/hello
mkdir -p "$out" || exit 2
clang=$(command -v clang-19 || true)
if [ -z "$clang" ]; then
	echo "SKIPPED example: clang-19 not found (install clang-19)"
	exit 77
fi
status=0
for t in "$@"; do
	# X("name", "triple", "cpu", "features", BE, TAILCALL, "gnu", "qemu", "aliases")
	line=$(awk -F '"' -v t="$t" '/^X\(/ && $2 == t { gsub(/[ ,]/, "", $9); sub(/B2N.*/, "", $9); print $9, $10, ($12 == "" ? "-" : $12) }' \
		"$here/targets/targets.def")
	if [ -z "$line" ]; then
		echo "example: unknown target $t"
		status=1
		continue
	fi
	set -- $line "$@"
	be=$1 gnu=$2 qemu=$3
	shift 3
	[ "$qemu" = - ] && qemu=""
	bpf=bpfel
	[ "$be" = 1 ] && bpf=bpfeb
	cc=$(command -v "$gnu-gcc" || true)
	if [ -z "$cc" ]; then
		echo "SKIPPED example[$t]: $gnu-gcc not found"
		[ $status -eq 0 ] && status=77
		continue
	fi
	if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null 2>&1; then
		echo "SKIPPED example[$t]: $qemu not found (install qemu-user)"
		[ $status -eq 0 ] && status=77
		continue
	fi
	echo "== $t: clang-19 -target $bpf, bpf2native -target $t, $gnu-gcc${qemu:+, $qemu}"
	"$clang" -target $bpf -O2 -g -c "$ex/hello.bpf.c" -o "$out/hello.$bpf.o" &&
		"$b2n" -target "$t" --object-name hello "$out/hello.$bpf.o" -o "$out/hello.$t.o" &&
		"$cc" -O2 -static -DHELLO_TARGET="\"$t\"" -I"$ex" "$ex/main.c" "$out/hello.$t.o" \
			"$build/rt/$t/libb2n_rt.a" -o "$out/hello-$t" || {
		echo "example[$t]: build FAILED"
		status=1
		continue
	}
	if [ -n "$qemu" ]; then
		"$qemu" "$out/hello-$t" || { echo "example[$t]: run FAILED"; status=1; }
	else
		"$out/hello-$t" || { echo "example[$t]: run FAILED"; status=1; }
	fi
done
exit $status
