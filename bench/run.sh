#!/bin/sh
# run.sh - the whole benchmark suite in one command (x86_64 host).
#
# Builds what it needs in a build directory, then runs three parts:
#   1. the program suite (runner.c): progs/*.bpf.c on native C, bpf2native,
#      the kernel JIT, DPDK's librte_bpf JIT and interpreter, and the
#      reference interpreter, with medians, ratios, code sizes, a CSV;
#   2. compile time and peak memory of bpf2native -O2 on generated
#      programs of 1k, 10k and 100k instructions (1M on request, see
#      --sizes) (compile.c);
#   3. the tail-call benchmark (tailcall/run.sh).
# Results go to BUILD/bench/ (results.txt, results.csv, compile.csv;
# BUILD/bench-smoke/ for --smoke).
# The exit status is non-zero when a part fails to run or when a peer's
# result differs from native/kernel (never because of a timing); 77 when
# this machine cannot run the suite (not x86_64, no DPDK, no CAP_BPF).
#
# usage: bench/run.sh [--smoke] [--build DIR] [--sizes "N..."]
#   --smoke     every part once, with tiny repeat counts (the ctest)
#   --build DIR a bpf2native build tree (default: $B2N_BUILD, else
#               <repo>/build); configured and built here when it lacks
#               bpf2native or the x86_64 runtime
#   --sizes     instruction counts of the compile-time part (default
#               "1000 10000 100000"; smoke "1000 10000"; the 1M program
#               does not compile in 10 minutes yet: --sizes "... 1000000",
#               killed after B2N_COMPILE_LIMIT seconds, default 600)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
smoke=0
build=${B2N_BUILD:-$repo/build}
sizes=""
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--build) build=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	*) echo "usage: $0 [--smoke] [--build DIR] [--sizes \"N...\"]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$sizes" ] || { [ $smoke = 1 ] && sizes="1000 10000" || sizes="1000 10000 100000"; }

skip() { echo "SKIPPED bench: $*"; exit 77; }
die() { echo "bench: error: $*" >&2; exit 1; }

case $(uname -m) in
x86_64 | amd64) ;;
*) skip "the suite measures x86_64 against the host kernel; this is $(uname -m)" ;;
esac
clang=$(command -v clang-19) || skip "clang-19 not found"
pkg-config --exists libdpdk 2>/dev/null && [ -f /usr/include/dpdk/rte_bpf.h ] ||
	skip "DPDK's librte_bpf not found (Debian package libdpdk-dev, see scripts/deps.sh)"

# ---- build ----------------------------------------------------------------
mkdir -p "$build"
build=$(cd "$build" && pwd)
rt=$build/rt/x86_64/libb2n_rt.a
if [ ! -x "$build/bpf2native" ] || [ ! -f "$rt" ]; then
	echo "bench: building bpf2native and the x86_64 runtime in $build"
	[ -f "$build/CMakeCache.txt" ] || cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
		die "cmake configure failed"
	cmake --build "$build" -j2 --target bpf2native b2n_rt_x86_64 >/dev/null || die "build failed"
fi
b2n=$build/bpf2native
out=$build/bench
[ $smoke = 1 ] && out=$build/bench-smoke # a smoke run leaves the full results alone
mkdir -p "$out"
multi=$(cc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
cflags="-std=c11 -O2 -Wall -Wextra -Werror"

echo "bench: compiling the programs"
for f in xdp raw; do
	"$clang" -target bpfel -O2 -g -Wall -Werror -idirafter "/usr/include/$multi" \
		-c "$here/progs/$f.bpf.c" -o "$out/$f.bpf.o" || die "clang-19 -target bpf failed on progs/$f.bpf.c"
	"$b2n" -O2 -target x86_64 --object-name "bench$f" "$out/$f.bpf.o" -o "$out/bench$f.o" ||
		die "bpf2native failed on progs/$f.bpf.c"
done
readelf -sW "$out/benchxdp.o" "$out/benchraw.o" | awk '$4 == "FUNC" { print $3, $8 }' >"$out/sizes.txt"
# shellcheck disable=SC2046,SC2086
"$clang" $cflags -c "$here/native.c" -o "$out/native.o" &&
	"$clang" $cflags $(pkg-config --cflags libdpdk) -I"$repo/include" -I"$here" \
		-c "$here/runner.c" -o "$out/runner.o" &&
	"$clang" -o "$out/runner" "$out/runner.o" "$out/native.o" "$out/benchxdp.o" \
		"$out/benchraw.o" "$rt" -lbpf -lelf -lz -lrte_bpf -lrte_eal -lm -lpthread &&
	"$clang" $cflags -o "$out/compile" "$here/compile.c" || die "building the runner failed"

status=0

# ---- 1. the program suite ----------------------------------------------------
echo "bench: 1. programs (native, bpf2native, kernel, DPDK, interpreter)$([ $smoke = 1 ] && echo ', smoke')"
mode=""
[ $smoke = 1 ] && mode=--smoke
"$out/runner" "$out/xdp.bpf.o" "$out/raw.bpf.o" "$out/sizes.txt" "$out/results.csv" $mode \
	>"$out/results.txt" 2>"$out/runner.err"
rc=$?
cat "$out/results.txt"
if [ $rc = 77 ]; then
	skip "$(tail -1 "$out/results.txt")"
elif [ $rc != 0 ]; then
	grep -v "Retrying without BTF\|bpf_create_map_xattr" "$out/runner.err" | tail -20 >&2
	echo "bench: FAILED: the program suite (status $rc)"
	status=1
fi

# ---- 2. compile time -----------------------------------------------------
echo
echo "bench: 2. compile time and peak memory of bpf2native -O2 (generated raw programs)"
# shellcheck disable=SC2086
"$out/compile" "$b2n" "$out" "$out/compile.csv" $sizes | tee "$out/compile.txt"
[ -s "$out/compile.txt" ] && ! grep -q FAILED "$out/compile.txt" || {
	echo "bench: FAILED: compile-time part"
	status=1
}

# ---- 3. tail calls ---------------------------------------------------------
echo
echo "bench: 3. tail calls (bench/tailcall)"
if [ $smoke = 1 ]; then
	sh "$here/tailcall/run.sh" "$build" 1000 1 || { echo "bench: FAILED: tailcall"; status=1; }
else
	sh "$here/tailcall/run.sh" "$build" || { echo "bench: FAILED: tailcall"; status=1; }
fi

echo
[ $status = 0 ] && echo "bench: all parts ran; results in $out" || echo "bench: FAILED"
exit $status
