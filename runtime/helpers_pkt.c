/*
 * helpers_pkt.c - the packet helpers of XDP, tc and socket-filter
 * programs, on the native contexts of <bpf2native/ctx.h> and the buffers
 * packet.c builds (ctx->priv is a struct b2n_pkt).  Each one follows its
 * kernel counterpart in net/core/filter.c for a linear buffer and an skb
 * whose ip_summed is CHECKSUM_NONE, UNNECESSARY (csum_level) or COMPLETE
 * (the kernel's test run with BPF_F_TEST_SKB_CHECKSUM_COMPLETE):
 *
 *  - XDP: adjust_head (data may move between the end of the 40-byte
 *    struct xdp_frame plus the metadata and data_end - ETH_HLEN, the
 *    metadata moving with it), adjust_meta (metadata 4-byte multiple, at
 *    most 255 bytes: -EACCES; out of [frame, data]: -EINVAL), adjust_tail
 *    (data_end within [data + ETH_HLEN, frame end]; growth is zeroed),
 *    load/store_bytes (offset or len over 0xffff -EFAULT, past the end
 *    -EINVAL; across the fragments of a multi-buffer packet),
 *    get_buff_len (fragments included), adjust_tail of a multi-buffer
 *    packet (grows the last fragment within its page, shrinks and frees
 *    fragments from the end, then the linear part), redirect (flags -> XDP_ABORTED) and
 *    redirect_map (devmap/cpumap/xskmap, map_dev.c; the low two flag bits
 *    are the action when the slot is empty, BPF_F_BROADCAST and
 *    BPF_F_EXCLUDE_INGRESS for devmaps).  A redirect is recorded per
 *    thread (the kernel's bpf_redirect_info) and reported by test_run.
 *  - skb: load_bytes/store_bytes (offsets from skb->data; past the end
 *    -EFAULT, and load clears the buffer), load_bytes_relative (MAC or
 *    network header), l3/l4_csum_replace, csum_diff, csum_update
 *    (-ENOTSUPP without CHECKSUM_COMPLETE), change_tail (new bytes zeroed;
 *    bounded by the network offset below and by SKB_MAX_ALLOC, 16064 on
 *    x86_64, above, as measured on the kernel),
 *    change_head (zeroed, resets the MAC header), pull_data, redirect
 *    (flags other than BPF_F_INGRESS -> TC_ACT_SHOT), set_hash,
 *    set_hash_invalid and get_hash_recalc, vlan_push (the first tag is
 *    metadata: vlan_present/vlan_tci/vlan_proto; pushing a second one
 *    writes the first into the packet) and vlan_pop (the metadata tag,
 *    else one from the packet; a further tag in the packet then becomes
 *    the metadata tag), change_proto (IPv4 <-> IPv6: 20 bytes pushed or
 *    pulled after the MAC header, as the kernel leaves the rest to the
 *    program) and adjust_room (MAC or NET mode, grow with zeroed bytes or
 *    shrink, the encapsulation flags' checks, protocol switch and
 *    network-header move).  GSO: a test run's skb is GSO when ctx_in
 *    sets gso_size, with gso_type 0 (neither TCP nor UDP_L4), so
 *    adjust_room and change_proto return -ENOTSUPP, and change_tail
 *    resets gso_size/gso_segs (skb_gso_reset).  csum_level
 *    (CHECKSUM_NONE / UNNECESSARY and the level, reset by adjust_room).
 *    With CHECKSUM_COMPLETE, skb->csum follows the kernel's rcsum
 *    updates: store_bytes with BPF_F_RECOMPUTE_CSUM (block sub/add at the
 *    offset's parity), l4_csum_replace with BPF_F_PSEUDO_HDR, csum_update
 *    (returns the new sum), the tag bytes of vlan_push/pop and the bytes
 *    adjust_room/change_proto remove; change_tail drops it to NONE.
 *    get_hash_recalc of a
 *    packet without a set hash computes a flow hash in the kernel with a
 *    boot-time random key: here a fixed FNV-1a of the first 64 bytes
 *    after the MAC header, so it is stable but not the kernel's value.
 *
 * Checksums are 16-bit one's complement as in include/net/checksum.h.
 * csum_partial adds the buffer as 32-bit words in host order (a tail of 1
 * to 3 bytes as a zero-padded word) in a 64-bit accumulator and folds the
 * result to the canonical 32-bit representative (0 only when everything
 * added was 0).  x86_64's csum_partial gives exactly that value (its
 * 64-bit end-around-carry sum is canonical modulo 2^64-1, and folding it
 * is canonical modulo 2^32-1), so the unfolded sums agree with the
 * kernel bit for bit on x86_64.  bpf_csum_diff returns, since Linux 6.13,
 * that sum folded to 16 bits with csum_from32to16 (the same on every
 * architecture; before, x86_64 returned the unfolded 32-bit sum, other
 * architectures a differently unfolded one, and sizes had to be multiples
 * of 4 of at most 512 bytes together).  Now any sizes are accepted (the
 * verifier bounds the memory) and the result never is an error: the
 * kernel of this machine (6.18) agrees on every generated case.  On big-endian hosts the words are
 * loaded big-endian and every 16-bit result is the byte swap of the little-endian one: the bytes a
 * program stores are the same on both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define ETH_HLEN 14u
#define XDP_FRAME_SIZE 40u /* sizeof(struct xdp_frame) on 64-bit kernels */
#define B2N_ENOTSUPP 524
#define XDP_ABORTED 0
#define XDP_REDIRECT 4
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7
#define F_INGRESS 1u
#define F_BROADCAST (1u << 3)
#define F_EXCLUDE_INGRESS (1u << 4)
#define F_RECOMPUTE_CSUM 1u
#define F_INVALIDATE_HASH 2u
#define F_HDR_FIELD_MASK 0xfu
#define F_PSEUDO_HDR (1u << 4)
#define F_MARK_MANGLED_0 (1u << 5)
#define F_MARK_ENFORCE (1u << 6)
#define F_IPV6 (1u << 7)
#define HDR_START_MAC 0
#define HDR_START_NET 1

