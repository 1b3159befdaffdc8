/*
 * ph_driver.c - packet-helper tests (ctest pkthelpers-kernel and
 * pkthelpers-<target>): the programs of ph.bpf.c over generated packets.
 *
 * Every program gets a few hundred cases from a seeded generator (pure
 * integer code, the same on every target): a packet whose control block
 * (struct ctl, right after the Ethernet header) holds helper arguments
 * drawn mostly from the boundary values of each helper (lengths around
 * the packet's end, the XDP headroom and frame end, 0xffff, INT_MAX,
 * invalid flags, odd offsets...), sometimes a ctx_in (XDP metadata, skb
 * mark/priority/cb/tstamp/wire_len/gso fields, and invalid ones) and a
 * data_size_out limit.  Each case is one canonical text line: the test
 * run's error, retval, output size, output packet (hex of the first 48
 * bytes and an FNV-1a hash of all), ctx_out fields and the non-zero
 * entries of the array `rec` as integers.
 *
 * Back ends: the runtime (b2n_program__test_run on the linked object
 * b2n_object_ph, always) and, built with -DPH_KERNEL, the kernel through
 * libbpf's bpf_prog_test_run_opts on the bpfel object.
 *
 *   ph_run native EXPECTED            runtime lines vs the expected file
 *   ph_run kernel EXPECTED OBJ [OUT]  kernel vs runtime, line by line, and
 *                                     kernel vs the expected file; OUT
 *                                     receives the kernel's lines (to
 *                                     refresh the committed file)
 * The runtime also checks the redirect target it reports (not visible
 * through the kernel's test run).  Prints "N passed, M failed"; exits 77
 * when bpf() is not permitted (kernel mode).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/libb2n.h>

#ifdef PH_KERNEL
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kload.h"
#endif

#define NREC 16
#define OUTCAP 80000

struct phcase {
	unsigned char pkt[80000];
	uint32_t len;
	int have_ctx;
	unsigned char ctx[256]; /* beyond the UAPI size: zero */
	uint32_t ctx_size;
	uint32_t size_out; /* data_size_out given (0 = no limit) */
	int repeat;        /* test-run repeat (state carries over between runs) */
	uint32_t flags;    /* BPF_F_TEST_SKB_CHECKSUM_COMPLETE (tc, socket) */
};

struct result {
	int err;
	uint32_t retval, size_out, ctx_size_out;
	unsigned char out[OUTCAP];
	unsigned char ctx_out[192];
	uint64_t rec[NREC];
};

enum { T_XDP, T_TC, T_SOCK };

/* ---- generator ------------------------------------------------------------- */

static uint64_t rs;
static uint64_t rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint32_t rn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}
static uint32_t pick(const int64_t *v, size_t n)
{
	return (uint32_t)v[rn((uint32_t)n)];
}
#define PICK(...)                                                                                  \
	({                                                                                         \
		const int64_t _v[] = {__VA_ARGS__};                                                \
		pick(_v, sizeof(_v) / sizeof(_v[0]));                                              \
	})

static void be16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}
static void be32(unsigned char *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}
static void le32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4); /* ctx fields: host order */
}
static void le64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* random packet of len bytes with an Ethernet header */
static void gen_pkt(struct phcase *c, uint32_t len)
{
	unsigned char *p = c->pkt;
	memset(c, 0, sizeof(*c));
	c->len = len;
	int zero = rn(16) == 0;
	for (uint32_t i = 0; i < len; i++)
		p[i] = zero ? 0 : (unsigned char)rnd();
	if (len < 14)
		return;
	switch (rn(5)) {
	case 0:
		memset(p, 0, 6);
		break;
	case 1:
		memset(p, 0xff, 6);
		break;
	case 2:
		p[0] = 0x01, p[1] = 0x00, p[2] = 0x5e;
		break;
	default:
		p[0] &= 0xfe;
		break;
	}
	switch (rn(7)) {
	case 0:
		be16(p + 12, 0x0800);
		break;
	case 1:
		be16(p + 12, 0x86dd);
		break;
	case 2:
		be16(p + 12, 0x8100);
		break;
	case 3:
		be16(p + 12, rn(0x600));
		if (len >= 16 && rn(2))
			p[14] = p[15] = 0xff;
		break;
	case 4:
		p[12] = (unsigned char)(0x05 + rn(3));
		break;
	default:
		break;
	}
}

static uint32_t plen(uint32_t lo, uint32_t hi)
{
	return lo + rn(hi - lo + 1);
}

/* ctl at offset o: op fl a b c x y z w */
struct ctl {
	uint32_t op, fl, a, b, c, x, y, z, w;
};
static void put_ctl(struct phcase *k, uint32_t o, const struct ctl *t)
{
	unsigned char *p = k->pkt + o;
	if (o + 24 > k->len)
		return;
	p[0] = (unsigned char)t->op;
	p[1] = (unsigned char)t->fl;
	be16(p + 2, t->a);
	be16(p + 4, t->b);
	be16(p + 6, t->c);
	be32(p + 8, t->x);
	be32(p + 12, t->y);
	be32(p + 16, t->z);
	be32(p + 20, t->w);
}

