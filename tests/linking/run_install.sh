#!/bin/bash
# run_install.sh - the installed package, used from outside the build tree:
# `cmake --install` into a temporary prefix, then examples/static, shared
# and multi configured as standalone projects with find_package(bpf2native)
# and bpf2native_add_object / bpf2native_add_shared_object, built and run
# (x86_64 host; examples/static also cross-built for aarch64 and run under
# qemu-aarch64 when available), and the pkg-config file used to build the
# static example by hand.
#
# usage: run_install.sh CMAKE BUILD_DIR SRC_ROOT WORK
set -u
cmake=$1 build=$2 root=$3 work=$4
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(uname -m)" = x86_64 ] || skip "the out-of-tree test builds for an x86_64 host"
fails=0 passes=0
rm -rf "$work" && mkdir -p "$work" || exit 1
prefix=$work/prefix

"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
	{ echo "FAIL: cmake --install: $(tail -5 "$work/install.log")"; exit 1; }
for f in bin/bpf2native lib/libb2n_rt.a include/bpf2native/libb2n.h include/bpf2native/helpers.def \
	lib/cmake/bpf2native/bpf2native-config.cmake lib/cmake/bpf2native/bpf2native-config-version.cmake \
	lib/cmake/bpf2native/Bpf2nativeFunctions.cmake lib/pkgconfig/libb2n.pc; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
ls "$prefix"/lib/bpf2native/*/libb2n_rt.a >/dev/null 2>&1 || fail "no per-target runtime installed"

# example NAME BINARY_DIR EXTRA_CMAKE_ARGS... -- RUN...
example() {
	local ex=$1 dir=$2
	shift 2
	local args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	if ! "$cmake" -S "$root/examples/$ex" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" "${args[@]}" \
		>"$dir.configure.log" 2>&1; then
		fail "$ex: configure: $(grep -i -A3 error "$dir.configure.log" | head -8)"
		return
	fi
	if ! "$cmake" --build "$dir" >"$dir.build.log" 2>&1; then
		fail "$ex: build: $(grep -i -B2 -A3 error "$dir.build.log" | head -12)"
		return
	fi
	echo "== $ex: $*"
	if (cd "$dir" && "$@"); then passes=$((passes + 1)); else fail "$ex: run $*"; fi
}

example static "$work/static" -- ./counter_static
example shared "$work/shared" -- ./counter_shared bpf2native/x86_64/counter.so
example multi "$work/multi" -- ./multi
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null &&
	[ -f "$prefix/lib/bpf2native/aarch64/libb2n_rt.a" ]; then
	example static "$work/static-aarch64" -DCMAKE_SYSTEM_NAME=Linux \
		-DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc \
		-DCMAKE_EXE_LINKER_FLAGS=-static -DB2N_EXAMPLE_TARGET=aarch64 -- \
		qemu-aarch64 ./counter_static
else
	echo "note: aarch64 cross build of the out-of-tree example skipped (no cross gcc or qemu)"
fi

# pkg-config: the runtime's flags, with the object and skeleton built above
if command -v pkg-config >/dev/null && [ -f "$work/static/bpf2native/x86_64/counter.o" ]; then
	flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs libb2n) ||
		fail "pkg-config libb2n"
	echo "== pkg-config: $flags"
	if gcc -O1 -Wall -Werror -I"$root/examples/static" -I"$work/static/bpf2native/x86_64" \
		-o "$work/pc_app" "$root/examples/static/main.c" "$work/static/bpf2native/x86_64/counter.o" \
		$flags 2>"$work/pc.log" && "$work/pc_app"; then
		passes=$((passes + 1))
	else
		fail "pkg-config build/run: $(head -5 "$work/pc.log")"
	fi
else
	echo "note: pkg-config check skipped (no pkg-config or no object)"
fi
echo "install: $passes passed, $fails failed"
[ $fails -eq 0 ] && [ $passes -gt 0 ]