static uint64_t err64(long e)
{
	return (uint64_t)(int64_t)e;
}

/* ---- checksums ---------------------------------------------------------- */

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t csum16_add(uint16_t c, uint16_t a)
{
	uint16_t r = (uint16_t)(c + a);
	return (uint16_t)(r + (r < a));
}

uint32_t b2n_rt_csum_partial(const unsigned char *p, uint32_t len, uint32_t seed)
{
	uint64_t s = seed;
	uint32_t w;
	for (; len >= 4; len -= 4, p += 4) {
		memcpy(&w, p, 4);
		s += w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

#define csum_partial b2n_rt_csum_partial

/* skb->csum of CHECKSUM_COMPLETE packets (the kernel's test run with
 * BPF_F_TEST_SKB_CHECKSUM_COMPLETE): csum_block_add/sub and the two pull
 * forms of include/linux/skbuff.h */
static uint32_t ror8(uint32_t v)
{
	return v >> 8 | v << 24;
}

static void rcsum_push(struct b2n_pkt *p, const unsigned char *start, uint32_t len, uint32_t off)
{
	uint32_t s = csum_partial(start, len, 0);
	if (p && p->csum_complete)
		p->csum = csum_add(p->csum, off & 1 ? ror8(s) : s);
}

static void rcsum_pull_at(struct b2n_pkt *p, const unsigned char *start, uint32_t len, uint32_t off)
{
	uint32_t s = ~csum_partial(start, len, 0);
	if (p && p->csum_complete)
		p->csum = csum_add(p->csum, off & 1 ? ror8(s) : s);
}

/* skb_postpull_rcsum: wsum_negate(csum_partial(start, len, -csum)) */
static void rcsum_pull(struct b2n_pkt *p, const unsigned char *start, uint32_t len)
{
	if (p && p->csum_complete)
		p->csum = 0u - csum_partial(start, len, 0u - p->csum);
}

static uint16_t csum_from32to16(uint32_t s)
{
	s += (s >> 16) | (s << 16);
	return (uint16_t)(s >> 16);
}

static uint16_t ld16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void st16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* csum_replace_by_diff / csum_replace4 / csum_replace2 on a stored sum */
static void replace_by_diff(unsigned char *ptr, uint32_t diff)
{
	st16(ptr, csum_fold(csum_add(diff, ~(uint32_t)ld16(ptr))));
}

static void replace4(unsigned char *ptr, uint32_t from, uint32_t to)
{
	uint32_t tmp = csum_sub(~(uint32_t)ld16(ptr), from);
	st16(ptr, csum_fold(csum_add(tmp, to)));
}

static void replace2(unsigned char *ptr, uint16_t from, uint16_t to)
{
	uint16_t s = (uint16_t)~ld16(ptr);
	s = csum16_add(s, (uint16_t)~from);
	st16(ptr, (uint16_t)~csum16_add(s, to));
}

uint64_t b2n_h_csum_diff(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const unsigned char *from = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *to = (const unsigned char *)(uintptr_t)r3;
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4, ret = (uint32_t)r5;
	if (from_size && to_size)
		ret = csum_sub(csum_partial(to, to_size, ret), csum_partial(from, from_size, 0));
	else if (to_size)
		ret = csum_partial(to, to_size, ret);
	else if (from_size)
		ret = ~csum_partial(from, from_size, ~ret);
	return csum_from32to16(ret);
}

/* ---- skb ---------------------------------------------------------------- */

static struct b2n_sk_buff *as_skb(uint64_t r)
{
	return (struct b2n_sk_buff *)(uintptr_t)r;
}

static uint32_t skb_len(const struct b2n_sk_buff *skb)
{
	return (uint32_t)(skb->data_end_ptr - skb->data_ptr);
}

uint64_t b2n_h_skb_load_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	void *to = (void *)(uintptr_t)r3;
	(void)r5;
	if (off > INT32_MAX || (uint64_t)off + len > skb_len(skb)) {
		memset(to, 0, len);
		return err64(-EFAULT);
	}
	memmove(to, skb->data_ptr + off, len);
	return 0;
}

uint64_t b2n_h_skb_store_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	if (r5 & ~(uint64_t)(F_RECOMPUTE_CSUM | F_INVALIDATE_HASH))
		return err64(-EINVAL);
	if (off > INT32_MAX || (uint64_t)off + len > skb_len(skb))
		return err64(-EFAULT);
	if (r5 & F_RECOMPUTE_CSUM)
		rcsum_pull_at(skb->priv, skb->data_ptr + off, len, off);
	memmove(skb->data_ptr + off, (const void *)(uintptr_t)r3, len);
	if (r5 & F_RECOMPUTE_CSUM)
		rcsum_push(skb->priv, skb->data_ptr + off, len, off);
	if (r5 & F_INVALIDATE_HASH) {
		struct b2n_pkt *p = skb->priv;
		skb->hash = 0;
		if (p)
			p->sw_hash = 0;
	}
	return 0;
}