static void gen_xdp_adj(struct phcase *k, int i)
{
	uint32_t len = i % 23 == 0 ? PICK(0, 13, 14, 30, 3520, 3519) : plen(38, 300);
	if (i % 7 == 3) /* multi-buffer */
		len = PICK(3521, 3600, 4096, 7616, 7620, 9000);
	uint32_t meta = 0;
	struct ctl t = {0};
	gen_pkt(k, len);
	if (rn(3) == 0 && len >= 14) {
		unsigned char *m = k->ctx;
		meta = PICK(0, 4, 8, 32, 252, 4, 16);
		uint32_t bad = rn(12);
		k->have_ctx = 1;
		k->ctx_size = 24;
		le32(m + 0, bad == 0 ? 3 : bad == 1 ? 256 : meta);
		le32(m + 4, bad == 2 ? len + 1 : len);
		le32(m + 8, bad == 3 ? 4 : 0);
		le32(m + 12, bad == 8 || bad == 9 ? 1 : 0); /* ingress_ifindex: lo */
		le32(m + 16, bad == 4 || bad == 9 ? 1 : 0);
		le32(m + 20, bad == 5 ? 1 : 0);
		if (bad == 6)
			k->ctx_size = 28, le32(m + 24, 0);
		if (bad == 7)
			k->ctx_size = 16;
		if (meta >= len)
			meta = 0, le32(m, 0);
	}
	int32_t pl = (int32_t)len - (int32_t)meta;
	t.op = rn(256);
	t.fl = rn(256);
	int64_t small = (int64_t)rn(64) - 32;
	t.a = (uint16_t)PICK(0, -4, -8, -32, -36, -252, -256, -3, 4, 8, -216, -200, -176, 0, 0,
	                     small);
	t.b = (uint16_t)(rn(3) ? PICK(0, -14, -40, -216, -217, -200, 14, 4, -1, 1, -256, -180)
	                       : PICK(pl - 14, pl - 13, pl - 15, pl));
	t.c = (uint16_t)(rn(3) ? PICK(0, -1, 1, 100, 4, -4, -20, 1000, -1000)
	                       : PICK(14 - pl, 13 - pl, 15 - pl, 3520 - pl, 3521 - pl,
	                              3520 - pl - 256, 3776 - pl));
	if (len > 3520) /* around the last fragment's page end and the fragments' sizes */
		t.c = (uint16_t)PICK(0, 1, -1, 4096 - (int64_t)(len - 3520) % 4096,
		                     4097 - (int64_t)(len - 3520) % 4096, -(int64_t)(len - 3520),
		                     -(int64_t)(len - 3520) - 1, -(int64_t)len + 14,
		                     -(int64_t)len + 13, -3000, 3000);
	put_ctl(k, meta + 14, &t);
	k->size_out = rn(8) == 0 ? PICK(1, 14, 20, 60) : 0;
	k->repeat = rn(8) == 0 ? PICK(2, 3, 5) : 0;
}

static void gen_xdp_bytes(struct phcase *k, int i)
{
	uint32_t len = i % 31 == 0 ? PICK(0, 20, 38) : plen(38, 400);
	if (i % 5 == 1) /* multi-buffer: fragments after 3520 bytes */
		len = PICK(3521, 3600, 4096, 5000, 7616, 7617, 8000, 20000, 73152, 73153);
	uint32_t n;
	struct ctl t = {0};
	gen_pkt(k, len);
	t.fl = rn(256);
	n = (t.fl & 63) + 1;
	t.x = rn(2) ? rn(len)
	            : PICK(0, len - n, len - n + 1, len, 0xffff, 0x10000, 0xffffffff, 1,
	                   3520 - n / 2, 7616 - n / 2);
	t.y = rn(2) ? rn(len)
	            : PICK(0, len - n, len - n + 1, len, 0xffff, 0x10000, 0x80000000, 3520 - n / 2,
	                   7616 - n / 2);
	put_ctl(k, 14, &t);
}

static void gen_xdp_redir(struct phcase *k, int i)
{
	struct ctl t = {0};
	(void)i;
	gen_pkt(k, plen(38, 120));
	t.op = rn(256);
	t.x = PICK(0, 1, 2, 3, 5, 9, 7, 8, 100, 0xffffffff, 4);
	t.y = rn(4) ? PICK(0, 0, 1, 2, 3) : PICK(4, 8, 16, 24, 0x20, 9, 10, 0x100);
	t.z = rn(10) == 0;
	put_ctl(k, 14, &t);
}

static void gen_tc_bytes(struct phcase *k, int i)
{
	uint32_t len = i % 29 == 0 ? PICK(13, 14, 30, 3712, 3713) : plen(38, 300);
	struct ctl t = {0};
	uint32_t n;
	gen_pkt(k, len);
	t.op = rn(8);
	t.op |= PICK(0, 0, 1, 2, 3, 7) << 4;
	t.fl = rn(256);
	n = (t.fl & 63) + 1;
	switch (t.op & 7) {
	case 0:
	case 1:
		t.x = rn(2) ? rn(len)
		            : PICK(0, len - n, len - n + 1, 0x7fffffff, 0x80000000, 0xffff, 0x10000,
		                   len - 14 - n, len - 14 - n + 1);
		t.y = rn(2) ? rn(len) : PICK(0, len - n, len - n + 1, 0x7fffffff, 0x80000000);
		t.z = (t.op & 7) == 0 ? PICK(0, 0, 1, 2, 3, 4) : PICK(0, 1, 1, 2);
		break;
	case 2:
		t.x = PICK(0, len, len + 1, 20, 14, 0xffffffff);
		break;
	case 3:
		t.x = rn(2) ? plen(0, 400)
		            : PICK(len, len + 10, len - 10, 14, 13, 0, 65550, 65551, 3000);
		t.z = rn(10) == 0;
		break;
	case 4:
		t.x = PICK(0, 14, 100, 65550 - len, 65551 - len, 0xffffffff, 1, 3000);
		t.z = rn(10) == 0;
		break;
	case 5:
		t.x = rn(100);
		t.z = PICK(0, 0, 1, 2, 3);
		break;
	default:
		t.x = (uint32_t)rnd();
		break;
	}
	put_ctl(k, 14, &t);
	k->size_out = rn(10) == 0 ? PICK(1, 14, 20) : 0;
	k->repeat = rn(8) == 0 ? PICK(2, 3, 5) : 0;
}

