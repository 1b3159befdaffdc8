/*
 * pktgen.c - the deterministic packet set of tests/packet.
 *
 * Packet i is built from its index alone (a xorshift generator seeded
 * with i), so the kernel run and every target's run see the same bytes
 * without a file.  The index picks one of sixteen shapes in turn:
 * IPv4/IPv6 TCP, UDP and ICMP, one and two VLAN tags, IPv4 options,
 * fragments, IPIP, non-IP EtherTypes, truncated copies of valid packets
 * (down to 0 bytes), malformed headers (bad IHL, version, UDP length,
 * TCP data offset), minimum and large sizes (14, 60, 1514, 3000 bytes)
 * and addresses that the programs' maps know (NAT, LPM and SNAT rules,
 * the 10.10/16 tunnel prefix).  Header checksums are valid (an IPv4 UDP
 * checksum is sometimes 0, "none") so that rewriters keep them valid.
 * Every pick is its own statement: the order in which C evaluates
 * function arguments is unspecified, and the packets must be the same
 * bytes on every target.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"

#define NPKT 320

struct gen {
	uint64_t s;
	unsigned char *p; /* packet start */
	size_t len;
	size_t cap;
};

static uint32_t rnd(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (uint32_t)(g->s >> 11);
}

static uint32_t pick(struct gen *g, uint32_t n)
{
	return rnd(g) % n;
}

static void put8(struct gen *g, unsigned v)
{
	if (g->len < g->cap)
		g->p[g->len] = (unsigned char)v;
	g->len++;
}

static void put16(struct gen *g, unsigned v)
{
	put8(g, v >> 8);
	put8(g, v);
}

static void put32(struct gen *g, uint32_t v)
{
	put16(g, v >> 16);
	put16(g, v & 0xffff);
}

static void putn(struct gen *g, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(g, b[i]);
}

static void set16(struct gen *g, size_t off, unsigned v)
{
	if (off + 1 < g->cap) {
		g->p[off] = (unsigned char)(v >> 8);
		g->p[off + 1] = (unsigned char)v;
	}
}

