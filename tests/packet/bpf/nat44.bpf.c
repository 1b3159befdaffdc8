/*
 * nat44.bpf.c - XDP destination NAT for IPv4 TCP/UDP.  A hash map keyed by
 * the destination address (network-order bytes) gives the new address
 * and, when nonzero, the new destination port.  The IP header checksum is
 * updated with bpf_csum_diff (seeded with the old checksum, folded here),
 * the TCP/UDP checksum by hand folding over the pseudo-header address and
 * the port; a zero UDP checksum (none) stays zero and a computed zero is
 * sent as 0xffff.  Non-first fragments only get the IP header rewritten.
 */
#include "pkt_bpf.h"

struct nat_val {
	__u8 addr[4];
	__be16 port; /* 0: keep */
	__u16 rule;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __be32);
	__type(value, struct nat_val);
} dnat SEC(".maps");

PKT_ARRAY(xlated, 8, __u64);
PKT_ARRAY(nat_stats, 4, __u64);

SEC("xdp")
int nat44(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || PKT_IHL(ip) < 5)
		return XDP_PASS;
	__be32 daddr = ip->daddr;
	struct nat_val *nv = bpf_map_lookup_elem(&dnat, &daddr);
	if (!nv) {
		pkt_add(&nat_stats, 0, 1);
		return XDP_PASS;
	}
	__be32 naddr;
	__builtin_memcpy(&naddr, nv->addr, 4);
	__be16 nport = nv->port;
	pkt_add(&xlated, nv->rule & 7, 1);

	__s64 d = bpf_csum_diff(&daddr, 4, &naddr, 4, (__u16)~ip->check);
	if (d < 0) {
		pkt_add(&nat_stats, 3, 1);
		return XDP_ABORTED;
	}
	ip->check = pkt_csum_fold((__u64)d);
	ip->daddr = naddr;

	if (ip->frag_off & bpf_htons(IP_OFFSET)) {
		pkt_add(&nat_stats, 1, 1);
		return XDP_PASS;
	}
	void *l4 = (void *)ip + PKT_IHL(ip) * 4;
	__u16 *csum;
	__be16 *dport;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return XDP_PASS;
		csum = &th->check;
		dport = &th->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return XDP_PASS;
		if (uh->check == 0) {
			if (nport)
				uh->dest = nport;
			pkt_add(&nat_stats, 2, 1);
			return XDP_PASS;
		}
		csum = &uh->check;
		dport = &uh->dest;
	} else {
		return XDP_PASS;
	}
	pkt_csum_replace4(csum, daddr, naddr);
	if (nport) {
		pkt_csum_replace2(csum, *dport, nport);
		*dport = nport;
	}
	if (ip->protocol == IPPROTO_UDP && *csum == 0)
		*csum = 0xffff;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