static void gen_tc_csum(struct phcase *k, int i)
{
	uint32_t len = plen(38, 200);
	struct ctl t = {0};
	(void)i;
	gen_pkt(k, len);
	t.op = rn(256);
	t.fl = rn(256);
	if (rn(8))
		t.fl &= 0x7f; /* bit 7: a flag above bit 31 */
	t.a = rn(3) ? rn(len) & ~1u : PICK(len - 2, len - 1, len, 1, 0xffff, 0xfffe, 39, 0, 38);
	if (rn(6) == 0)
		t.w = PICK(1, 3, 5, 8, 0x100, 0x10, 0x20, 0x40, 0x80, 0x200, 0x12, 0x14);
	else if (t.op & 1) /* l3 */
		t.w = PICK(0, 2, 4);
	else
		t.w = PICK(0, 2, 4, 0x12, 0x14, 0x22, 0x24, 0x32, 0x34, 0x62, 0x64, 0x84, 0x94,
		           0x10, 0x20, 0x30, 0xf4);
	/* op bit 1: from = 0, mostly for the diff form (field size 0) */
	if ((t.w & 0xf) == 0 ? rn(8) != 0 : rn(6) == 0)
		t.op |= 2;
	else
		t.op &= ~2u;
	t.x = rn(4) ? (uint32_t)rnd() : PICK(0, 0xffffffff, 0xffff, 0x10000);
	t.y = rn(4) ? (uint32_t)rnd() : PICK(0, 0xffffffff, 0xffff, 0x10000);
	put_ctl(k, 14, &t);
	/* sometimes the sum the helper updates is 0 (MARK_MANGLED_0) */
	if (rn(5) == 0 && t.a + 2 <= len && t.a >= 38) {
		k->pkt[t.a] = k->pkt[t.a + 1] = 0;
	}
}

static void gen_tc_csum_diff(struct phcase *k, int i)
{
	uint32_t len = plen(128, 400);
	struct ctl t = {0};
	(void)i;
	gen_pkt(k, len);
	t.op = rn(256);
	t.fl = rn(256);
	t.a = rn(4) ? rn(129) * 4 : rn(0x300);
	t.b = rn(4) ? rn(129) * 4 : rn(0x300);
	if (rn(8) == 0)
		t.a = 0;
	if (rn(8) == 0)
		t.b = 0;
	t.x = rn(3) ? (uint32_t)rnd() : PICK(0, 0xffffffff, 0xffff, 1);
	put_ctl(k, 14, &t);
}

static void gen_tc_vlan(struct phcase *k, int i)
{
	uint32_t len = i % 19 == 0 ? PICK(34, 36, 38, 40) : plen(38, 200);
	struct ctl t = {0};
	gen_pkt(k, len);
	if (rn(4))
		be16(k->pkt + 12, PICK(0x8100, 0x88a8, 0x8100));
	t.op = rn(256);
	t.fl = rn(256);
	t.a = PICK(0x8100, 0x88a8, 0x0800, 0x86dd, 0x8100, 0x0400, 0x1234);
	t.b = rn(0x10000);
	t.c = PICK(0x8100, 0x88a8, 0x0800, 0x0001);
	t.x = rn(2) ? 0xffff0000u | rn(0x10000) : (uint32_t)rnd();
	put_ctl(k, 14, &t);
	k->repeat = rn(6) == 0 ? PICK(2, 3) : 0;
}

