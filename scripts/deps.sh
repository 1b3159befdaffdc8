#!/bin/sh
# deps.sh - the one list of Debian 12 packages bpf2native needs, and an
# installer for the missing ones.  Sourced by quickstart.sh and
# test-all.sh; run directly (as root) it just installs.
#
# Why each package is needed:
#   cmake make gcc libc6-dev pkg-config   build the compiler (C11, CMake >= 3.25)
#   llvm-19-dev                           libLLVM's C API: IR, passes, codegen
#   clang-19 lld-19                       BPF C examples and ELF tests (clang -target bpf*)
#   libelf-dev libbpf-dev                 reading BPF ELF objects (frontend/elf.c)
#   zlib1g-dev libzstd-dev                libelf/libLLVM link dependencies
#   gcc-bpf                               GCC-built BPF objects in the ELF tests
#   qemu-user                             running the five foreign targets
#   linux-source-6.1                      test data: the kernel's test_verifier suite
#                                         (tests/kverifier extracts it at test time)
#   libclang-rt-19-dev                    clang-19's libFuzzer and sanitizer runtimes
#                                         (tests/fuzz, scripts/fuzz.sh)
#   libpcap-dev                           examples/xdp-pcap: the host app, its pcap
#                                         generator and kernel checker
#   flex bison dpkg-dev                   examples/xdp-pcap/libpcap.sh: a static libpcap
#                                         per cross target, built from Debian's
#                                         source package (apt-get source, dpkg-source)
#   libdpdk-dev                           bench/: DPDK's librte_bpf JIT and
#                                         interpreter, a peer in the benchmarks
#   gcc-<arch>-linux-gnu libc6-dev-<debarch>-cross
#                                         cross-building the runtime, the test
#                                         harnesses and the examples per target
B2N_DEB_PACKAGES="cmake make gcc libc6-dev pkg-config binutils
llvm-19-dev clang-19 lld-19
libelf-dev libbpf-dev zlib1g-dev libzstd-dev
gcc-bpf qemu-user libdpdk-dev libclang-rt-19-dev
libpcap-dev flex bison dpkg-dev linux-source-6.1
gcc-aarch64-linux-gnu libc6-dev-arm64-cross
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
gcc-sparc64-linux-gnu libc6-dev-sparc64-cross
gcc-s390x-linux-gnu libc6-dev-s390x-cross
gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross"

# b2n_install_deps: apt-get update + install of the packages not yet
# installed (nothing is touched when all are there).  Needs root.
b2n_install_deps() {
	missing=""
	for p in $B2N_DEB_PACKAGES; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed'; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		echo "deps: all $(echo $B2N_DEB_PACKAGES | wc -w) packages already installed"
		return 0
	fi
	echo "deps: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: error: installing packages needs root (run this script as root)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update </dev/null || return 1
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing </dev/null || return 1
}

# run directly: install
case $0 in
*deps.sh) b2n_install_deps ;;
esac
