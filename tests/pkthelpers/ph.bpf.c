/*
 * ph.bpf.c - one program per family of packet helpers, driven by control
 * bytes that the generator (ph_driver.c) puts in the packet right after the
 * Ethernet header.  Each program records the helpers' return values and a
 * few lengths in the array `rec` and leaves its marks in the packet, so
 * that one run compares verdict, output packet and map with the kernel.
 *
 * Byte-order neutral (the bpfeb object must print what the bpfel one
 * prints): control fields are big-endian and read with bpf_ntoh*(), values
 * that are sums in memory order (checksums, raw from/to words) only reach
 * the packet or are converted with bpf_ntohs() before reaching `rec`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} rec SEC(".maps");

struct scratch_val {
	__u8 b[1024];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch_val);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} dmh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} cpum SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsk SEC(".maps");

/* control block at offset 14 (offset 0 for socket filters) */
struct ctl {
	__u8 op;
	__u8 fl;
	__be16 a, b, c;
	__be32 x, y, z, w;
};

static __always_inline void put(__u32 i, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&rec, &i);
	if (p)
		*p = v;
}

/* ---- XDP -------------------------------------------------------------------- */

SEC("xdp")
int xdp_adj(struct xdp_md *ctx)
{
	struct ctl c;
	long r;
	if (bpf_xdp_load_bytes(ctx, 14, &c, sizeof(c)))
		return XDP_ABORTED;
	put(7, ctx->ingress_ifindex);
	put(8, ctx->rx_queue_index);
	{
		void *data = (void *)(long)ctx->data, *meta = (void *)(long)ctx->data_meta;
		put(9, data - meta);
		if (meta + 4 <= data)
			put(10, bpf_ntohl(*(__be32 *)meta));
	}
	if (c.fl & 1) {
		r = bpf_xdp_adjust_head(ctx, (__s16)bpf_ntohs(c.b));
		put(1, r);
		r = bpf_xdp_adjust_meta(ctx, (__s16)bpf_ntohs(c.a));
		put(0, r);
	} else {
		r = bpf_xdp_adjust_meta(ctx, (__s16)bpf_ntohs(c.a));
		put(0, r);
		r = bpf_xdp_adjust_head(ctx, (__s16)bpf_ntohs(c.b));
		put(1, r);
	}
	r = bpf_xdp_adjust_tail(ctx, (__s16)bpf_ntohs(c.c));
	put(2, r);
	put(3, bpf_xdp_get_buff_len(ctx));
	{
		void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
		void *meta = (void *)(long)ctx->data_meta;
		put(4, data - meta);
		put(5, end - data);
		if (meta + 4 <= data)
			*(__u32 *)meta ^= bpf_htonl(0x5aa5c33c);
		if (data + 2 <= end)
			*(__u16 *)data ^= 0xffff;
	}
	return c.op & 3;
}

