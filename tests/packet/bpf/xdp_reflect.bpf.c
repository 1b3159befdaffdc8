/*
 * xdp_reflect.bpf.c - XDP header rewriter that answers in place: an IPv4
 * ICMP echo request becomes an echo reply (MACs and addresses swapped,
 * type 8 -> 0 with the ICMP checksum updated by hand, RFC 1624) and a UDP
 * datagram to the echo port (7) is sent back (ports swapped; the UDP
 * checksum is unchanged by a swap).  Both return XDP_TX; the rest passes.
 * `actions` counts replies, echoes and passes.
 */
#include "pkt_bpf.h"

PKT_ARRAY(actions, 4, __u64);

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline void swap_addrs(struct iphdr *ip)
{
	__be32 a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
}

SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto pass;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || PKT_IHL(ip) != 5 || (ip->frag_off & bpf_htons(IP_OFFSET)))
		goto pass;
	if (ip->protocol == IPPROTO_ICMP) {
		struct icmpw *ic = (void *)(ip + 1);
		if ((void *)(ic + 1) > end || ic->type != PKT_ICMP_ECHO || ic->code)
			goto pass;
		__u16 old = *(__u16 *)ic;
		ic->type = PKT_ICMP_ECHOREPLY;
		pkt_csum_replace2(&ic->checksum, old, *(__u16 *)ic);
		/* TTL reset to 64: IP header checksum updated too. */
		__u16 oldttl = *(__u16 *)&ip->ttl;
		ip->ttl = 64;
		pkt_csum_replace2(&ip->check, oldttl, *(__u16 *)&ip->ttl);
		swap_addrs(ip);
		swap_macs(eth);
		pkt_add(&actions, 0, 1);
		return XDP_TX;
	}
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(ip + 1);
		if ((void *)(uh + 1) > end || uh->dest != bpf_htons(7))
			goto pass;
		uh->dest = uh->source;
		uh->source = bpf_htons(7);
		swap_addrs(ip);
		swap_macs(eth);
		pkt_add(&actions, 1, 1);
		return XDP_TX;
	}
pass:
	pkt_add(&actions, 2, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
