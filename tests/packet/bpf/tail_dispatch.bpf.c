/*
 * tail_dispatch.bpf.c - XDP tail-call dispatcher.  The entry program
 * parses Ethernet and IPv4/IPv6, stores the L4 offset in 4 bytes of XDP
 * metadata (bpf_xdp_adjust_meta; in network order, since the kernel's
 * data_out includes the metadata) and tail-calls the handler the
 * application put at the IP protocol's slot of a prog_array (TCP, UDP,
 * ICMP/ICMPv6; UDP to port 53 chains once more to a DNS handler).  An
 * empty slot falls through to a counter.  Handlers read the offset back
 * from data_meta and count per protocol.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

enum { S_TCP, S_TCP_SYN, S_UDP, S_DNS, S_ICMP, S_MISS, S_NOMETA, S_SHORT, S_MAX };
PKT_ARRAY(disp_stats, S_MAX, __u64);
PKT_ARRAY(icmp_types, 256, __u64);

#define DNS_SLOT 255

/* The L4 offset saved by the dispatcher, or -1. */
static __always_inline long l4_off(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 *meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data) {
		pkt_add(&disp_stats, S_NOMETA, 1);
		return -1;
	}
	return bpf_ntohl(*meta) & 0xfff;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	long off = l4_off(ctx);
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (off < 0)
		return XDP_ABORTED;
	struct tcphdr *th = data + off;
	if ((void *)(th + 1) > end) {
		pkt_add(&disp_stats, S_SHORT, 1);
		return XDP_DROP;
	}
	pkt_add(&disp_stats, S_TCP, 1);
	if (PKT_TCP_FLAGS(th) & PKT_TH_SYN)
		pkt_add(&disp_stats, S_TCP_SYN, 1);
	return th->dest ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	long off = l4_off(ctx);
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (off < 0)
		return XDP_ABORTED;
	struct udphdr *uh = data + off;
	if ((void *)(uh + 1) > end) {
		pkt_add(&disp_stats, S_SHORT, 1);
		return XDP_DROP;
	}
	pkt_add(&disp_stats, S_UDP, 1);
	if (uh->dest == bpf_htons(53))
		bpf_tail_call(ctx, &jmp_table, DNS_SLOT);
	return uh->dest == bpf_htons(9) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int handle_dns(struct xdp_md *ctx)
{
	pkt_add(&disp_stats, S_DNS, 1);
	return XDP_TX;
}

SEC("xdp")
int handle_icmp(struct xdp_md *ctx)
{
	long off = l4_off(ctx);
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (off < 0)
		return XDP_ABORTED;
	struct icmpw *ic = data + off;
	if ((void *)(ic + 1) > end) {
		pkt_add(&disp_stats, S_SHORT, 1);
		return XDP_DROP;
	}
	pkt_add(&disp_stats, S_ICMP, 1);
	pkt_add(&icmp_types, ic->type, 1);
	return XDP_PASS;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 proto, off;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		proto = ip->protocol;
		off = sizeof(*eth) + PKT_IHL(ip) * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		proto = ip6->nexthdr;
		off = sizeof(*eth) + sizeof(*ip6);
	} else {
		return XDP_PASS;
	}
	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	__u32 *meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return XDP_ABORTED;
	*meta = bpf_htonl(off); /* network order: the metadata is in data_out */
	bpf_tail_call(ctx, &jmp_table, proto);
	pkt_add(&disp_stats, S_MISS, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
