#!/bin/sh
# quickstart.sh - from a fresh Debian 12 clone to the main job, as root:
#   1. install the missing packages (scripts/deps.sh),
#   2. configure and build bpf2native (build/),
#   3. compile examples/hello/hello.bpf.c with clang-19 for bpfel and bpfeb,
#      turn it into native code for x86_64 and sparcv9 with bpf2native, link
#      both and run them (sparcv9 under qemu-sparc64), printing the results.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
b2n_install_deps
build=${B2N_BUILD_DIR:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DB2N_WERROR=OFF
cmake --build "$build" -j "$jobs" --target bpf2native b2n_rt_x86_64 b2n_rt_sparcv9
echo
echo "== bpf2native $("$build/bpf2native" --version 2>&1 | head -n1)"
sh "$root/scripts/example.sh" "$build" x86_64 sparcv9
