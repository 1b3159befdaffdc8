#!/bin/bash
# run.sh - build and run the xdp-pcap example for one target, and compare
# its report with expected.txt; or run the kernel checker on the host.
#
# usage: run.sh TARGET GNU QEMU BIG_ENDIAN BPF2NATIVE RUNTIME_LIB SRC_ROOT WORK PCAP_CACHE
#        run.sh kernel SRC_ROOT WORK
#
# Target mode, with the command line tools as a user would:
#   1. the host's gcc builds gen_pcap (host libpcap) and writes sample.pcap;
#   2. clang-19 builds xdp_pcap.bpf.c (-target bpfel, bpfeb for big-endian
#      targets), bpf2native compiles it for TARGET and writes the skeleton;
#   3. libpcap: the host's (libpcap-dev) on x86_64; for a cross target the
#      static library libpcap.sh builds from Debian's source package with
#      the target's gcc, cached in PCAP_CACHE;
#   4. the target's gcc links main.c, report.c, the native object, the
#      runtime and libpcap (statically for cross targets) and the app runs
#      over sample.pcap, under qemu-user for cross targets;
#   5. its output must equal expected.txt (verdict counts, the hash of the
#      output packets, every map, the redirect targets).
# Kernel mode: kernel_check runs the bpfel object in the running kernel
# (BPF_PROG_TEST_RUN) over the same sample.pcap; its output must equal
# expected.txt without the redirect-target lines (the kernel's test run
# does not say where a redirect goes).  Each step prints its time.
# Exits 77 (skipped, with the reason) when a tool is missing or bpf() is
# not permitted.
set -u
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
step() { echo "-- $1: $(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"; }

if [ "$1" = kernel ]; then
	target=kernel root=$2 work=$3
else
	target=$1 gnu=$2 qemu=$3 be=$4 b2n=$5 rtlib=$6 root=$7 work=$8 pcache=$9
fi
ex=$root/examples/xdp-pcap
clang=$(command -v clang-19 || command -v clang) || skip "clang-19 not installed"
echo '#include <pcap/pcap.h>' | gcc -E -x c - >/dev/null 2>&1 ||
	skip "libpcap-dev not installed (no <pcap/pcap.h> for the host)"
asm_inc=/usr/include/$(gcc -print-multiarch 2>/dev/null)
[ -f "$asm_inc/asm/types.h" ] || asm_inc=$(dirname "$(dirname "$(ls /usr/include/*/asm/types.h | head -1)")")

rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"
cd "$work" || exit 1
cflags=(-O2 -Wall -Wextra -Werror -I"$ex" -I"$work")

t=$(now)
gcc "${cflags[@]}" -o gen_pcap "$ex/gen_pcap.c" -lpcap 2>gen.err || fail "gen_pcap: $(head -5 gen.err)"
./gen_pcap sample.pcap || fail "gen_pcap failed"
step "sample.pcap" "$t"

bpf=bpfel
[ "$target" != kernel ] && [ "$be" = 1 ] && bpf=bpfeb
t=$(now)
"$clang" -target $bpf -O2 -g -Wall -idirafter "$asm_inc" -I"$ex" -c "$ex/xdp_pcap.bpf.c" \
	-o xdp_pcap.bpf.o 2>clang.err || fail "clang -target $bpf: $(head -5 clang.err)"
step "clang -target $bpf" "$t"

if [ "$target" = kernel ]; then
	t=$(now)
	gcc "${cflags[@]}" -o kernel_check "$ex/kernel_check.c" "$ex/report.c" -lbpf -lpcap \
		2>kc.err || fail "kernel_check: $(head -5 kc.err)"
	./kernel_check xdp_pcap.bpf.o sample.pcap >out.txt 2>run.err
	rc=$?
	[ $rc -eq 77 ] && skip "$(cat out.txt)"
	[ $rc -eq 0 ] || fail "kernel_check: exit $rc: $(head -5 run.err)"
	step "kernel BPF_PROG_TEST_RUN" "$t"
	grep -v '^redirect-target ' "$ex/expected.txt" >expected.txt
else
	command -v "$gnu-gcc" >/dev/null || skip "$gnu-gcc not installed"
	if [ -n "$qemu" ]; then command -v "$qemu" >/dev/null || skip "$qemu not installed"; fi
	[ -f "$rtlib" ] || skip "runtime for $target not built: $rtlib missing"
	[ -x "$b2n" ] || fail "$b2n missing"
	t=$(now)
	"$b2n" -target "$target" --object-name xdp_pcap -o xdp_pcap.o xdp_pcap.bpf.o 2>b2n.err ||
		fail "bpf2native -target $target: $(head -5 b2n.err)"
	"$b2n" gen skeleton xdp_pcap.bpf.o --object-name xdp_pcap -o xdp_pcap.skel.h 2>skel.err ||
		fail "gen skeleton: $(head -5 skel.err)"
	step "bpf2native -target $target + skeleton" "$t"
	if [ -z "$qemu" ]; then
		pcap_inc=() pcap_lib=(-lpcap) static=()
		echo "-- libpcap: the host's, $(dpkg-query -W -f='${Package} ${Version}' libpcap0.8-dev 2>/dev/null)"
	else
		t=$(now)
		prefix=$(bash "$ex/libpcap.sh" "$pcache" "$gnu")
		rc=$?
		[ $rc -eq 77 ] && skip "libpcap for $gnu: $prefix"
		[ $rc -eq 0 ] || fail "libpcap for $gnu could not be built"
		pcap_inc=(-I"$prefix/include") pcap_lib=("$prefix/lib/libpcap.a") static=(-static)
		step "libpcap $(cat "$prefix/VERSION") for $gnu (Debian source, static; cached)" "$t"
	fi
	t=$(now)
	"$gnu-gcc" "${cflags[@]}" "${pcap_inc[@]}" -I"$root/include" "${static[@]}" -o xdp-pcap \
		"$ex/main.c" "$ex/report.c" xdp_pcap.o "$rtlib" "${pcap_lib[@]}" -lpthread \
		2>link.err || fail "link: $(grep -v 'statically linked\|getaddrinfo\|getpw\|gethostby\|getservby\|getproto\|getnet' link.err | head -5)"
	step "$gnu-gcc link" "$t"
	t=$(now)
	$qemu ./xdp-pcap sample.pcap >out.txt 2>run.err
	rc=$?
	[ $rc -eq 0 ] || fail "${qemu:+$qemu }./xdp-pcap sample.pcap: exit $rc: $(head -5 run.err)"
	step "${qemu:+$qemu }./xdp-pcap sample.pcap" "$t"
	cp "$ex/expected.txt" expected.txt
fi
cat out.txt
if ! diff -u expected.txt out.txt >diff.txt; then
	echo "FAIL: $target: the report differs from examples/xdp-pcap/expected.txt:"
	cat diff.txt
	exit 1
fi
echo "$target: report equals expected.txt"