static void gen_tc_room(struct phcase *k, int i)
{
	uint32_t len = i % 19 == 0 ? PICK(34, 38, 54, 60) : plen(60, 300);
	struct ctl t = {0};
	int32_t l3;
	gen_pkt(k, len);
	if (rn(6))
		be16(k->pkt + 12, PICK(0x0800, 0x86dd));
	l3 = (int32_t)len - 14;
	t.op = rn(256);
	t.fl = rn(256);
	t.a = PICK(0x86dd, 0x0800, 0x86dd, 0x0800, 0x1234);
	t.b = (uint16_t)PICK(0, 4, -4, 8, -8, 20, -20, 40, -40, 14, -14, 0xfff, -0xfff, 0x1000, -l3,
	                     -l3 + 20, -l3 + 40, -l3 + 19, 100, -100);
	t.c = (uint16_t)PICK(0, 4, -4, 20, -20, 40, -40);
	if (rn(4) == 0)
		t.x = PICK(0x20, 0x80, 0x100, 0x180, 0x200, 0x1 | 0x80);
	else if (rn(2))
		t.x = PICK(0, 0, 1, 2, 4, 6, 2 | 8, 2 | 16, 2 | 24, 4 | 16, 2 | 0x40, 4 | 0x40 | 8);
	else
		t.x = PICK(0x80, 0x100, 0x81, 0x180, 0x20 | 0x80);
	t.y = rn(4) ? 0 : PICK(14u << 24, 13u << 24, 30u << 24, 1);
	t.z = PICK(0, 0, 2, 4, 0x80, 0x100, 2 | 0x10);
	t.w = (uint32_t)rnd() & 0x07070707u; /* csum_level operations (6, 7: none) */
	/* mostly valid: mode NET/MAC, no flags for change_proto, shrinking
	 * for the decap flags */
	if (rn(6))
		t.fl &= ~2u;
	if (rn(6))
		t.op &= ~2u;
	if ((t.x & 0x180) && rn(6))
		t.b = (uint16_t)PICK(-4, -8, -20, -40);
	/* a second encapsulation would be -EALREADY, whose value is 37 on
	 * sparc (its kernel's errno.h) and 114 elsewhere: not compared */
	if (t.x & 6)
		t.z &= ~6u;
	put_ctl(k, 14, &t);
	k->repeat = rn(6) == 0 ? PICK(2, 3) : 0;
	if ((t.x | t.z) & 6)
		k->repeat = 0; /* (the same: a repeated encapsulation) */
}

static void gen_skb_ctx(struct phcase *k, uint32_t l2len)
{
	unsigned char *m = k->ctx;
	uint32_t bad = rn(14);
	k->have_ctx = 1;
	k->ctx_size = 192;
	le32(m + 8, (uint32_t)rnd());                   /* mark */
	le32(m + 32, rn(3) ? rn(16) : (uint32_t)rnd()); /* priority */
	le32(m + 36, rn(3) ? 0 : rn(10));               /* ingress_ifindex */
	le32(m + 40, rn(3) ? 0 : 1);                    /* ifindex */
	for (int j = 0; j < 5; j++)
		le32(m + 48 + 4 * j, (uint32_t)rnd());
	le64(m + 152, rn(2) ? rnd() >> 1 : 0);                /* tstamp */
	le32(m + 160, PICK(0, 0, l2len, l2len + 100, 65536)); /* wire_len */
	le32(m + 164, PICK(0, 0, 1, 5, 65535));               /* gso_segs */
	le32(m + 176, PICK(0, 0, 1400, 9000));                /* gso_size */
	le64(m + 184, rn(2) ? rnd() : 0);                     /* hwtstamp */
	switch (bad) {
	case 0:
		le32(m + 0, 1); /* len */
		break;
	case 1:
		le32(m + 68, 5); /* hash */
		break;
	case 2:
		m[180] = 1; /* tstamp_type */
		break;
	case 3:
		le32(m + 160, 65537); /* wire_len > GSO_LEGACY_MAX_SIZE */
		break;
	case 4:
		le32(m + 164, 65536); /* gso_segs > GSO_MAX_SEGS */
		break;
	case 5:
		k->ctx_size = 196; /* trailing zero word: accepted */
		break;
	case 6:
		le32(m + 72, 1); /* tc_classid */
		break;
	case 7:
		le32(m + 160, 1); /* wire_len below len */
		break;
	case 8:
		k->ctx_size = 0; /* ctx_in without ctx_size_in */
		break;
	default:
		break;
	}
}

static void gen_tc_fields(struct phcase *k, int i)
{
	uint32_t len = i % 17 == 0 ? PICK(14, 15, 3712) : plen(14, 200);
	gen_pkt(k, len);
	if (rn(3))
		gen_skb_ctx(k, len);
}

static void gen_sock_bytes(struct phcase *k, int i)
{
	uint32_t len = i % 17 == 0 ? PICK(14, 15, 37, 3712) : plen(38, 300);
	struct ctl t = {0};
	uint32_t n, l3 = len - 14;
	gen_pkt(k, len);
	t.op = rn(256);
	t.fl = rn(256);
	t.a = rn(2) ? rn(0x10000) : PICK(0, 1, 0xffff);
	n = (t.fl & 63) + 1;
	t.x = rn(2) ? rn(len)
	            : PICK(0, l3 - n, l3 - n + 1, len - n, len - n + 1, 0xffff, 0x10000, 0x7fffffff,
	                   0x80000000);
	t.z = PICK(0, 1, 2, 1);
	put_ctl(k, 14, &t);
	if (rn(2))
		gen_skb_ctx(k, len - 14);
}

static void gen_sock_ldabs(struct phcase *k, int i)
{
	uint32_t len = i % 13 == 0 ? PICK(15, 20, 38) : plen(38, 200);
	uint32_t l3 = len - 14;
	struct ctl t = {0};
	gen_pkt(k, len);
	const int32_t net = -0x100000, ll = -0x200000;
	uint32_t rl3, rlen;
#define LDOFF(sz)                                                                                  \
	(rl3 = rn(l3), rlen = rn(len),                                                             \
	 rn(2) ? rn(l3 + 4)                                                                        \
	       : PICK(l3 - (sz), l3 - (sz) + 1, net, net + l3 - (sz), net + l3 - (sz) + 1,         \
	              net - 14, ll, ll + len - (sz), ll + len - (sz) + 1, -1, ll - 1, net - 1,     \
	              0x7fffffff, (uint32_t)net + rl3, (uint32_t)ll + rlen))
	t.x = LDOFF(1);
	t.y = LDOFF(2);
	t.z = LDOFF(4);
#undef LDOFF
	put_ctl(k, 14, &t);
}