static uint32_t sum16(const unsigned char *b, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static unsigned fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* ---- address pools (kept in step with the maps driver.c fills) ---------- */
static const uint32_t src4[] = {
    0x0a000001, 0x0a000105, 0x0a010203, 0x0a0102fe, 0xc0a80101,
    0xc0a80177, 0xac100505, 0xc6336401, 0xc6336463, 0x08080808,
};
static const uint32_t dst4[] = {
    0xcb00710a, 0xcb00710b, 0xcb00710c, 0x0a0a0101, 0x0a0a0202,
    0xc0000263, 0x0a000001, 0xc0a80101, 0x01010101, 0xe0000001,
};
static const unsigned char src6[][16] = {
    {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
    {0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9},
    {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0xff, 0xfe, 0, 0, 1},
    {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
};
static const unsigned char dst6[][16] = {
    {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0x26, 0x06, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11},
};
static const unsigned tcp_ports[] = {22, 23, 80, 443, 445, 8080, 3389, 0, 179, 5432};
static const unsigned udp_ports[] = {53, 7, 9, 123, 4789, 161, 5353, 514, 69, 53};

/* ---- headers ------------------------------------------------------------ */
static void eth(struct gen *g, int ntags, unsigned type)
{
	static const unsigned char bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	unsigned char dst[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x00};
	if (pick(g, 8) == 0) {
		putn(g, bcast, 6);
	} else {
		dst[4] = (unsigned char)pick(g, 4);
		dst[5] = (unsigned char)pick(g, 256);
		if (pick(g, 10) == 0)
			dst[0] = 0x01; /* multicast */
		putn(g, dst, 6);
	}
	put32(g, 0x0200cafe);
	put16(g, pick(g, 256));
	for (int t = 0; t < ntags; t++) {
		put16(g, t == 0 && ntags == 2 ? 0x88a8 : 0x8100);
		unsigned pcp = pick(g, 8);
		put16(g, (pcp << 13) | (10 + pick(g, 20)));
	}
	put16(g, type);
}

static void payload(struct gen *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(g, rnd(g));
}

/* L4 header and payload at the current position; returns its start. */
static size_t l4(struct gen *g, unsigned proto, size_t plen, int v6)
{
	size_t at = g->len;
	if (proto == 6) {
		unsigned doff = 5 + (pick(g, 3) == 0 ? 1 + pick(g, 3) : 0);
		put16(g, 1024 + pick(g, 40000));
		put16(g, tcp_ports[pick(g, 10)]);
		put32(g, rnd(g));
		put32(g, rnd(g));
		static const unsigned flags[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04};
		put16(g, doff << 12 | flags[pick(g, 6)]);
		put16(g, 65535);
		put16(g, 0); /* checksum, below */
		put16(g, 0);
		for (unsigned o = 5; o < doff; o++) {
			if (o == 5) {
				put32(g, 0x020405b4); /* MSS */
			} else {
				put32(g, 0x01010402); /* NOP NOP SACK-permitted */
			}
		}
	} else if (proto == 17) {
		put16(g, 1024 + pick(g, 40000));
		put16(g, udp_ports[pick(g, 10)]);
		put16(g, 8 + plen);
		put16(g, 0);
	} else { /* ICMP / ICMPv6 */
		static const unsigned t4[] = {8, 8, 0, 3, 11};
		static const unsigned t6[] = {128, 129, 135, 136, 1};
		put8(g, v6 ? t6[pick(g, 5)] : t4[pick(g, 5)]);
		put8(g, 0);
		put16(g, 0);
		put16(g, pick(g, 65536));
		put16(g, pick(g, 100));
	}
	payload(g, plen);
	return at;
}

/* Checksum of the L4 part [at, len) with the pseudo-header. */
static void l4csum(struct gen *g, size_t at, unsigned proto, const unsigned char *ph, size_t phn,
                   int zero_udp)
{
	size_t n = g->len - at;
	size_t coff = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	if (g->len > g->cap || n < coff + 2)
		return;
	if (proto == 17 && zero_udp)
		return;
	uint32_t s = 0;
	if (ph) {
		s = sum16(ph, phn, 0);
		s += proto;
		s += (uint32_t)n;
	}
	s = sum16(g->p + at, n, s);
	unsigned c = fold(s);
	if (proto == 17 && c == 0)
		c = 0xffff;
	set16(g, at + coff, c);
}

static void ipv4(struct gen *g, unsigned proto, size_t plen, int opts, uint32_t src, uint32_t dst,
                 unsigned frag, unsigned ttl)
{
	size_t at = g->len;
	unsigned ihl = 5 + (unsigned)opts;
	size_t l4len = proto == 6 ? 20 : 8;
	put8(g, 0x40 | ihl);
	put8(g, pick(g, 4) << 2);
	put16(g, 0); /* tot_len, below */
	put16(g, pick(g, 65536));
	put16(g, frag);
	put8(g, ttl);
	put8(g, proto);
	put16(g, 0);
	put32(g, src);
	put32(g, dst);
	for (int o = 0; o < opts; o++)
		put32(g, o == opts - 1 ? 0x00000000 : 0x01010101); /* NOPs, EOL */
	size_t l4at;
	if (proto == 4) {
		/* IPIP: an inner IPv4 UDP packet */
		l4at = g->len;
		uint32_t isrc = src4[pick(g, 10)];
		ipv4(g, 17, plen, 0, isrc, dst4[pick(g, 10)], 0, 64);
	} else if (frag & 0x1fff) {
		l4at = g->len;
		payload(g, plen + l4len);
	} else {
		l4at = l4(g, proto, plen, 0);
	}
	set16(g, at + 2, (unsigned)(g->len - at));
	if (g->len <= g->cap) {
		unsigned c = fold(sum16(g->p + at, ihl * 4, 0));
		set16(g, at + 10, c);
		if (proto != 4 && !(frag & 0x1fff))
			l4csum(g, l4at, proto, proto == 1 ? NULL : g->p + at + 12, 8,
			       pick(g, 4) == 0);
	}
}

static void ipv6(struct gen *g, unsigned proto, size_t plen, int ext)
{
	size_t at = g->len;
	put32(g, 0x60000000 | pick(g, 1 << 20));
	put16(g, 0);
	put8(g, ext ? 0 : proto);
	put8(g, 64);
	putn(g, src6[pick(g, 5)], 16);
	putn(g, dst6[pick(g, 3)], 16);
	for (int e = 0; e < ext; e++) {
		unsigned next = e == ext - 1 ? proto : 60; /* then destination options */
		put8(g, next);
		put8(g, e == 1 ? 1 : 0); /* hdrlen: 8 or 16 bytes */
		put8(g, 1);              /* PadN */
		put8(g, e == 1 ? 12 : 4);
		payload(g, e == 1 ? 12 : 4);
	}
	size_t l4at = l4(g, proto, plen, 1);
	set16(g, at + 4, (unsigned)(g->len - at - 40));
	if (g->len <= g->cap)
		l4csum(g, l4at, proto, g->p + at + 8, 32, 0);
}

static unsigned l4pick(struct gen *g)
{
	static const unsigned p[] = {6, 17, 17, 1};
	return p[pick(g, 4)];
}

static size_t plen_pick(struct gen *g)
{
	static const size_t sizes[] = {0, 1, 6, 18, 32, 64, 100, 200, 512, 1000};
	return sizes[pick(g, 10)];
}

/* An IPv4 packet whose payload size, source and destination are picked
 * here, in this order (never two picks in one expression: C leaves the
 * order of evaluation of arguments to the compiler). */
static void v4(struct gen *g, unsigned proto, int opts, const uint32_t *dsts, uint32_t ndst,
               unsigned frag, unsigned ttl)
{
	size_t plen = plen_pick(g);
	uint32_t src = src4[pick(g, 10)];
	uint32_t dst = dsts[pick(g, ndst)];
	ipv4(g, proto, plen, opts, src, dst, frag, ttl);
}

/* A well-formed packet of shape k. */
static void shape(struct gen *g, int k)
{
	switch (k) {
	case 0:
	case 1:
	case 2: {
		unsigned proto = k == 0 ? 17 : k == 1 ? 6 : 1;
		eth(g, 0, 0x0800);
		unsigned frag = pick(g, 3) ? 0x4000 : 0;
		unsigned ttl = pick(g, 12) ? 64 : 1;
		v4(g, proto, 0, dst4, 10, frag, ttl);
		break;
	}
	case 3:
	case 4:
	case 5: {
		unsigned proto = k == 3 ? 17 : k == 4 ? 6 : 58;
		eth(g, 0, 0x86dd);
		size_t plen = plen_pick(g);
		int ext = k == 5 ? (int)pick(g, 3) : (int)(pick(g, 4) == 0);
		ipv6(g, proto, plen, ext);
		break;
	}
	case 6: {
		unsigned type = pick(g, 4) ? 0x0800 : 0x86dd;
		eth(g, 1, type);
		unsigned proto = l4pick(g);
		if (type == 0x0800) {
			v4(g, proto, 0, dst4, 10, 0, 64);
		} else {
			size_t plen = plen_pick(g);
			ipv6(g, proto == 1 ? 58 : proto, plen, 0);
		}
		break;
	}
	case 7:
		eth(g, 2, 0x0800);
		v4(g, l4pick(g), 0, dst4, 10, 0, 64);
		break;
	case 8: {
		eth(g, 0, 0x0800);
		unsigned proto = l4pick(g);
		v4(g, proto, 1 + (int)pick(g, 10), dst4, 10, 0, 64);
		break;
	}
	case 9: {
		static const unsigned frags[] = {0x2000, 0x2000 | 185, 185, 0x4000 | 0};
		eth(g, 0, 0x0800);
		unsigned proto = pick(g, 2) ? 17 : 6;
		v4(g, proto, 0, dst4, 10, frags[pick(g, 4)], 64);
		break;
	}
	case 10: {
		eth(g, 0, 0x0800);
		size_t plen = plen_pick(g);
		ipv4(g, 4, plen, 0, 0xc0000202, 0xc0000201, 0x4000, 64);
		break;
	}
	case 11: {
		static const unsigned types[] = {0x0806, 0x88cc, 0x8847, 0x0842};
		eth(g, 0, types[pick(g, 4)]);
		payload(g, 28 + pick(g, 40));
		break;
	}
	default: { /* 15: addresses the tunnel, NAT and LPM maps know */
		static const uint32_t d[] = {0x0a0a0101, 0x0a0a6301, 0xcb00710a,
		                             0xcb00710b, 0x0a0a0202, 0xcb00710c};
		eth(g, 0, 0x0800);
		v4(g, pick(g, 3) ? 17 : 6, 0, d, 6, 0, 64);
		break;
	}
	}
}

int pktgen_count(void)
{
	return NPKT;
}

size_t pktgen_make(int i, unsigned char *buf, size_t cap)
{
	struct gen g = {.s = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1), .p = buf, .cap = cap};
	for (int w = 0; w < 4; w++)
		rnd(&g);
	memset(buf, 0, cap);
	int k = i % 16;
	switch (k) {
	case 12: { /* truncated copy of a valid packet */
		shape(&g, (int)pick(&g, 11));
		size_t full = g.len;
		size_t cut = i < 48 ? (size_t)(i / 16) * 5 : 1 + pick(&g, (uint32_t)full);
		g.len = cut < full ? cut : full - 1;
		break;
	}
	case 13: { /* malformed */
		int m = (int)pick(&g, 4);
		shape(&g, m < 2 ? 0 : m == 2 ? 0 : 1);
		size_t ip = 14;
		if (m == 0)
			g.p[ip] = 0x43; /* IHL 3 */
		else if (m == 1)
			g.p[ip] = 0x65; /* version 6 under EtherType IPv4 */
		else if (m == 2)
			set16(&g, ip + 20 + 4, 4000); /* UDP length past the end */
		else
			g.p[ip + 20 + 12] = 0x20; /* TCP data offset 2 */
		break;
	}
	case 14: { /* sizes */
		static const size_t sizes[] = {14, 60, 1514, 3000};
		size_t want = sizes[(i / 16) % 4];
		if (want == 14) {
			eth(&g, 0, 0x0800);
		} else {
			eth(&g, 0, 0x0800);
			uint32_t src = src4[pick(&g, 10)];
			uint32_t dst = dst4[pick(&g, 10)];
			ipv4(&g, 17, want - 14 - 20 - 8, 0, src, dst, 0, 64);
		}
		break;
	}
	default:
		shape(&g, k);
	}
	return g.len < cap ? g.len : cap;
}