uint64_t b2n_h_skb_load_bytes_relative(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                       uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	void *to = (void *)(uintptr_t)r3;
	const unsigned char *start = NULL;
	if (off <= 0xffff) {
		if (r5 == HDR_START_MAC)
			start = !p                        ? skb->data_ptr
			        : p->mac != B2N_PKT_UNSET ? p->head + p->mac
			                                  : NULL;
		else if (r5 == HDR_START_NET)
			start = !p ? skb->data_ptr : p->head + p->net;
	}
	if (start && start + off <= skb->data_end_ptr &&
	    (uint64_t)(skb->data_end_ptr - (start + off)) >= len) {
		memmove(to, start + off, len);
		return 0;
	}
	memset(to, 0, len);
	return err64(-EFAULT);
}

/* offset checks shared by l3/l4_csum_replace; the sum's address or NULL */
static unsigned char *csum_ptr(struct b2n_sk_buff *skb, uint32_t off)
{
	if (off > 0xffff || (off & 1) || off + 2 > skb_len(skb))
		return NULL;
	return skb->data_ptr + off;
}

uint64_t b2n_h_l3_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	unsigned char *ptr;
	if (r5 & ~(uint64_t)F_HDR_FIELD_MASK)
		return err64(-EINVAL);
	if (!(ptr = csum_ptr(as_skb(r1), (uint32_t)r2)))
		return err64(-EFAULT);
	switch (r5 & F_HDR_FIELD_MASK) {
	case 0:
		if (r3)
			return err64(-EINVAL);
		replace_by_diff(ptr, (uint32_t)r4);
		break;
	case 2:
		replace2(ptr, (uint16_t)r3, (uint16_t)r4);
		break;
	case 4:
		replace4(ptr, (uint32_t)r3, (uint32_t)r4);
		break;
	default:
		return err64(-EINVAL);
	}
	return 0;
}

uint64_t b2n_h_l4_csum_replace(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	unsigned char *ptr;
	int mmzero = (r5 & F_MARK_MANGLED_0) != 0, mforce = (r5 & F_MARK_ENFORCE) != 0;
	if (r5 & ~(uint64_t)(F_MARK_MANGLED_0 | F_MARK_ENFORCE | F_PSEUDO_HDR | F_HDR_FIELD_MASK |
	                     F_IPV6))
		return err64(-EINVAL);
	if (!(ptr = csum_ptr(as_skb(r1), (uint32_t)r2)))
		return err64(-EFAULT);
	if (mmzero && !mforce && !ld16(ptr))
		return 0;
	/* inet_proto_csum_replace*: skb->csum follows a pseudo-header change
	 * of a CHECKSUM_COMPLETE packet */
	struct b2n_pkt *p = as_skb(r1)->priv;
	int pseudo = (r5 & F_PSEUDO_HDR) && p && p->csum_complete;
	uint32_t from = (uint32_t)r3, to = (uint32_t)r4;
	switch (r5 & F_HDR_FIELD_MASK) {
	case 0:
		if (r3)
			return err64(-EINVAL);
		replace_by_diff(ptr, to);
		if (pseudo && !(r5 & F_IPV6))
			p->csum = ~csum_add(to, ~p->csum);
		break;
	case 2:
	case 4:
		if ((r5 & F_HDR_FIELD_MASK) == 2)
			from = (uint16_t)from, to = (uint16_t)to;
		replace4(ptr, from, to);
		if (pseudo)
			p->csum = ~csum_add(csum_sub(~p->csum, from), to);
		break;
	default:
		return err64(-EINVAL);
	}
	if (mmzero && !ld16(ptr))
		st16(ptr, 0xffff); /* CSUM_MANGLED_0 */
	return 0;
}

uint64_t b2n_h_csum_update(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_pkt *p = as_skb(r1)->priv;
	(void)r3, (void)r4, (void)r5;
	if (!p || !p->csum_complete)
		return err64(-B2N_ENOTSUPP);
	p->csum = csum_add(p->csum, (uint32_t)r2);
	return p->csum;
}