struct prog {
	const char *name;
	int type;
	int ncases;
	void (*gen)(struct phcase *, int);
};

static const struct prog progs[] = {
    {"xdp_adj", T_XDP, 300, gen_xdp_adj},        {"xdp_bytes", T_XDP, 200, gen_xdp_bytes},
    {"xdp_redir", T_XDP, 200, gen_xdp_redir},    {"tc_bytes", T_TC, 400, gen_tc_bytes},
    {"tc_csum", T_TC, 400, gen_tc_csum},         {"tc_csum_diff", T_TC, 600, gen_tc_csum_diff},
    {"tc_fields", T_TC, 200, gen_tc_fields},     {"tc_vlan", T_TC, 300, gen_tc_vlan},
    {"tc_room", T_TC, 400, gen_tc_room},         {"sock_bytes", T_SOCK, 300, gen_sock_bytes},
    {"sock_ldabs", T_SOCK, 300, gen_sock_ldabs},
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

/* ---- back ends --------------------------------------------------------------- */

struct backend {
	const char *name;
	int (*setup)(void);
	int (*run)(int prog, const struct phcase *c, struct result *r, struct b2n_test_run_opts *o);
	/* user-space map operations: op 'u'pdate, 'l'ookup, 'd'elete, 'n'ext key */
	int (*mapop)(int op, const char *map, const void *key, void *value, uint64_t flags);
};

static int map_setup(int (*upd)(const char *map, const void *k, const void *v))
{
	uint32_t one = 1, k0 = 0, k1 = 1, k2 = 2, k5 = 5, k9 = 9, q0 = 192, q1 = 64;
	uint32_t dv[2] = {1, 0};
	int err = 0;
	err |= upd("dm", &k0, &one);
	err |= upd("dm", &k2, &one);
	err |= upd("dmh", &k5, dv);
	err |= upd("dmh", &k9, dv);
	err |= upd("cpum", &k0, &q0);
	err |= upd("cpum", &k1, &q1);
	return err;
}

/* runtime */
extern const struct b2n_abi_object b2n_object_ph __attribute__((weak));
static struct b2n_object *bobj;
static const struct b2n_program *bprogs[NPROGS];

static int b_upd(const char *name, const void *k, const void *v)
{
	struct b2n_map *m = b2n_object__find_map_by_name(bobj, name);
	if (!m)
		return -ENOENT;
	int err = b2n_map__update_elem(m, k, 4, v, b2n_map__value_size(m), 0);
	if (err)
		printf("runtime: update of %s: %d\n", name, err);
	return err;
}

static int b_setup(void)
{
	int err;
	if (!&b2n_object_ph) {
		printf("runtime: bpf2native did not compile ph.bpf.o\n");
		return -ENOENT;
	}
	bobj = b2n_object__open(&b2n_object_ph, NULL);
	if (!bobj || (err = b2n_object__load(bobj))) {
		printf("runtime: open/load failed\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < NPROGS; i++)
		bprogs[i] = b2n_object__find_program_by_name(bobj, progs[i].name);
	return map_setup(b_upd);
}

static int b_reset_read(int read, uint64_t *rec)
{
	struct b2n_map *m = b2n_object__find_map_by_name(bobj, "rec");
	struct b2n_map *s = b2n_object__find_map_by_name(bobj, "scratch");
	static unsigned char zero[1024];
	for (uint32_t i = 0; i < NREC; i++) {
		if (read)
			b2n_map__lookup_elem(m, &i, 4, &rec[i], 8, 0);
		else
			b2n_map__update_elem(m, &i, 4, zero, 8, 0);
	}
	if (!read) {
		uint32_t k = 0;
		b2n_map__update_elem(s, &k, 4, zero, 1024, 0);
	}
	return 0;
}

static int b_run(int pi, const struct phcase *c, struct result *r, struct b2n_test_run_opts *o)
{
	if (!bprogs[pi])
		return -ENOENT;
	b_reset_read(0, NULL);
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->data_in = c->pkt;
	o->data_size_in = c->len;
	o->data_out = r->out;
	o->data_size_out = c->size_out;
	o->repeat = c->repeat;
	o->flags = c->flags;
	if (c->have_ctx) {
		o->ctx_in = c->ctx;
		o->ctx_size_in = c->ctx_size;
		o->ctx_out = r->ctx_out;
		o->ctx_size_out = progs[pi].type == T_XDP ? 24 : 192;
	}
	r->err = b2n_program__test_run(bprogs[pi], o);
	r->retval = o->retval;
	r->size_out = o->data_size_out;
	r->ctx_size_out = o->ctx_size_out;
	b_reset_read(1, r->rec);
	return 0;
}

static int b_mapop(int op, const char *name, const void *key, void *value, uint64_t flags)
{
	struct b2n_map *m = b2n_object__find_map_by_name(bobj, name);
	if (!m)
		return -ENOENT;
	size_t vs = b2n_map__value_size(m);
	switch (op) {
	case 'u':
		return b2n_map__update_elem(m, key, 4, value, vs, flags);
	case 'l':
		return b2n_map__lookup_elem(m, key, 4, value, vs, 0);
	case 'd':
		return b2n_map__delete_elem(m, key, 4, 0);
	default:
		return b2n_map__get_next_key(m, key, value, 4);
	}
}

static const struct backend be_b2n = {"bpf2native", b_setup, b_run, b_mapop};

#ifdef PH_KERNEL
static struct bpf_object *kobj;
static struct kload kl;
static int kfds[NPROGS];
static const char *kpath;

static int k_upd(const char *name, const void *k, const void *v)
{
	struct bpf_map *m = bpf_object__find_map_by_name(kobj, name);
	if (!m)
		return -ENOENT;
	int err = bpf_map_update_elem(bpf_map__fd(m), k, v, 0);
	if (err)
		printf("kernel: update of %s: %d\n", name, -errno);
	return err ? -errno : 0;
}

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		vprintf(fmt, ap);
	return 0;
}

/* Programs this kernel refuses (kload.h) are left out, each with the
 * kernel's reason; their cases are skipped, not failed. */
static int k_setup(void)
{
	char err[512];
	libbpf_set_print(on_libbpf_print);
	int e = kload_open(kpath, &kl, err, sizeof(err));
	if (e == 77)
		return 77;
	if (e) {
		printf("kernel: %s\n", err);
		return e;
	}
	kobj = kl.obj;
	for (size_t i = 0; i < NPROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(kobj, progs[i].name);
		kfds[i] = p && !kload_refused(&kl, progs[i].name) ? bpf_program__fd(p) : -1;
	}
	return map_setup(k_upd);
}

static int k_run(int pi, const struct phcase *c, struct result *r, struct b2n_test_run_opts *bo)
{
	int mfd = bpf_map__fd(bpf_object__find_map_by_name(kobj, "rec"));
	int sfd = bpf_map__fd(bpf_object__find_map_by_name(kobj, "scratch"));
	static unsigned char zero[1024];
	(void)bo;
	for (uint32_t i = 0; i < NREC; i++)
		bpf_map_update_elem(mfd, &i, zero, 0);
	uint32_t k0 = 0;
	bpf_map_update_elem(sfd, &k0, zero, 0);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = c->pkt, .data_size_in = c->len,
	            .data_out = r->out, .data_size_out = c->size_out, .repeat = c->repeat,
	            .flags = c->flags);
	if (c->have_ctx) {
		o.ctx_in = c->ctx;
		o.ctx_size_in = c->ctx_size;
		o.ctx_out = r->ctx_out;
		o.ctx_size_out = progs[pi].type == T_XDP ? 24 : 192;
	}
	r->err = bpf_prog_test_run_opts(kfds[pi], &o);
	r->retval = o.retval;
	r->size_out = o.data_size_out;
	r->ctx_size_out = o.ctx_size_out;
	for (uint32_t i = 0; i < NREC; i++)
		bpf_map_lookup_elem(mfd, &i, &r->rec[i]);
	return 0;
}

static int k_mapop(int op, const char *name, const void *key, void *value, uint64_t flags)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(kobj, name)), err;
	switch (op) {
	case 'u':
		err = bpf_map_update_elem(fd, key, value, flags);
		break;
	case 'l':
		err = bpf_map_lookup_elem(fd, key, value);
		break;
	case 'd':
		err = bpf_map_delete_elem(fd, key);
		break;
	default:
		err = bpf_map_get_next_key(fd, key, value);
		break;
	}
	return err ? -errno : 0;
}

