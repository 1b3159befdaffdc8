#!/bin/sh
# run.sh - ctest kverifier: the kernel's test_verifier suite through
# bpf2native's verifier.
#
# usage: run.sh SRCDIR WORKDIR KV_RUN CC [--write-baseline]
#   1. extract tools/testing/selftests/bpf/{test_verifier.c,verifier/,*.h}
#      from Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz,
#      installed by scripts/deps.sh) into WORKDIR, once;
#   2. build the dumper: test_verifier.c up to its tests[] array (structs,
#      macros and fill helpers), the array filled from verifier/*.c as the
#      kernel's Makefile does, probe_filter_length, and dump_main.c;
#   3. kv_run compares every applicable test's verdict with the kernel's
#      and checks SRCDIR/baseline.txt (--write-baseline rewrites it).
set -u
src=$(cd "$1" && pwd) kv_run=$3 cc=$4
work=$(mkdir -p "$2" && cd "$2" && pwd) || exit 1
tar=/usr/src/linux-source-6.1.tar.xz
[ -f "$tar" ] || { echo "SKIP: $tar not found (install linux-source-6.1: scripts/deps.sh)"; exit 77; }
sel=linux-source-6.1/tools/testing/selftests/bpf
if [ ! -f "$work/$sel/test_verifier.c" ] || [ ! -f "$work/linux-source-6.1/tools/include/linux/filter.h" ]; then
	echo "extracting test_verifier from $(dpkg-query -W -f='${Package} ${Version}' linux-source-6.1 2>/dev/null)"
	tar -xJf "$tar" -C "$work" --wildcards "$sel/test_verifier.c" "$sel/verifier/*.c" \
		"$sel/*.h" linux-source-6.1/tools/include/linux/filter.h ||
		{ echo "FAIL: cannot extract test_verifier from $tar"; exit 1; }
fi
gen=$work/kv_dump.c
sed -n '1,/^static struct bpf_test tests\[\] = {/p' "$work/$sel/test_verifier.c" >"$gen"
grep -q '^static struct bpf_test tests\[\] = {' "$gen" || { echo "FAIL: no tests[] in test_verifier.c"; exit 1; }
(cd "$work/$sel" && for f in verifier/*.c; do echo "#include \"$f\""; done) >"$work/tests.h"
printf '#define FILL_ARRAY\n#include "tests.h"\n#undef FILL_ARRAY\n};\n' >>"$gen"
sed -n '/^static int probe_filter_length/,/^}/p' "$work/$sel/test_verifier.c" >>"$gen"
cat "$src/dump_main.c" >>"$gen"
if ! "$cc" -O0 -w -I"$work" -I"$work/$sel" -o "$work/kv_dump" "$gen" 2>"$work/cc.err"; then
	echo "FAIL: building the test_verifier dumper failed:"
	head -20 "$work/cc.err"
	exit 1
fi
(cd "$work/$sel" && "$work/kv_dump") >"$work/dump.txt" || { echo "FAIL: the dumper failed"; exit 1; }
if [ "${5:-}" = --write-baseline ]; then
	exec "$kv_run" "$work/dump.txt" --write-baseline "$src/baseline.txt"
fi
exec "$kv_run" "$work/dump.txt" "$src/baseline.txt"