/* bpf_csum_level: QUERY 0, INC 1, DEC 2, RESET 3 on ip_summed NONE or
 * UNNECESSARY (SKB_MAX_CSUM_LEVEL 3) */
uint64_t b2n_h_csum_level(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_pkt *p = as_skb(r1)->priv;
	(void)r3, (void)r4, (void)r5;
	if (!p)
		return r2 <= 3 ? err64(r2 ? 0 : -EACCES) : err64(-EINVAL);
	switch (r2) {
	case 1:
		if (p->csum_complete)
			return 0;
		if (!p->csum_unnecessary)
			p->csum_unnecessary = 1, p->csum_level = 0;
		else if (p->csum_level < 3)
			p->csum_level++;
		return 0;
	case 2:
		if (p->csum_unnecessary && p->csum_level == 0)
			p->csum_unnecessary = 0;
		else if (p->csum_unnecessary)
			p->csum_level--;
		return 0;
	case 3:
		p->csum_unnecessary = 0, p->csum_level = 0;
		return 0;
	case 0:
		return p->csum_unnecessary ? (uint64_t)p->csum_level : err64(-EACCES);
	default:
		return err64(-EINVAL);
	}
}

uint64_t b2n_h_skb_pull_data(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	(void)r3, (void)r4, (void)r5;
	return (uint32_t)r2 > skb_len(skb) ? err64(-ENOMEM) : 0;
}

/* __bpf_skb_min_len: the network offset (no transport header is set and
 * nothing is CHECKSUM_PARTIAL in a test run) */
static uint32_t skb_min_len(const struct b2n_pkt *p)
{
	if (p->net == B2N_PKT_UNSET || p->net <= p->data)
		return 0;
	return p->net - p->data;
}

uint64_t b2n_h_skb_change_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t new_len = (uint32_t)r2;
	int err;
	(void)r4, (void)r5;
	if (!p)
		return err64(-EINVAL);
	if (r3 || new_len > p->max_len || new_len < skb_min_len(p))
		return err64(-EINVAL);
	if (p->encap)
		return err64(-B2N_ENOTSUPP);
	if (new_len != p->len)
		p->csum_complete = 0; /* __skb_grow_rcsum / __skb_trim_rcsum */
	if (new_len > p->len) {
		if ((err = b2n_rt_skb_reserve(p, 0, new_len - p->len)))
			return err64(err);
		memset(p->head + p->data + p->len, 0, new_len - p->len);
	}
	p->len = new_len;
	if (skb->gso_size) /* skb_gso_reset */
		skb->gso_size = 0, skb->gso_segs = 0;
	b2n_rt_skb_sync(p);
	return 0;
}

uint64_t b2n_h_skb_change_head(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t room = (uint32_t)r2, new_len;
	int err;
	(void)r4, (void)r5;
	if (!p)
		return err64(-EINVAL);
	new_len = p->len + room;
	if (r3 || new_len > p->max_len || new_len < p->len)
		return err64(-EINVAL);
	if ((err = b2n_rt_skb_reserve(p, room, 0)))
		return err64(err);
	p->data -= room;
	p->len = new_len;
	memset(p->head + p->data, 0, room);
	p->mac = p->data;
	b2n_rt_skb_sync(p);
	return 0;
}

uint64_t b2n_h_set_hash_invalid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	(void)r2, (void)r3, (void)r4, (void)r5;
	skb->hash = 0;
	if (p)
		p->sw_hash = 0;
	return 0;
}

uint64_t b2n_h_set_hash(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	(void)r3, (void)r4, (void)r5;
	skb->hash = (uint32_t)r2;
	if (p)
		p->sw_hash = 1;
	return 0;
}

uint64_t b2n_h_get_hash_recalc(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (p && !p->sw_hash) {
		const unsigned char *s = p->head + (p->net != B2N_PKT_UNSET ? p->net : p->data);
		uint32_t h = 2166136261u;
		for (int i = 0; i < 64 && s + i < skb->data_end_ptr; i++)
			h = (h ^ s[i]) * 16777619u;
		skb->hash = h ? h : 1;
		p->sw_hash = 1;
	}
	return skb->hash;
}

/* ---- VLAN (skb_vlan_push / skb_vlan_pop, net/core/skbuff.c) ------------- */

static uint32_t raw16(unsigned char hi, unsigned char lo)
{
	unsigned char b[2] = {hi, lo};
	return (uint32_t)b2n_rt_load(b, 2, 0); /* a __be16 as stored */
}

static int is_vlan_proto(uint32_t proto)
{
	return proto == raw16(0x81, 0x00) || proto == raw16(0x88, 0xa8);
}

static void vlan_hw_put(struct b2n_sk_buff *skb, uint32_t proto, uint32_t tci)
{
	skb->vlan_proto = proto;
	skb->vlan_tci = tci & 0xffff;
	skb->vlan_present = proto || skb->vlan_tci;
}