static const struct backend be_kernel = {"kernel", k_setup, k_run, k_mapop};
#endif

/* ---- formatting ----------------------------------------------------------------- */

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void format(char *buf, size_t cap, int pi, int idx, const struct phcase *c,
                   const struct result *r)
{
	size_t n = 0;
#define P(...) (n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__))
	P("%s %d in %u", progs[pi].name, idx, c->len);
	if (c->repeat)
		P(" repeat %d", c->repeat);
	if (c->flags)
		P(" csum-complete");
	if (r->err == -EBADMSG) /* 74, but 76 on sparc */
		P(" err EBADMSG");
	else
		P(" err %d", r->err);
	if (r->err && r->err != -ENOSPC) {
		return;
	}
	P(" ret %u size %u out ", r->retval, r->size_out);
	uint32_t shown = r->size_out;
	if (c->size_out && shown > c->size_out)
		shown = c->size_out;
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < shown; i++) {
		if (i < 48)
			P("%02x", r->out[i]);
		h = (h ^ r->out[i]) * 16777619u;
	}
	P(" fnv %08x", h);
	if (c->have_ctx && !r->err) {
		const unsigned char *m = r->ctx_out;
		if (progs[pi].type == T_XDP)
			P(" ctx %u %u %u %u %u %u", rd32(m), rd32(m + 4), rd32(m + 8), rd32(m + 12),
			  rd32(m + 16), rd32(m + 20));
		else
			P(" ctx mark %u prio %u iif %u if %u ts %llu cb %u,%u,%u,%u,%u wl %u segs "
			  "%u "
			  "gso %u hw %llu",
			  rd32(m + 8), rd32(m + 32), rd32(m + 36), rd32(m + 40),
			  (unsigned long long)rd64(m + 152), rd32(m + 48), rd32(m + 52),
			  rd32(m + 56), rd32(m + 60), rd32(m + 64), rd32(m + 160), rd32(m + 164),
			  rd32(m + 176), (unsigned long long)rd64(m + 184));
		P(" ctxsz %u", r->ctx_size_out);
	}
	P(" rec");
	for (int i = 0; i < NREC; i++)
		if (r->rec[i])
			P(" %d=%llx", i, (unsigned long long)r->rec[i]);
