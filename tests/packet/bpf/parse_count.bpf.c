/*
 * parse_count.bpf.c - an XDP parser that counts what it sees.
 *
 * Ethernet, up to two VLAN tags (802.1Q/802.1ad), IPv4 with options and
 * fragments, IPv6 with up to three extension headers, TCP/UDP/ICMP/ICMPv6.
 * Every class of packet bumps a slot of `counts`; bytes per verdict go to
 * a per-CPU array and the EtherType seen after the tags (as a host
 * integer) to a per-CPU hash.  Truncated and malformed packets are
 * dropped, everything else passes.
 */
#include "pkt_bpf.h"

enum {
	C_SHORT,
	C_VLAN,
	C_QINQ,
	C_IPV4,
	C_IPV4_OPTS,
	C_IPV4_FRAG,
	C_IPV4_BAD,
	C_IPV6,
	C_IPV6_EXT,
	C_TCP,
	C_TCP_SYN,
	C_UDP,
	C_ICMP,
	C_ICMPV6,
	C_OTHER_L3,
	C_OTHER_L4,
	C_TRUNC,
	C_UDP_BADLEN,
	C_MAX
};

PKT_ARRAY(counts, C_MAX, __u64);
PKT_PERCPU_ARRAY(verdict_bytes, 4, __u64);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u64);
} ethertypes SEC(".maps");

SEC("xdp")
int parse_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 verdict = XDP_PASS;
	__u8 l4 = 0;
	void *l4p;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end) {
		pkt_add(&counts, C_SHORT, 1);
		verdict = XDP_DROP;
		goto out;
	}
	__be16 proto = eth->h_proto;
	void *p = eth + 1;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlanhdr *vh = p;
		if ((void *)(vh + 1) > end)
			goto trunc;
		pkt_add(&counts, i ? C_QINQ : C_VLAN, 1);
		proto = vh->proto;
		p = vh + 1;
	}
	__u16 et = bpf_ntohs(proto);
	__u64 one = 1, *c = bpf_map_lookup_elem(&ethertypes, &et);
	if (c)
		*c += 1;
	else
		bpf_map_update_elem(&ethertypes, &et, &one, BPF_NOEXIST);

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;
		if ((void *)(ip + 1) > end)
			goto trunc;
		if (PKT_IPVER(ip) != 4 || PKT_IHL(ip) < 5) {
			pkt_add(&counts, C_IPV4_BAD, 1);
			verdict = XDP_DROP;
			goto out;
		}
		pkt_add(&counts, C_IPV4, 1);
		__u32 hl = PKT_IHL(ip) * 4;
		if (hl > sizeof(*ip))
			pkt_add(&counts, C_IPV4_OPTS, 1);
		if (p + hl > end)
			goto trunc;
		if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
			pkt_add(&counts, C_IPV4_FRAG, 1);
			if (ip->frag_off & bpf_htons(IP_OFFSET))
				goto out;
		}
		l4 = ip->protocol;
		l4p = p + hl;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;
		if ((void *)(ip6 + 1) > end)
			goto trunc;
		pkt_add(&counts, C_IPV6, 1);
		l4 = ip6->nexthdr;
		l4p = ip6 + 1;
#pragma unroll
		for (int i = 0; i < 3; i++) {
			if (l4 != IPPROTO_HOPOPTS && l4 != IPPROTO_ROUTING && l4 != IPPROTO_DSTOPTS)
				break;
			struct ipv6_opt_hdr *oh = l4p;
			if ((void *)(oh + 1) > end)
				goto trunc;
			pkt_add(&counts, C_IPV6_EXT, 1);
			l4 = oh->nexthdr;
			l4p += (oh->hdrlen + 1) * 8;
		}
	} else {
		pkt_add(&counts, C_OTHER_L3, 1);
		goto out;
	}

	if (l4 == IPPROTO_TCP) {
		struct tcphdr *th = l4p;
		if ((void *)(th + 1) > end)
			goto trunc;
		pkt_add(&counts, C_TCP, 1);
		if ((PKT_TCP_FLAGS(th) & (PKT_TH_SYN | PKT_TH_ACK)) == PKT_TH_SYN)
			pkt_add(&counts, C_TCP_SYN, 1);
	} else if (l4 == IPPROTO_UDP) {
		struct udphdr *uh = l4p;
		if ((void *)(uh + 1) > end)
			goto trunc;
		pkt_add(&counts, C_UDP, 1);
		if (bpf_ntohs(uh->len) < sizeof(*uh) || l4p + bpf_ntohs(uh->len) > end)
			pkt_add(&counts, C_UDP_BADLEN, 1);
	} else if (l4 == IPPROTO_ICMP) {
		if (l4p + 4 > end)
			goto trunc;
		pkt_add(&counts, C_ICMP, 1);
	} else if (l4 == IPPROTO_ICMPV6) {
		if (l4p + 4 > end)
			goto trunc;
		pkt_add(&counts, C_ICMPV6, 1);
	} else {
		pkt_add(&counts, C_OTHER_L4, 1);
	}
	goto out;
trunc:
	pkt_add(&counts, C_TRUNC, 1);
	verdict = XDP_DROP;
out:
	pkt_add(&verdict_bytes, verdict, (__u64)(end - data));
	return verdict;
}

char _license[] SEC("license") = "GPL";