SEC("xdp")
int xdp_bytes(struct xdp_md *ctx)
{
	struct ctl c;
	__u8 buf[64] = {};
	long r;
	__u32 len;
	if (bpf_xdp_load_bytes(ctx, 14, &c, sizeof(c)))
		return XDP_ABORTED;
	len = (c.fl & 63) + 1;
	r = bpf_xdp_load_bytes(ctx, bpf_ntohl(c.x), buf, len);
	put(0, r);
	r = bpf_xdp_store_bytes(ctx, bpf_ntohl(c.y), buf, len);
	put(1, r);
	put(2, bpf_xdp_get_buff_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
int xdp_redir(struct xdp_md *ctx)
{
	struct ctl c;
	long r;
	__u64 flags;
	__u32 key;
	if (bpf_xdp_load_bytes(ctx, 14, &c, sizeof(c)))
		return XDP_ABORTED;
	key = bpf_ntohl(c.x);
	flags = (__u64)bpf_ntohl(c.z) << 32 | bpf_ntohl(c.y);
	switch (c.op % 5) {
	case 0:
		r = bpf_redirect_map(&dm, key, flags);
		break;
	case 1:
		r = bpf_redirect_map(&dmh, key, flags);
		break;
	case 2:
		r = bpf_redirect_map(&cpum, key, flags);
		break;
	case 3:
		r = bpf_redirect_map(&xsk, key, flags);
		break;
	default:
		r = bpf_redirect(key, flags);
		break;
	}
	put(0, r);
	{
		/* devmap values are readable by programs */
		struct bpf_devmap_val *v = bpf_map_lookup_elem(&dmh, &key);
		__u32 *w = bpf_map_lookup_elem(&dm, &key);
		put(1, v ? v->ifindex : 0xdead);
		put(2, w ? *w : 0xdead);
	}
	return r;
}

/* ---- tc ----------------------------------------------------------------------- */

SEC("tc")
int tc_bytes(struct __sk_buff *ctx)
{
	struct ctl c;
	__u8 buf[64] = {};
	long r = 0, r2 = 0;
	__u32 len;
	if (bpf_skb_load_bytes(ctx, 14, &c, sizeof(c)))
		return TC_ACT_UNSPEC;
	len = (c.fl & 63) + 1;
	switch (c.op & 7) {
	case 0:
		r = bpf_skb_load_bytes(ctx, bpf_ntohl(c.x), buf, len);
		r2 = bpf_skb_store_bytes(ctx, bpf_ntohl(c.y), buf, len, bpf_ntohl(c.z));
		break;
	case 1:
		r = bpf_skb_load_bytes_relative(ctx, bpf_ntohl(c.x), buf, len, bpf_ntohl(c.z));
		r2 = bpf_skb_store_bytes(ctx, bpf_ntohl(c.y), buf, len, 0);
		break;
	case 2:
		r = bpf_skb_pull_data(ctx, bpf_ntohl(c.x));
		break;
	case 3:
		r = bpf_skb_change_tail(ctx, bpf_ntohl(c.x), bpf_ntohl(c.z));
		break;
	case 4:
		r = bpf_skb_change_head(ctx, bpf_ntohl(c.x), bpf_ntohl(c.z));
		break;
	case 5:
		r = bpf_redirect(bpf_ntohl(c.x), bpf_ntohl(c.z));
		put(0, r);
		return r;
	case 6:
		bpf_set_hash(ctx, bpf_ntohl(c.x));
		r = bpf_get_hash_recalc(ctx);
		put(3, ctx->hash);
		bpf_set_hash_invalid(ctx);
		r2 = ctx->hash;
		break;
	default:
		r = bpf_csum_update(ctx, bpf_ntohl(c.x));
		break;
	}
	put(0, r);
	put(1, r2);
	put(5, ctx->len);
	put(6, (long)ctx->data_end - (long)ctx->data);
	return c.op >> 4;
}

SEC("tc")
int tc_csum(struct __sk_buff *ctx)
{
	struct ctl c;
	long r;
	__u64 flags;
	if (bpf_skb_load_bytes(ctx, 14, &c, sizeof(c)))
		return TC_ACT_UNSPEC;
	flags = bpf_ntohl(c.w) | (__u64)(c.fl & 0x80) << 25;
	/* from/to: raw memory words (checksum arithmetic is memory order),
	 * 16-bit ones for the 2-byte form */
	__u64 from = c.x, to = c.y;
	if ((flags & 0xf) == 2) {
		from = *(__u16 *)&c.x;
		to = *(__u16 *)&c.y;
	}
	if (c.op & 2)
		from = 0;
	if (c.op & 1)
		r = bpf_l3_csum_replace(ctx, bpf_ntohs(c.a), from, to, flags);
	else
		r = bpf_l4_csum_replace(ctx, bpf_ntohs(c.a), from, to, flags);
	put(0, r);
	return TC_ACT_OK;
}

SEC("tc")
int tc_csum_diff(struct __sk_buff *ctx)
{
	struct ctl c;
	struct scratch_val *s;
	__u32 k = 0, fs, ts, fo, to;
	long r;
	__u16 v;
	if (bpf_skb_load_bytes(ctx, 14, &c, sizeof(c)))
		return TC_ACT_UNSPEC;
	s = bpf_map_lookup_elem(&scratch, &k);
	if (!s)
		return TC_ACT_UNSPEC;
	for (int i = 0; i < 8; i++)
		if (bpf_skb_load_bytes(ctx, 0, s->b + i * 128, 128))
			return TC_ACT_UNSPEC;
	fs = bpf_ntohs(c.a) & 0x2ff;
	ts = bpf_ntohs(c.b) & 0x2ff;
	fo = c.fl;
	to = c.op;
	r = bpf_csum_diff((__be32 *)(s->b + fo), fs, (__be32 *)(s->b + to), ts, c.x);
	put(0, r < 0 ? (__u64)r : (__u64)bpf_ntohs((__u16)r));
	put(1, (__u64)r >> 16);
	v = (__u16)r;
	bpf_skb_store_bytes(ctx, 14, &v, 2, 0);
	/* and through l4_csum_replace's diff form, on a sum in the packet */
	r = bpf_l4_csum_replace(ctx, 16, 0, r, BPF_F_PSEUDO_HDR | (c.fl & 0x20));
	put(2, r);
	return TC_ACT_OK;
}

SEC("tc")
int tc_fields(struct __sk_buff *ctx)
{
	put(0, ctx->len);
	put(1, ctx->pkt_type);
	put(2, ctx->mark);
	put(3, bpf_ntohs(ctx->protocol));
	put(4, ctx->priority);
	put(5, (__u64)ctx->ingress_ifindex << 32 | ctx->ifindex);
	put(6, (__u64)ctx->cb[0] << 32 | ctx->cb[4]);
	put(7, ctx->tstamp);
	put(8, (__u64)ctx->wire_len << 32 | ctx->gso_segs);
	put(9, (__u64)ctx->gso_size << 32 | ctx->hash);
	put(10, ctx->hwtstamp);
	put(11, (__u64)ctx->queue_mapping << 32 | ctx->vlan_present);
	put(12, (__u64)ctx->tc_index << 32 | ctx->tc_classid);
	put(13, (long)ctx->data_end - (long)ctx->data);
	ctx->mark ^= 0x01020304;
	ctx->priority += 7;
	ctx->cb[1] = ctx->len;
	ctx->cb[4] ^= 0xffff;
	ctx->tc_classid = 0x10002;
	ctx->tc_index = 9;
	ctx->tstamp += 1000;
	return TC_ACT_OK;
}

/* push/pop sequences; the control block doubles as VLAN headers (offset 14
 * is the TCI of a tagged frame, 16 its encapsulated protocol = c.a, ...) */
SEC("tc")
int tc_vlan(struct __sk_buff *ctx)
{
	struct ctl c;
	__u8 b[4] = {};
	long r;
	if (bpf_skb_load_bytes(ctx, 14, &c, sizeof(c)))
		return TC_ACT_UNSPEC;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (c.op & (1 << (2 * i)))
			r = bpf_skb_vlan_push(ctx, i & 1 ? c.c : c.a, bpf_ntohs(c.b) + i);
		else if (c.op & (2 << (2 * i)))
			r = bpf_skb_vlan_pop(ctx);
		else
			continue;
		put(i, r);
		put(4 + i, (__u64)ctx->vlan_present << 48 | (__u64)(ctx->vlan_tci & 0xffff) << 32 |
		               (__u64)bpf_ntohs(ctx->vlan_proto) << 16 | bpf_ntohs(ctx->protocol));
	}
	put(8, ctx->len);
	r = bpf_skb_load_bytes_relative(ctx, 0, b, 4, BPF_HDR_START_NET);
	put(9, (__u64)(r & 0xff) << 32 | (__u64)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
	r = bpf_skb_load_bytes_relative(ctx, 12, b, 4, BPF_HDR_START_MAC);
	put(10, (__u64)(r & 0xff) << 32 | (__u64)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
	return TC_ACT_OK;
}

SEC("tc")
int tc_room(struct __sk_buff *ctx)
{
	struct ctl c;
	__u8 b[4] = {};
	long r;
	if (bpf_skb_load_bytes(ctx, 14, &c, sizeof(c)))
		return TC_ACT_UNSPEC;
	/* csum_level: a sequence of INC/DEC/RESET/QUERY (or invalid) from c.w */
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 lv = (bpf_ntohl(c.w) >> (8 * i)) & 0xff;
		if (lv > 5)
			continue;
		put(8 + i, bpf_csum_level(ctx, lv) + 0x100);
	}
	if (c.op & 1)
		r = bpf_skb_change_proto(ctx, c.a, (c.op & 2) ? 1 : 0);
	else
		r = bpf_skb_adjust_room(ctx, (__s16)bpf_ntohs(c.b), c.fl & 3,
		                        (__u64)bpf_ntohl(c.y) << 32 | bpf_ntohl(c.x));
	put(0, r);
	put(1, ctx->len);
	put(2, bpf_ntohs(ctx->protocol));
	if (c.op & 4) {
		r = bpf_skb_adjust_room(ctx, (__s16)bpf_ntohs(c.c), (c.fl >> 2) & 1,
		                        bpf_ntohl(c.z));
		put(3, r);
	}
	if (c.op & 8) {
		r = bpf_skb_change_tail(ctx, ctx->len + 1, 0);
		put(4, r);
	}
	r = bpf_skb_load_bytes_relative(ctx, 0, b, 4, BPF_HDR_START_NET);
	put(5, (__u64)(r & 0xff) << 32 | (__u64)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
	r = bpf_skb_load_bytes_relative(ctx, 10, b, 4, BPF_HDR_START_MAC);
	put(6, (__u64)(r & 0xff) << 32 | (__u64)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
	put(7, (long)ctx->data_end - (long)ctx->data);
	put(12, bpf_csum_level(ctx, BPF_CSUM_LEVEL_QUERY) + 0x100);
	return TC_ACT_OK;
}

/* ---- socket filters -------------------------------------------------------------- */

SEC("socket")
int sock_bytes(struct __sk_buff *ctx)
{
	struct ctl c;
	__u8 buf[64] = {};
	long r;
	__u32 len;
	if (bpf_skb_load_bytes(ctx, 0, &c, sizeof(c)))
		return 0;
	len = (c.fl & 63) + 1;
	if (c.op & 1)
		r = bpf_skb_load_bytes_relative(ctx, bpf_ntohl(c.x), buf, len, bpf_ntohl(c.z));
	else
		r = bpf_skb_load_bytes(ctx, bpf_ntohl(c.x), buf, len);
	put(0, r);
	put(1, (__u64)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]);
	put(2, ctx->len);
	put(3, bpf_ntohs(ctx->protocol));
	put(4, (__u64)ctx->pkt_type << 32 | ctx->ifindex);
	put(5, (__u64)ctx->mark << 32 | ctx->priority);
	put(6, (__u64)ctx->cb[2] << 32 | ctx->cb[3]);
	ctx->cb[0] = ctx->len * 3;
	ctx->cb[3] ^= 0xa5a5;
	return bpf_ntohs(c.a);
}

/* LD_ABS / LD_IND: an offset past the packet ends the program with 0 */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int sock_ldabs(struct __sk_buff *ctx)
{
	struct ctl c;
	if (bpf_skb_load_bytes(ctx, 0, &c, sizeof(c)))
		return 0;
	put(0, load_byte(ctx, 0));
	put(1, load_half(ctx, 2));
	put(2, load_word(ctx, 12));
	put(3, load_byte(ctx, (__s32)bpf_ntohl(c.x)));
	put(4, load_half(ctx, (__s32)bpf_ntohl(c.y)));
	put(5, load_word(ctx, (__s32)bpf_ntohl(c.z)));
	return 0x7fffffff;
}