/* __skb_vlan_pop: take the tag after the MAC addresses out of the data */
static int vlan_pop_one(struct b2n_pkt *p, uint32_t *tci)
{
	struct b2n_sk_buff *skb = p->skb;
	unsigned char *d = p->head + p->data;
	if (p->mac != p->data)
		return -EINVAL;
	if (p->len < ETH_HLEN + 4)
		return -ENOMEM;
	rcsum_pull(p, d + 12, 4);
	*tci = (uint32_t)d[14] << 8 | d[15];
	memmove(d + 4, d, 12);
	if (d[16] >= 0x06) /* vlan_set_encap_proto */
		skb->protocol = raw16(d[16], d[17]);
	else
		skb->protocol = p->len >= ETH_HLEN + 8 && d[18] == 0xff && d[19] == 0xff
		                    ? raw16(0, 0x01)  /* ETH_P_802_3 */
		                    : raw16(0, 0x04); /* ETH_P_802_2 */
	p->data += 4;
	p->len -= 4;
	p->mac += 4;
	if (p->net == B2N_PKT_UNSET || (int64_t)p->net - (int64_t)p->data < (int64_t)ETH_HLEN)
		p->net = p->data + ETH_HLEN;
	return 0;
}

uint64_t b2n_h_skb_vlan_push(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t proto = (uint16_t)r2;
	int err;
	(void)r4, (void)r5;
	if (!p)
		return err64(-EINVAL);
	if (!is_vlan_proto(proto))
		proto = raw16(0x81, 0x00);
	if (skb->vlan_present) {
		/* the tag already held as metadata goes into the packet */
		unsigned char *d;
		if (p->mac != p->data)
			return err64(-EINVAL);
		if ((err = b2n_rt_skb_reserve(p, 4, 0)))
			return err64(err);
		p->data -= 4;
		p->len += 4;
		d = p->head + p->data;
		memmove(d, d + 4, 12);
		p->mac -= 4;
		st16(d + 12, (uint16_t)skb->vlan_proto);
		d[14] = (unsigned char)(skb->vlan_tci >> 8);
		d[15] = (unsigned char)skb->vlan_tci;
		skb->protocol = skb->vlan_proto;
		if (p->net != B2N_PKT_UNSET)
			p->net -= 4;
		rcsum_push(p, d + 12, 4, 0);
	}
	vlan_hw_put(skb, proto, (uint16_t)r3);
	b2n_rt_skb_sync(p);
	return 0;
}

uint64_t b2n_h_skb_vlan_pop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t tci, proto;
	int err = 0;
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!p)
		return err64(-EINVAL);
	if (skb->vlan_present) {
		vlan_hw_put(skb, 0, 0);
	} else {
		if (!is_vlan_proto(skb->protocol))
			return 0;
		err = vlan_pop_one(p, &tci);
	}
	if (!err && is_vlan_proto(skb->protocol)) {
		/* the next tag in the packet becomes the metadata tag */
		proto = skb->protocol;
		if (!(err = vlan_pop_one(p, &tci)))
			vlan_hw_put(skb, proto, tci);
	}
	b2n_rt_skb_sync(p);
	return err64(err);
}

/* ---- skb_change_proto / skb_adjust_room ----------------------------------- */

#define B2N_ENOTSUPP_ERR (-B2N_ENOTSUPP)
#define ADJ_FIXED_GSO (1u << 0)
#define ADJ_ENCAP_L3_IPV4 (1u << 1)
#define ADJ_ENCAP_L3_IPV6 (1u << 2)
#define ADJ_ENCAP_L4_GRE (1u << 3)
#define ADJ_ENCAP_L4_UDP (1u << 4)
#define ADJ_NO_CSUM_RESET (1u << 5)
#define ADJ_ENCAP_L2_ETH (1u << 6)
#define ADJ_DECAP_L3_IPV4 (1u << 7)
#define ADJ_DECAP_L3_IPV6 (1u << 8)
#define ADJ_ENCAP_L3_MASK (ADJ_ENCAP_L3_IPV4 | ADJ_ENCAP_L3_IPV6)
#define ADJ_DECAP_L3_MASK (ADJ_DECAP_L3_IPV4 | ADJ_DECAP_L3_IPV6)
#define ADJ_MASK                                                                                   \
	((uint64_t)(ADJ_FIXED_GSO | ADJ_ENCAP_L3_MASK | ADJ_ENCAP_L4_GRE | ADJ_ENCAP_L4_UDP |      \
	            ADJ_ENCAP_L2_ETH | ADJ_DECAP_L3_MASK) |                                        \
	 (uint64_t)0xff << 56)
#define ADJ_ROOM_NET 0
#define ADJ_ROOM_MAC 1

static uint32_t mac_header_len(const struct b2n_pkt *p)
{
	return (uint16_t)(p->net - p->mac);
}

/* bpf_skb_net_hdr_push: len zero bytes at off from skb->data, the MAC and
 * network headers moving with the bytes before them */