#undef P
}

/* what the runtime reports about redirects, checked against the maps */
static int check_redirect(int pi, const struct phcase *c, const struct result *r,
                          const struct b2n_test_run_opts *o)
{
	if (strcmp(progs[pi].name, "xdp_redir") || r->err || r->retval != 4)
		return 0;
	const unsigned char *t = c->pkt + 14;
	uint32_t op = t[0] % 5, key = (uint32_t)t[8] << 24 | t[9] << 16 | t[10] << 8 | t[11];
	uint32_t want;
	int have_map = op != 4;
	if (op == 0)
		want = key == 0 || key == 2 ? 1 : 0;
	else if (op == 1)
		want = key == 5 || key == 9 ? 1 : 0;
	else if (op == 2)
		want = key < 2 ? key : 0;
	else
		want = key;
	if ((o->redirect_map != NULL) != have_map || o->redirect_ifindex != want ||
	    o->redirect_key != (op == 4 ? 0 : key)) {
		printf("FAIL: %s case: redirect record map %p key %u ifindex %u, expected ifindex "
		       "%u\n",
		       progs[pi].name, (const void *)o->redirect_map, o->redirect_key,
		       o->redirect_ifindex, want);
		return 1;
	}
	return 0;
}

/* ---- user-space operations on the redirect maps -------------------------- */

static const char *errname(int err)
{
	static char buf[16];
	switch (-err) {
	case 0:
		return "0";
	case ENOENT:
		return "ENOENT";
	case EINVAL:
		return "EINVAL";
	case E2BIG:
		return "E2BIG";
	case EEXIST:
		return "EEXIST";
	case ENODEV:
		return "ENODEV";
	case EOVERFLOW:
		return "EOVERFLOW";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EPERM:
		return "EPERM";
	case ENOMEM:
		return "ENOMEM";
	default:
		snprintf(buf, sizeof(buf), "%d", err);
		return buf;
	}
}

#define NMAPOPS 400
static void map_op_line(const struct backend *be, int i, char *buf, size_t cap)
{
	static const char *const maps[] = {"dm", "dmh", "cpum", "xsk"};
	uint32_t key, v[2] = {0, 0}, out[2] = {0xeeeeeeee, 0xeeeeeeee};
	uint64_t flags = 0;
	int m, op, err, pass_null = 0;
	rs = 0x3a950000u + (uint64_t)i;
	m = (int)rn(4);
	op = "ulldnn"[rn(6)];
	if (!strcmp(maps[m], "xsk") && op == 'u')
		op = "ldn"[rn(3)]; /* updates need an AF_XDP socket */
	if (!strcmp(maps[m], "cpum") && rn(2))
		op = 'u';
	key = rn(8) ? rn(10) : PICK(0xffffffff, 8, 16, 1000);
	flags = rn(5) ? 0 : PICK(1, 2, 3, 4);
	if (!strcmp(maps[m], "cpum"))
		v[0] = PICK(0, 64, 192, 16384, 16385, 1);
	else
		v[0] = PICK(0, 1, 1, 1);
	v[1] = rn(4) ? 0 : (uint32_t)-1;
	if (op == 'n' && rn(4) == 0)
		pass_null = 1;
	err = be->mapop(op, maps[m], pass_null ? NULL : &key, op == 'u' ? (void *)v : (void *)out,
	                flags);
	snprintf(buf, cap, "map %d %s %c key %u flags %u val %u,%u = %s out %x,%x", i, maps[m], op,
	         pass_null ? 99999u : key, (unsigned)flags, v[0], v[1], errname(err),
	         op == 'u' ? 0 : out[0],
	         op == 'u'                                            ? 0
	         : (op == 'l' && !strcmp(maps[m], "dm")) || op == 'n' ? 0
	                                                              : out[1]);
}

