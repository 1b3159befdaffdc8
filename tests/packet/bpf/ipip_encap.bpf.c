/*
 * ipip_encap.bpf.c - XDP tunnel end point with bpf_xdp_adjust_head.
 * IPv4 packets to 10.10.0.0/16 are encapsulated in IPIP (20 bytes of new
 * headroom, the Ethernet header moved to the front, an outer header whose
 * checksum is summed here); IPIP packets (protocol 4) are decapsulated
 * (the Ethernet header moved 20 bytes on, the head advanced).  A failed
 * adjust_head is recorded with its error code.  Also tries one headroom
 * request the kernel refuses (more than its 256 bytes).
 */
#include "pkt_bpf.h"

PKT_ARRAY(tun_stats, 4, __u64);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __u64);
} errors SEC(".maps");

static __always_inline void note_err(long err)
{
	__s32 e = (__s32)err;
	pkt_hash_add(&errors, &e, 1);
}

SEC("xdp")
int ipip_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr saved;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	__builtin_memcpy(&saved, eth, sizeof(saved));

	if (ip->protocol == IPPROTO_IPIP) {
		if (PKT_IHL(ip) != 5 || (void *)(ip + 2) > end)
			return XDP_DROP;
		long err = bpf_xdp_adjust_head(ctx, (int)sizeof(struct iphdr));
		if (err) {
			note_err(err);
			return XDP_ABORTED;
		}
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		eth = data;
		if ((void *)(eth + 1) > end)
			return XDP_ABORTED;
		__builtin_memcpy(eth, &saved, sizeof(saved));
		pkt_add(&tun_stats, 1, 1);
		return XDP_PASS;
	}

	__u8 *dst = (__u8 *)&ip->daddr;
	if (dst[0] != 10 || dst[1] != 10)
		return XDP_PASS;
	/* Headroom probe: the kernel has 256 bytes minus its xdp_frame. */
	if (dst[2] == 99) {
		long err = bpf_xdp_adjust_head(ctx, -300);
		note_err(err);
		return XDP_PASS;
	}
	__be16 inner_len = ip->tot_len;
	__u8 tos = ip->tos;
	long err = bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr));
	if (err) {
		note_err(err);
		return XDP_ABORTED;
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	struct iphdr *outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &saved, sizeof(saved));
	*(__u8 *)outer = 0x45; /* version 4, IHL 5 */
	outer->tos = tos;
	outer->tot_len = bpf_htons(bpf_ntohs(inner_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = bpf_htons(IP_DF);
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(0xc0000201); /* 192.0.2.1 */
	outer->daddr = bpf_htonl(0xc0000202); /* 192.0.2.2 */
	__u16 *w = (__u16 *)outer;
	__u64 s = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		s += w[i];
	outer->check = pkt_csum_fold(s);
	pkt_add(&tun_stats, 0, 1);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