static int net_hdr_push(struct b2n_pkt *p, uint32_t off, uint32_t len)
{
	int err = b2n_rt_skb_reserve(p, len, 0);
	unsigned char *d;
	if (err)
		return err;
	p->data -= len;
	p->len += len;
	d = p->head + p->data;
	memmove(d, d + len, off);
	memset(d + off, 0, len);
	p->mac -= len;
	p->net -= len;
	return 0;
}

static int net_hdr_pop(struct b2n_pkt *p, uint32_t off, uint32_t len)
{
	unsigned char *old = p->head + p->data;
	if ((uint64_t)off + len > p->len)
		return -ENOMEM;
	rcsum_pull(p, old + off, len);
	p->data += len;
	p->len -= len;
	memmove(p->head + p->data, old, off);
	p->mac += len;
	p->net += len;
	return 0;
}

static void set_proto(struct b2n_sk_buff *skb, int v6)
{
	skb->protocol = v6 ? raw16(0x86, 0xdd) : raw16(0x08, 0x00);
}

uint64_t b2n_h_skb_change_proto(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	uint32_t to = (uint16_t)r2, v4 = raw16(0x08, 0x00), v6 = raw16(0x86, 0xdd);
	int err;
	(void)r4, (void)r5;
	if (r3)
		return err64(-EINVAL);
	if (!p)
		return err64(-EINVAL);
	if ((skb->protocol == v4 && to == v6) || (skb->protocol == v6 && to == v4))
		err = skb->gso_size ? B2N_ENOTSUPP_ERR /* GSO, and never TCP here */
		    : to == v6 ? net_hdr_push(p, mac_header_len(p), 20)
		               : net_hdr_pop(p, mac_header_len(p), 20);
	else
		err = B2N_ENOTSUPP_ERR;
	if (!err) {
		set_proto(skb, to == v6);
		skb->hash = 0;
		p->sw_hash = 0;
	}
	b2n_rt_skb_sync(p);
	return err64(err);
}

static int adjust_room(struct b2n_pkt *p, int32_t len_diff, uint32_t mode, uint64_t flags)
{
	struct b2n_sk_buff *skb = p->skb;
	uint32_t v4 = raw16(0x08, 0x00), v6 = raw16(0x86, 0xdd);
	uint32_t abs_diff = len_diff < 0 ? 0u - (uint32_t)len_diff : (uint32_t)len_diff;
	uint32_t base = skb->protocol == v4 ? 20 : skb->protocol == v6 ? 40 : 0;
	uint32_t len_min = base, len_cur, off;
	int shrink = len_diff < 0;

	if (flags & ~(ADJ_MASK | ADJ_NO_CSUM_RESET))
		return -EINVAL;
	if (abs_diff > 0xfff)
		return -EFAULT;
	if (skb->protocol != v4 && skb->protocol != v6)
		return B2N_ENOTSUPP_ERR;
	off = mac_header_len(p);
	if (mode == ADJ_ROOM_NET)
		off += base;
	else if (mode != ADJ_ROOM_MAC)
		return B2N_ENOTSUPP_ERR;
	if (flags & ADJ_DECAP_L3_MASK) {
		if (!shrink)
			return -EINVAL;
		if ((flags & ADJ_DECAP_L3_MASK) == ADJ_DECAP_L3_IPV4)
			len_min = 20;
		else if ((flags & ADJ_DECAP_L3_MASK) == ADJ_DECAP_L3_IPV6)
			len_min = 40;
		else
			return -EINVAL;
	}
	len_cur = p->len - (p->net - p->data);
	if ((shrink && (abs_diff >= len_cur || len_cur - abs_diff < len_min)) ||
	    (!shrink && p->len + abs_diff > p->max_len))
		return B2N_ENOTSUPP_ERR;
	if (shrink) { /* bpf_skb_net_shrink */
		if (flags & ~(uint64_t)(ADJ_FIXED_GSO | ADJ_DECAP_L3_MASK | ADJ_NO_CSUM_RESET))
			return -EINVAL;
		if (skb->gso_size)
			return B2N_ENOTSUPP_ERR; /* GSO that is not TCP (nor UDP_L4) */
		int err = net_hdr_pop(p, off, abs_diff);
		if (err)
			return err;
		if (skb->protocol == v4 && (flags & ADJ_DECAP_L3_IPV6))
			set_proto(skb, 1);
		else if (skb->protocol == v6 && (flags & ADJ_DECAP_L3_IPV4))
			set_proto(skb, 0);
		return 0;
	}
	/* bpf_skb_net_grow */
	uint32_t inner_mac_len = (uint32_t)(flags >> 56), mac_len = 0;
	int encap = (flags & ADJ_ENCAP_L3_MASK) != 0, err;
	if (skb->gso_size)
		return B2N_ENOTSUPP_ERR; /* GSO that is not TCP (nor UDP_L4) */
	if (encap) {
		if ((flags & ADJ_ENCAP_L3_IPV4) && (flags & ADJ_ENCAP_L3_IPV6))
			return -EINVAL;
		if ((flags & ADJ_ENCAP_L4_GRE) && (flags & ADJ_ENCAP_L4_UDP))
			return -EINVAL;
		if ((flags & ADJ_ENCAP_L2_ETH) && inner_mac_len < ETH_HLEN)
			return -EINVAL;
		if (p->encap)
			return -EALREADY;
		mac_len = p->net - p->mac;
		if (inner_mac_len > abs_diff)
			return -EINVAL;
	}
	if ((err = net_hdr_push(p, off, abs_diff)))
		return err;
	if (encap) {
		p->encap = 1;
		p->net = p->data + mac_len; /* skb_set_network_header(skb, mac_len) */
		if (skb->protocol == v4 && (flags & ADJ_ENCAP_L3_IPV6))
			set_proto(skb, 1);
		else if (skb->protocol == v6 && (flags & ADJ_ENCAP_L3_IPV4))
			set_proto(skb, 0);
	}
	return 0;
}

