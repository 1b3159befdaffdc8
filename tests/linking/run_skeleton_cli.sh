#!/bin/bash
# run_skeleton_cli.sh - `bpf2native gen skeleton` on the command line: bad
# usage and bad input exit 1 with a diagnostic and leave no output file; a
# good object (examples/hello, no maps) gives a header that compiles as C11
# and as C++ with warnings as errors.
#
# usage: run_skeleton_cli.sh BPF2NATIVE SRC_ROOT WORK
set -u
b2n=$1 root=$2 work=$3
passes=0 fails=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
clang=$(command -v clang-19 || command -v clang) || { echo "SKIP: no clang-19"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

# expect_fail DESCRIPTION ARGS...: exit 1, a diagnostic, no out.h
expect_fail() {
	local what=$1
	shift
	rm -f out.h
	"$b2n" "$@" >stdout.txt 2>stderr.txt
	local rc=$?
	if [ $rc -ne 1 ]; then bad "$what: exit $rc, expected 1"; return; fi
	if ! grep -q error stderr.txt; then bad "$what: no diagnostic"; return; fi
	if [ -e out.h ]; then bad "$what: left out.h behind"; return; fi
	ok
}

"$clang" -target bpfel -O2 -g -c "$root/examples/hello/hello.bpf.c" -o hello.bpf.o ||
	{ echo "FAIL: clang hello.bpf.c"; exit 1; }
head -c 200 hello.bpf.o >trunc.o
echo "not an object" >text.o

expect_fail "gen without subcommand" gen
expect_fail "unknown gen subcommand" gen nothing
expect_fail "no input" gen skeleton -o out.h
expect_fail "unknown option" gen skeleton --bogus hello.bpf.o -o out.h
expect_fail "two inputs" gen skeleton hello.bpf.o hello.bpf.o -o out.h
expect_fail "missing input" gen skeleton /nonexistent/x.bpf.o -o out.h
expect_fail "truncated ELF" gen skeleton trunc.o -o out.h
expect_fail "-o without argument" gen skeleton hello.bpf.o -o

if "$b2n" gen skeleton hello.bpf.o -o out.h 2>stderr.txt; then ok; else bad "hello: $(cat stderr.txt)"; fi
printf '#include "out.h"\nint main(void)\n{\n\tstruct hello *s = hello__open();\n\thello__destroy(s);\n\treturn 0;\n}\n' >use.c
if gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$root/include" use.c 2>cc.err; then ok; else
	bad "C11: $(head -5 cc.err)"; fi
if g++ -Wall -Wextra -Werror -fsyntax-only -I"$root/include" -x c++ use.c 2>cc.err; then ok; else
	bad "C++: $(head -5 cc.err)"; fi
grep -q 'struct b2n_program \*hello_sum;' out.h && ok || bad "no progs.hello_sum member"
grep -q 'extern const struct b2n_abi_object b2n_object_hello;' out.h && ok || bad "no descriptor"
"$b2n" gen skeleton hello.bpf.o --object-name other -o out2.h 2>/dev/null &&
	grep -q 'struct other {' out2.h && grep -q 'b2n_object_other' out2.h && ok || bad "--object-name"
"$b2n" gen skeleton hello.bpf.o >stdout.h 2>/dev/null && cmp -s stdout.h out.h && ok || bad "stdout output"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
