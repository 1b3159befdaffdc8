/*
 * kernels.h - the compute kernels of the benchmark suite, one static
 * inline function each over an input buffer [d, end).
 *
 * The same C is compiled three ways: for BPF inside an XDP program
 * (xdp.bpf.c: d/end are the packet), for BPF as a ctx-free program whose
 * r1 is the buffer (raw.bpf.c: what DPDK's librte_bpf and our
 * interpreter run), and natively with clang-19 -O2 (native.c: the
 * physical limit).  Every kernel checks its own bounds against `end`
 * exactly as an XDP program must, so the three builds do the same work.
 * Each returns a 64-bit result that the runner compares between peers.
 *
 * The input (made by runner.c, B_IN_LEN bytes): Ethernet + IPv4 + TCP
 * headers (0..53), an HTTP request line (54..127), and a sorted table of
 * 32 little-endian u32 range starts (128..255) for the LPM lookup.
 *
 * Only the kernels that need helpers (bpf_loop, maps, tail calls) live in
 * xdp.bpf.c; bpf_loop's callback body is here (b_loop_step) so that the
 * native build runs the same step in a plain for loop.
 */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H

#include <linux/types.h>

#define B_IN_LEN 256
#define B_PAY_OFF 54
#define B_LPM_OFF 128
#define B_LPM_N 32

#ifndef B_INLINE
#define B_INLINE static inline __attribute__((always_inline))
#endif

/* For BPF only: hide a value from clang, so that it does not turn
 * `bit * K` into a branch, or a mask the kernel's verifier forks on (its
 * state count explodes over 512 such forks); native code is left alone. */
#ifdef __bpf__
#define B_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define B_OPAQUE(x) ((void)0)
#endif

#define B_NEED(p, n)                                                                               \
	do {                                                                                       \
		if ((const __u8 *)(p) + (n) > end)                                                 \
			return 0;                                                                  \
	} while (0)

static inline __attribute__((always_inline)) __u16 b_ld16be(const __u8 *p)
{
	return (__u16)((p[0] << 8) | p[1]);
}

/* Plain (possibly unaligned) loads, as XDP code does through header
 * structs: x86_64 and the BPF JITs allow them. */
static inline __attribute__((always_inline)) __u32 b_ld32(const __u8 *p)
{
	return *(const __u32 *)p;
}

