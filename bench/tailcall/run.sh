#!/bin/sh
# run.sh - build and run the tail-call benchmark (bench_tailcall.c) on an
# x86_64 host: clang-19 compiles bench.bpf.c, bpf2native compiles it for
# x86_64, the host gcc links the native object, the x86_64 runtime and
# libbpf into one program, which times the same chains natively and in the
# kernel (BPF_PROG_TEST_RUN; needs CAP_BPF, else only native figures).
# A benchmark, not a test: it is not registered with ctest.
#
# usage: bench/tailcall/run.sh [BUILD_DIR [ITERS [REPS]]]
#   BUILD_DIR  a configured and built bpf2native build tree (default:
#              $B2N_BUILD, else <repo>/build); ITERS runs per repetition
#              (default 1000000), REPS repetitions (default 11, median).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-${B2N_BUILD:-$repo/build}}
iters=${2:-1000000}
reps=${3:-11}
build=$(cd "$build" && pwd)

case $(uname -m) in
x86_64 | amd64) ;;
*) echo "run.sh: the benchmark needs an x86_64 host" >&2; exit 1 ;;
esac
b2n=$build/bpf2native
[ -x "$b2n" ] || b2n=$(find "$build" -maxdepth 2 -name bpf2native -type f -perm -u+x | head -1)
rt=$build/rt/x86_64/libb2n_rt.a
[ -x "$b2n" ] || { echo "run.sh: bpf2native not found in $build (build it first)" >&2; exit 1; }
[ -f "$rt" ] || { echo "run.sh: $rt not found (build it first)" >&2; exit 1; }
clang=$(command -v clang-19 || command -v clang)
cc=${CC:-cc}

work=$build/bench-tailcall
mkdir -p "$work"
multi=$("$cc" -print-multiarch 2>/dev/null || true)
"$clang" -target bpfel -O2 -g -Wall -Werror ${multi:+-idirafter /usr/include/$multi} \
	-c "$here/bench.bpf.c" -o "$work/bench.bpf.o"
# The native side: bench.bpf.c itself; if this bpf2native cannot compile it
# (an ELF frontend without map support), the asm fallback bench_step.s.
if "$b2n" -target x86_64 --object-name bench -o "$work/bench.o" "$work/bench.bpf.o" \
	2>"$work/bench.err"; then
	natives=$work/bench.o
else
	echo "run.sh: bpf2native refused bench.bpf.o; native side from bench_step.s:" >&2
	head -3 "$work/bench.err" >&2
	"$b2n" -target x86_64 -o "$work/bench_step.o" "$here/bench_step.s"
	"$b2n" -target x86_64 -o "$work/bench_empty.o" "$here/bench_empty.s"
	natives="$work/bench_step.o $work/bench_empty.o"
fi
# shellcheck disable=SC2086
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -I"$repo/include" -o "$work/bench_tailcall" \
	"$here/bench_tailcall.c" $natives "$rt" -lbpf -lelf -lz -lpthread
"$work/bench_tailcall" "$work/bench.bpf.o" "$iters" "$reps"
