#!/bin/bash
# libpcap.sh - a static libpcap for a cross target, built from Debian's own
# source package with the target's cross gcc, cached in the build tree.
#
# Debian 12 has libpcap-dev for arm64, s390x and ppc64el as multiarch
# packages, but not for riscv64 and sparc64 (they live in debian-ports), and
# the multiarch libpcap.a would need the static dbus, libibverbs and libnl
# of the same architecture to link -static.  So every cross target gets the
# same thing: the bookworm source package `libpcap` (the version the host's
# libpcap-dev comes from, with Debian's patches), fetched once with
# `apt-get source --download-only` against a private deb-src list and
# private apt state under CACHE/apt (the system's apt configuration is not
# touched), unpacked with dpkg-source, and configured per target with
# --host=GNU --disable-shared and without the optional capture back ends
# (dbus, rdma, bluetooth, netmap, usb, libnl, remote capture).  Only
# libpcap.a and the headers are built and installed into CACHE/GNU.
#
# usage: libpcap.sh CACHE GNU      prints the install prefix on stdout
# Exit 77 (with "SKIP: reason") when the source cannot be had (no network,
# no flex/bison/dpkg-source); 1 when the build fails.  Concurrent calls
# (ctest -j) are serialised per step with flock.  Timings go to stderr.
set -u
cache=$1 gnu=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$cache" || fail "cannot create $cache"
cache=$(cd "$cache" && pwd)
for t in flex bison dpkg-source apt-get flock "$gnu-gcc" "$gnu-ar"; do
	command -v "$t" >/dev/null || skip "$t not installed (needed to build libpcap for $gnu)"
done

# --- the source, once ---------------------------------------------------
src=$cache/src/libpcap
exec 8>"$cache/src.lock"
flock 8
if [ ! -f "$src/.done" ]; then
	t0=$(now)
	apt=$cache/apt
	rm -rf "$apt" "$cache/src"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/src"
	# the deb-src twin of the system's first bookworm "deb" entry
	mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list \
		/etc/apt/sources.list.d/ 2>/dev/null | grep -v security | head -1 | tr -d ' ')
	: "${mirror:=http://deb.debian.org/debian}"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	signed=
	[ -f "$keyring" ] && signed="[signed-by=$keyring] "
	echo "deb-src $signed${mirror%/} bookworm main" >"$apt/sources.list"
	opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
		-o APT::Sandbox::User=root -o Acquire::Retries=3)
	apt-get "${opts[@]}" update >"$cache/apt-update.log" 2>&1 ||
		skip "apt-get update of the deb-src list failed: $(tail -1 "$cache/apt-update.log")"
	(cd "$cache/src" && apt-get "${opts[@]}" source --download-only libpcap) \
		>"$cache/apt-source.log" 2>&1 ||
		skip "apt-get source libpcap failed: $(tail -1 "$cache/apt-source.log")"
	dsc=$(ls "$cache"/src/libpcap_*.dsc 2>/dev/null | head -1)
	[ -n "$dsc" ] || fail "apt-get source left no .dsc in $cache/src"
	(cd "$cache/src" && dpkg-source --no-check -x "$(basename "$dsc")" libpcap) \
		>"$cache/dpkg-source.log" 2>&1 || fail "dpkg-source -x: $(tail -1 "$cache/dpkg-source.log")"
	rm -rf "$apt"
	touch "$src/.done"
	echo "libpcap: source $(basename "$dsc") fetched and unpacked in $(since "$t0") s" >&2
fi
flock -u 8

# --- the static library for GNU, once -----------------------------------
prefix=$cache/$gnu
exec 9>"$cache/$gnu.lock"
flock 9
if [ ! -f "$prefix/.done" ]; then
	t0=$(now)
	rm -rf "$prefix" "$cache/build-$gnu"
	cp -a "$src" "$cache/build-$gnu" || fail "copying the source"
	cd "$cache/build-$gnu" || exit 1
	./configure --host="$gnu" CC="$gnu-gcc" AR="$gnu-ar" RANLIB="$gnu-ranlib" \
		CFLAGS="-O2" --prefix="$prefix" --disable-shared --with-pcap=linux \
		--disable-usb --disable-netmap --disable-bluetooth --disable-dbus --disable-rdma \
		--disable-remote --without-libnl --without-dag --without-septel --without-snf \
		--without-turbocap >configure.log 2>&1 ||
		fail "libpcap configure for $gnu: $(tail -3 configure.log) (see $PWD/config.log)"
	make -j2 libpcap.a >make.log 2>&1 || fail "libpcap make for $gnu: $(tail -5 make.log)"
	mkdir -p "$prefix/lib" "$prefix/include/pcap" || exit 1
	cp libpcap.a "$prefix/lib/" && cp pcap.h pcap-bpf.h pcap-namedb.h "$prefix/include/" &&
		cp pcap/*.h "$prefix/include/pcap/" || fail "installing into $prefix"
	cd "$cache" && rm -rf "$cache/build-$gnu"
	head -1 "$src/debian/changelog" | sed 's/ .*(\(.*\)).*/\1/' >"$prefix/VERSION"
	touch "$prefix/.done"
	echo "libpcap: $gnu static library built in $(since "$t0") s" >&2
fi
flock -u 9
echo "$prefix"