/* ---- 1. FNV-1a, 64-bit, over the whole input ------------------------- */
B_INLINE __u64 k_fnv1a(const __u8 *d, const __u8 *end)
{
	B_NEED(d, B_IN_LEN);
	__u64 h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < B_IN_LEN; i++) {
		h ^= d[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- 2. CRC32 (IEEE, reflected), bitwise, over 64 bytes ------------- */
B_INLINE __u64 k_crc32(const __u8 *d, const __u8 *end)
{
	B_NEED(d, 64);
	__u32 crc = 0xffffffffu;
	for (int i = 0; i < 64; i++) {
		crc ^= d[i];
		for (int b = 0; b < 8; b++) {
			__u32 bit = crc & 1;
			B_OPAQUE(bit);
			crc = (crc >> 1) ^ (bit * 0xedb88320u);
		}
	}
	return ~crc;
}

/* ---- 3. bounded sort: bubble sort of 32 u32 from the headers -------- */
B_INLINE __u64 k_sort(const __u8 *d, const __u8 *end)
{
	__u32 a[32];
	B_NEED(d, 128);
	for (int i = 0; i < 32; i++)
		a[i] = b_ld32(d + 4 * i);
#pragma clang loop unroll(disable)
	for (int i = 0; i < 31; i++) {
#pragma clang loop unroll(disable)
		for (int j = 0; j < 31 - i; j++) {
			/* branchless compare-exchange: BPF has no setcc or
			 * cmov, and a branch per step makes the kernel's
			 * verifier walk every path */
			__u32 x = a[j], y = a[j + 1];
			__u64 m = (__u64)((__s64)((__u64)x - (__u64)y) >> 63); /* x < y */
			__u32 lo = y ^ ((x ^ y) & (__u32)m);
			a[j] = lo;
			a[j + 1] = x ^ y ^ lo;
		}
	}
	__u64 s = 0;
	for (int i = 0; i < 32; i++)
		s = s * 31 + a[i];
	return s;
}

/* ---- 4. packet parsing: eth (+VLAN) / IPv4 or IPv6 / TCP or UDP ----- */
B_INLINE __u64 k_parse(const __u8 *d, const __u8 *end)
{
	B_NEED(d, 14);
	__u16 proto = b_ld16be(d + 12);
	const __u8 *p = d + 14;
	if (proto == 0x8100 || proto == 0x88a8) {
		B_NEED(p, 4);
		proto = b_ld16be(p + 2);
		p += 4;
	}
	__u32 saddr, daddr;
	__u8 l4;
	if (proto == 0x0800) {
		B_NEED(p, 20);
		if ((p[0] >> 4) != 4)
			return 1;
		__u32 ihl = (p[0] & 15) * 4u;
		if (ihl < 20)
			return 1;
		if (b_ld16be(p + 6) & 0x3fff) /* fragment */
			return 2;
		l4 = p[9];
		saddr = b_ld32(p + 12);
		daddr = b_ld32(p + 16);
		p += ihl;
	} else if (proto == 0x86dd) {
		B_NEED(p, 40);
		l4 = p[6];
		saddr = b_ld32(p + 8) ^ b_ld32(p + 20);
		daddr = b_ld32(p + 24) ^ b_ld32(p + 36);
		p += 40;
	} else {
		return 3;
	}
	__u32 ports;
	if (l4 == 6) {
		B_NEED(p, 20);
		ports = b_ld32(p);
		if ((p[12] >> 4) < 5)
			return 4;
		if (p[13] & 0x02) /* SYN */
			ports ^= 0x5a5a;
	} else if (l4 == 17) {
		B_NEED(p, 8);
		ports = b_ld32(p);
		if (b_ld16be(p + 4) < 8)
			return 4;
	} else {
		return 5;
	}
	__u64 k = ((__u64)saddr << 32 | daddr) ^ ((__u64)ports << 8) ^ l4;
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	return k ^ (k >> 32);
}

/* ---- 5. packet rewriting: MAC swap + source NAT, checksums updated --- */
B_INLINE __u16 b_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') over the 16-bit words of a u32. */
B_INLINE __u16 b_csum_replace4(__u16 csum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~csum;
	s += (__u16) ~(from >> 16) + (__u16) ~(from & 0xffff);
	s += (to >> 16) + (to & 0xffff);
	return (__u16)~b_csum_fold(s);
}

B_INLINE __u64 k_rewrite(__u8 *d, const __u8 *end)
{
	B_NEED(d, 54);
	if (b_ld16be(d + 12) != 0x0800 || d[14] != 0x45 || d[23] != 6)
		return 1;
	/* MAC swap */
	__u8 t[6];
	__builtin_memcpy(t, d, 6);
	__builtin_memcpy(d, d + 6, 6);
	__builtin_memcpy(d + 6, t, 6);
	/* SNAT to 10.1.2.3 (the words are handled in network order) */
	__u32 from = (__u32)b_ld16be(d + 26) << 16 | b_ld16be(d + 28);
	__u32 to = 0x0a010203;
	d[26] = 10, d[27] = 1, d[28] = 2, d[29] = 3;
	__u16 ic = b_csum_replace4(b_ld16be(d + 24), from, to);
	d[24] = (__u8)(ic >> 8), d[25] = (__u8)ic;
	__u16 tc = b_csum_replace4(b_ld16be(d + 50), from, to);
	d[50] = (__u8)(tc >> 8), d[51] = (__u8)tc;
	/* TTL decrement with its checksum update */
	d[22]--;
	__u16 ic2 = b_csum_replace4(ic, (__u32)(d[22] + 1) << 8, (__u32)d[22] << 8);
	d[24] = (__u8)(ic2 >> 8), d[25] = (__u8)ic2;
	return (__u64)ic2 << 16 | tc;
}

/* ---- 6. LPM-style lookup: binary search in a sorted range table ----- */
/* The table (32 sorted u32 range starts, a flattened prefix table) is
 * in the input at B_LPM_OFF; the key is the IPv4 destination address.
 * Returns the 1-based index of the range holding the key, 0 if none. */
B_INLINE __u64 k_lpm(const __u8 *d, const __u8 *end)
{
	B_NEED(d, B_LPM_OFF + 4 * B_LPM_N);
	__u32 key = (__u32)b_ld16be(d + 30) << 16 | b_ld16be(d + 32);
	const __u8 *tab = d + B_LPM_OFF;
	__u32 lo = 0;
#pragma clang loop unroll(full)
	for (__u32 step = B_LPM_N / 2; step > 0; step /= 2) {
		__u32 i = (lo + step) & (B_LPM_N - 1);
		if (b_ld32(tab + 4 * i) <= key)
			lo = i;
	}
	lo &= B_LPM_N - 1;
	if (b_ld32(tab + 4 * lo) > key)
		return 0;
	return lo + 1;
}

/* ---- 7. jhash (Bob Jenkins' lookup3 final mix) over the 5-tuple ----- */
#define B_ROL32(x, k) (((x) << (k)) | ((x) >> (32 - (k))))
B_INLINE __u64 k_jhash(const __u8 *d, const __u8 *end)
{
	B_NEED(d, 38);
	__u32 a = b_ld32(d + 26), b = b_ld32(d + 30), c = b_ld32(d + 34);
	__u32 init = 0xdeadbeef + (3 << 2) + 0x9e3779b9;
	a += init, b += init, c += init;
	c ^= b;
	c -= B_ROL32(b, 14);
	a ^= c;
	a -= B_ROL32(c, 11);
	b ^= a;
	b -= B_ROL32(a, 25);
	c ^= b;
	c -= B_ROL32(b, 16);
	a ^= c;
	a -= B_ROL32(c, 4);
	b ^= a;
	b -= B_ROL32(a, 14);
	c ^= b;
	c -= B_ROL32(b, 24);
	__u32 h1 = c;
	/* second round keyed by the first (a 2-level hash, like a table
	 * lookup then a bucket hash) */
	a = b_ld32(d + 12) + h1, b = b_ld32(d + 22) + h1, c = d[23] + h1;
	c ^= b;
	c -= B_ROL32(b, 14);
	a ^= c;
	a -= B_ROL32(c, 11);
	b ^= a;
	b -= B_ROL32(a, 25);
	c ^= b;
	c -= B_ROL32(b, 16);
	a ^= c;
	a -= B_ROL32(c, 4);
	b ^= a;
	b -= B_ROL32(a, 14);
	c ^= b;
	c -= B_ROL32(b, 24);
	return (__u64)h1 << 32 | c;
}

/* ---- 8. memcmp/strcmp: match the request against 8 method names ---- */
/* strncmp-style, early exit per name at the first difference; the
 * names are compile-time constants (no .rodata once unrolled). */
#define B_KW(s) s, sizeof(s) - 1
#define B_CH(k) (n <= (k) || p[k] == (__u8)s[k])
B_INLINE int b_strneq(const __u8 *p, const char *s, int n)
{
	return B_CH(0) && B_CH(1) && B_CH(2) && B_CH(3) && B_CH(4) && B_CH(5) && B_CH(6) && B_CH(7);
}

B_INLINE __u64 k_strmatch(const __u8 *d, const __u8 *end)
{
	const __u8 *p = d + B_PAY_OFF;
	B_NEED(p, 16);
	__u64 m = 0;
	m |= (__u64)b_strneq(p, B_KW("GET ")) << 0;
	m |= (__u64)b_strneq(p, B_KW("POST ")) << 1;
	m |= (__u64)b_strneq(p, B_KW("PUT ")) << 2;
	m |= (__u64)b_strneq(p, B_KW("DELETE ")) << 3;
	m |= (__u64)b_strneq(p, B_KW("HEAD ")) << 4;
	m |= (__u64)b_strneq(p, B_KW("OPTIONS ")) << 5;
	m |= (__u64)b_strneq(p, B_KW("PATCH ")) << 6;
	m |= (__u64)b_strneq(p, B_KW("CONNECT ")) << 7;
	/* strcmp of the version token ("HTTP/1.1") at a variable place:
	 * after the first space that follows the URI */
	m |= (__u64)b_strneq(p + 8, B_KW("HTTP/1.1")) << 8;
	return m;
}

/* ---- 9. switch-heavy state machine: an HTTP/1 request tokenizer ---- */
enum { S_METHOD, S_SP1, S_URI, S_SP2, S_VER, S_CR, S_HNAME, S_HCOLON, S_HVAL, S_END, S_ERR };

B_INLINE __u64 k_fsm(const __u8 *d, const __u8 *end)
{
	const __u8 *p = d + B_PAY_OFF;
	B_NEED(p, B_LPM_OFF - B_PAY_OFF);
	__u32 st = S_METHOD, tokens = 0, hlen = 0;
	__u64 acc = 0;
	for (int i = 0; i < B_LPM_OFF - B_PAY_OFF; i++) {
		__u8 c = p[i];
		switch (st) {
		case S_METHOD:
			if (c == ' ')
				st = S_SP1, tokens++;
			else if (c < 'A' || c > 'Z')
				st = S_ERR;
			break;
		case S_SP1:
			st = c == '/' ? S_URI : S_ERR;
			break;
		case S_URI:
			if (c == ' ')
				st = S_SP2, tokens++;
			else if (c == '?')
				acc += 7;
			else if (c < 0x21)
				st = S_ERR;
			break;
		case S_SP2:
			st = c == 'H' ? S_VER : S_ERR;
			break;
		case S_VER:
			if (c == '\r')
				st = S_CR, tokens++;
			else if (c != 'T' && c != 'P' && c != '/' && c != '.' &&
			         (c < '0' || c > '9'))
				st = S_ERR;
			break;
		case S_CR:
			st = c == '\n' ? S_HNAME : S_ERR;
			break;
		case S_HNAME:
			if (c == ':')
				st = S_HCOLON, tokens++;
			else if (c == '\r')
				st = S_END;
			else
				hlen++;
			break;
		case S_HCOLON:
			st = c == ' ' ? S_HVAL : S_ERR;
			break;
		case S_HVAL:
			if (c == '\r')
				st = S_CR, tokens++;
			else
				acc = acc * 33 + c;
			break;
		case S_END:
			break;
		default:
			acc ^= c;
			break;
		}
	}
	return acc ^ ((__u64)tokens << 48) ^ ((__u64)hlen << 40) ^ ((__u64)st << 56);
}

/* ---- 10. bpf_loop: the step run by the callback (and natively) ------ */
/* buf is 64 bytes copied from the input (a .bss array in the XDP build:
 * the callback cannot take a packet pointer). */
B_INLINE __u64 b_loop_step(__u32 i, __u64 acc, const __u8 *buf)
{
	acc = (acc ^ buf[i & 63]) * 0x9e3779b97f4a7c15ULL;
	return acc ^ (acc >> 31);
}

#endif