uint64_t b2n_h_skb_adjust_room(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_sk_buff *skb = as_skb(r1);
	struct b2n_pkt *p = skb->priv;
	int err;
	(void)r5;
	if (!p)
		return err64(-EINVAL);
	err = adjust_room(p, (int32_t)r2, (uint32_t)r3, r4);
	if (!err && !(r4 & ADJ_NO_CSUM_RESET)) /* __skb_reset_checksum_unnecessary */
		p->csum_unnecessary = 0, p->csum_level = 0;
	b2n_rt_skb_sync(p);
	return err64(err);
}

/* ---- redirect ------------------------------------------------------------- */

uint64_t b2n_h_redirect(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	if (b2n_rt_cur_prog_type == B2N_PROG_XDP) {
		if (r2)
			return XDP_ABORTED;
		b2n_rt_redirect_info = (struct b2n_rt_redirect){.ifindex = (uint32_t)r1};
		return XDP_REDIRECT;
	}
	if (r2 & ~(uint64_t)F_INGRESS)
		return TC_ACT_SHOT;
	b2n_rt_redirect_info = (struct b2n_rt_redirect){.ifindex = (uint32_t)r1, .flags = r2};
	return TC_ACT_REDIRECT;
}

uint64_t b2n_h_redirect_map(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = (struct b2n_map *)(uintptr_t)r1;
	uint64_t mask = 3, flags = r3;
	uint32_t key = (uint32_t)r2, ifindex = 0;
	(void)r4, (void)r5;
	if (!m)
		return XDP_ABORTED;
	if (m->type == B2N_MAP_DEVMAP || m->type == B2N_MAP_DEVMAP_HASH)
		mask |= F_BROADCAST | F_EXCLUDE_INGRESS;
	else if (m->type != B2N_MAP_CPUMAP && m->type != B2N_MAP_XSKMAP)
		return XDP_ABORTED;
	if (flags & ~mask)
		return XDP_ABORTED;
	if (!b2n_rt_dev_map_target(m, key, &ifindex) && !(flags & F_BROADCAST)) {
		memset(&b2n_rt_redirect_info, 0, sizeof(b2n_rt_redirect_info));
		return flags & 3;
	}
	b2n_rt_redirect_info = (struct b2n_rt_redirect){
	    .map = m, .key = key, .ifindex = ifindex, .flags = (flags & F_BROADCAST) ? flags : 0};
	return XDP_REDIRECT;
}

/* ---- XDP ------------------------------------------------------------------ */

static struct b2n_xdp_md *as_xdp(uint64_t r)
{
	return (struct b2n_xdp_md *)(uintptr_t)r;
}

/* data_hard_start and the frame end, as addresses; without a test-run
 * buffer the packet itself is the frame */
static uintptr_t xdp_hard_start(const struct b2n_xdp_md *x)
{
	const struct b2n_pkt *p = x->priv;
	return p ? (uintptr_t)p->head : (uintptr_t)x->data_meta_ptr - XDP_FRAME_SIZE;
}

static uintptr_t xdp_hard_end(const struct b2n_xdp_md *x)
{
	const struct b2n_pkt *p = x->priv;
	return p ? (uintptr_t)p->head + p->frame_end : (uintptr_t)x->data_end_ptr;
}

uint64_t b2n_h_xdp_adjust_head(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_xdp_md *x = as_xdp(r1);
	int32_t off = (int32_t)r2;
	uintptr_t metalen = (uintptr_t)(x->data_ptr - x->data_meta_ptr);
	uintptr_t start = xdp_hard_start(x) + XDP_FRAME_SIZE + metalen;
	uintptr_t data = (uintptr_t)x->data_ptr + (uintptr_t)(intptr_t)off;
	(void)r3, (void)r4, (void)r5;
	if ((intptr_t)(data - start) < 0 ||
	    (intptr_t)((uintptr_t)x->data_end_ptr - ETH_HLEN - data) < 0)
		return err64(-EINVAL);
	if (metalen)
		memmove(x->data_meta_ptr + off, x->data_meta_ptr, metalen);
	x->data_meta_ptr += off;
	x->data_ptr += off;
	return 0;
}