static char *next_line(FILE *f, char *buf, size_t cap)
{
	if (!f || !fgets(buf, (int)cap, f))
		return NULL;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	static struct phcase c;
	static struct result r;
	static char line[1 << 14], exp[1 << 14];
#ifdef PH_KERNEL
	static struct result rk;
	static char kline[1 << 14];
#endif
	struct b2n_test_run_opts o;
	int kernel = argc >= 4 && !strcmp(argv[1], "kernel");
	int pass = 0, fail = 0, kfail = 0, skipped = 0, err;
	FILE *ef, *out = NULL;

	if (argc < 3 || (!kernel && strcmp(argv[1], "native"))) {
		fprintf(stderr, "usage: %s native EXPECTED | kernel EXPECTED OBJ [OUT]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef PH_KERNEL
	kpath = kernel ? argv[3] : NULL;
	if (kernel) {
		err = be_kernel.setup();
		if (err == 77) {
			printf("SKIP: bpf() not permitted here (loading ph.bpf.o: EPERM/ENOSYS)\n");
			return 77;
		}
		if (err) {
			printf("0 passed, 1 failed (kernel setup)\n");
			return 1;
		}
		if (argc >= 5 && !(out = fopen(argv[4], "w"))) {
			perror(argv[4]);
			return 1;
		}
	}
#else
	if (kernel) {
		printf("SKIP: built without libbpf (PH_KERNEL)\n");
		return 77;
	}
#endif
	int have_b2n = 1;
	if ((err = be_b2n.setup())) {
		printf("runtime setup failed (%d)%s\n", err, kernel ? ": kernel results only" : "");
		if (!kernel) {
			printf("0 passed, 1 failed\n");
			return 1;
		}
		have_b2n = 0;
		fail++;
	}
	ef = fopen(argv[2], "r");
	if (!ef)
		printf("note: no expected file %s\n", argv[2]);
	for (size_t pi = 0; pi < NPROGS; pi++) {
		int pfail = 0, ppass = 0;
		/* A program this kernel refuses: its cases still check the
		 * runtime against the expected file, but count as skipped. */
		const char *refused = NULL;
#ifdef PH_KERNEL
		if (kernel && (refused = kload_refused(&kl, progs[pi].name)))
			printf("SKIP: %s (%d cases): the kernel refuses it: %s\n", progs[pi].name,
			       progs[pi].ncases, refused);
#endif
		for (int i = 0; i < progs[pi].ncases; i++) {
			rs = 0x5eed0000u + pi * 0x10000u + (uint64_t)i;
			progs[pi].gen(&c, i);
			if (progs[pi].type != T_XDP && rn(4) == 0)
				c.flags = 1u << 2; /* BPF_F_TEST_SKB_CHECKSUM_COMPLETE */
			if (getenv("PH_DEBUG"))
				printf("in %s %d len %u proto %02x%02x ctx %d\n", progs[pi].name, i,
				       c.len, c.len > 13 ? c.pkt[12] : 0,
				       c.len > 13 ? c.pkt[13] : 0, c.have_ctx);
			memset(&r, 0, sizeof(r));
			int bad = 0;
			if (have_b2n) {
				be_b2n.run((int)pi, &c, &r, &o);
				format(line, sizeof(line), (int)pi, i, &c, &r);
				bad = check_redirect((int)pi, &c, &r, &o);
			} else {
				strcpy(line, "(no runtime)");
			}
			const char *ref = line;
#ifdef PH_KERNEL
			if (kernel && !refused) {
				memset(&rk, 0, sizeof(rk));
				be_kernel.run((int)pi, &c, &rk, &o);
				format(kline, sizeof(kline), (int)pi, i, &c, &rk);
				if (out)
					fprintf(out, "%s\n", kline);
				if (strcmp(kline, line)) {
					printf("FAIL: runtime differs from the kernel:\n  kernel:  "
					       "%.400s\n  "
					       "runtime: %.400s\n",
					       kline, line);
					bad = 1;
				}
				ref = kline;
			}
#endif
			const char *e = next_line(ef, exp, sizeof(exp));
			if (refused && out && e)
				fprintf(out, "%s\n", e); /* keep the expected line */
			if (ef && (!e || strcmp(e, ref))) {
				printf("FAIL: %s differs from %s:\n  expected: %.400s\n  got:      "
				       "%.400s\n",
				       kernel && !refused ? "kernel" : "runtime", argv[2],
				       e ? e : "(end of file)", ref);
				bad = 1;
				kfail += kernel && !refused;
			}
			if (bad)
				pfail++;
			else if (refused)
				skipped++;
			else
				ppass++;
		}
		printf("%-14s %4d passed, %d failed%s\n", progs[pi].name, ppass, pfail,
		       refused ? " (skipped in the kernel: the runtime matched the expected file)"
		               : "");
		pass += ppass;
		fail += pfail;
	}
	{
		int ppass = 0, pfail = 0;
		for (int i = 0; i < NMAPOPS; i++) {
			int bad = 0;
			const char *ref = line;
			if (have_b2n)
				map_op_line(&be_b2n, i, line, sizeof(line));
			else
				strcpy(line, "(no runtime)");
#ifdef PH_KERNEL
			if (kernel) {
				map_op_line(&be_kernel, i, kline, sizeof(kline));
				if (out)
					fprintf(out, "%s\n", kline);
				if (strcmp(kline, line)) {
					printf("FAIL: runtime differs from the kernel:\n  kernel:  "
					       "%s\n  "
					       "runtime: %s\n",
					       kline, line);
					bad = 1;
				}
				ref = kline;
			}
#endif
			const char *e = next_line(ef, exp, sizeof(exp));
			if (ef && (!e || strcmp(e, ref))) {
				printf(
				    "FAIL: %s differs from %s:\n  expected: %s\n  got:      %s\n",
				    kernel ? "kernel" : "runtime", argv[2], e ? e : "(end of file)",
				    ref);
				bad = 1;
				kfail += kernel;
			}
			if (bad)
				pfail++;
			else
				ppass++;
		}
		printf("%-14s %4d passed, %d failed\n", "map ops", ppass, pfail);
		pass += ppass;
		fail += pfail;
	}
	if (out)
		fclose(out);
	if (!ef)
		fail++;
	else
		fclose(ef);
	if (kfail)
		printf(
		    "note: %d kernel results differ from %s (refresh it with the OUT argument)\n",
		    kfail, argv[2]);
	printf("%d passed, %d failed, %d skipped\n", pass, fail, skipped);
	return fail ? 1 : 0;
}