uint64_t b2n_h_xdp_adjust_meta(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_xdp_md *x = as_xdp(r1);
	int32_t off = (int32_t)r2;
	uintptr_t frame_end = xdp_hard_start(x) + XDP_FRAME_SIZE;
	uintptr_t meta = (uintptr_t)x->data_meta_ptr + (uintptr_t)(intptr_t)off;
	uintptr_t metalen = (uintptr_t)x->data_ptr - meta;
	(void)r3, (void)r4, (void)r5;
	if ((intptr_t)(meta - frame_end) < 0 || (intptr_t)((uintptr_t)x->data_ptr - meta) < 0)
		return err64(-EINVAL);
	if ((metalen & 3) || metalen > 255)
		return err64(-EACCES);
	x->data_meta_ptr += off;
	return 0;
}

static struct b2n_pkt *xdp_frags(const struct b2n_xdp_md *x)
{
	struct b2n_pkt *p = x->priv;
	return p && p->nfrags ? p : NULL;
}

/* bpf_xdp_frags_increase_tail / bpf_xdp_frags_shrink_tail */
static long frags_adjust_tail(struct b2n_xdp_md *x, struct b2n_pkt *p, int32_t off)
{
	if (off >= 0) {
		uint32_t last = p->nfrags - 1, room = 4096 - p->frags[last].size;
		if ((uint32_t)off > room)
			return -EINVAL;
		memset(p->frags[last].page + p->frags[last].size, 0, (size_t)off);
		p->frags[last].size += (uint32_t)off;
		p->frags_size += (uint32_t)off;
		return 0;
	}
	int64_t shrink = -(int64_t)off;
	if (shrink > (int64_t)(x->data_end_ptr - x->data_ptr) + p->frags_size - ETH_HLEN)
		return -EINVAL;
	while (p->nfrags && shrink > 0) {
		uint32_t i = p->nfrags - 1;
		uint32_t n = shrink < p->frags[i].size ? (uint32_t)shrink : p->frags[i].size;
		p->frags[i].size -= n;
		p->frags_size -= n;
		shrink -= n;
		if (!p->frags[i].size) {
			free(p->frags[i].page);
			p->frags[i].page = NULL;
			p->nfrags--;
		}
	}
	if (!p->nfrags)
		x->data_end_ptr -= shrink;
	return 0;
}

uint64_t b2n_h_xdp_adjust_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_xdp_md *x = as_xdp(r1);
	int32_t off = (int32_t)r2;
	uintptr_t end = (uintptr_t)x->data_end_ptr + (uintptr_t)(intptr_t)off;
	struct b2n_pkt *fp = xdp_frags(x);
	(void)r3, (void)r4, (void)r5;
	if (fp)
		return err64(frags_adjust_tail(x, fp, off));
	if ((intptr_t)(xdp_hard_end(x) - end) < 0 ||
	    (intptr_t)(end - ((uintptr_t)x->data_ptr + ETH_HLEN)) < 0)
		return err64(-EINVAL);
	if (off > 0)
		memset(x->data_end_ptr, 0, (size_t)off);
	x->data_end_ptr += off;
	return 0;
}

uint64_t b2n_h_xdp_get_buff_len(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_xdp_md *x = as_xdp(r1);
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct b2n_pkt *fp = xdp_frags(x);
	return (uint64_t)(x->data_end_ptr - x->data_ptr) + (fp ? fp->frags_size : 0);
}

/* bpf_xdp_pointer's checks, then a copy between buf and the packet bytes
 * [off, off + len) of the linear part and the fragments */
static long xdp_copy(struct b2n_xdp_md *x, uint32_t off, unsigned char *buf, uint32_t len,
                     int to_pkt)
{
	struct b2n_pkt *fp = xdp_frags(x);
	uint32_t lin = (uint32_t)(x->data_end_ptr - x->data_ptr);
	if (off > 0xffff || len > 0xffff)
		return -EFAULT;
	if ((uint64_t)off + len > (uint64_t)lin + (fp ? fp->frags_size : 0))
		return -EINVAL;
	for (uint32_t seg = 0, base = 0; len; seg++) {
		unsigned char *s = seg == 0 ? x->data_ptr : fp->frags[seg - 1].page;
		uint32_t n = seg == 0 ? lin : fp->frags[seg - 1].size;
		if (off < base + n) {
			uint32_t k = base + n - off < len ? base + n - off : len;
			if (to_pkt)
				memmove(s + (off - base), buf, k);
			else
				memmove(buf, s + (off - base), k);
			buf += k;
			off += k;
			len -= k;
		}
		base += n;
	}
	return 0;
}

uint64_t b2n_h_xdp_load_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r5;
	return err64(
	    xdp_copy(as_xdp(r1), (uint32_t)r2, (unsigned char *)(uintptr_t)r3, (uint32_t)r4, 0));
}

uint64_t b2n_h_xdp_store_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r5;
	return err64(
	    xdp_copy(as_xdp(r1), (uint32_t)r2, (unsigned char *)(uintptr_t)r3, (uint32_t)r4, 1));
}
