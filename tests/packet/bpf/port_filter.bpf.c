/*
 * port_filter.bpf.c - XDP: drop TCP/UDP packets whose destination port is
 * in a hash map the application fills (key: the port as a host __u16,
 * value: a rule id), over IPv4 and IPv6 (VLAN-tagged too).  Drops are
 * counted per port in a hash the program creates entries in, and per rule
 * in an array; `stats` counts parsed/unparsed/passed.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u32);
} blocked_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} drops_by_port SEC(".maps");

PKT_ARRAY(drops_by_rule, 8, __u64);
PKT_ARRAY(stats, 4, __u64);

SEC("xdp")
int port_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l4;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		goto unparsed;
	__be16 et = eth->h_proto;
	void *p = eth + 1;
	if (et == bpf_htons(ETH_P_8021Q)) {
		struct vlanhdr *vh = p;
		if ((void *)(vh + 1) > end)
			goto unparsed;
		et = vh->proto;
		p = vh + 1;
	}
	if (et == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;
		if ((void *)(ip + 1) > end || PKT_IHL(ip) < 5)
			goto unparsed;
		if (ip->frag_off & bpf_htons(IP_OFFSET))
			goto unparsed;
		proto = ip->protocol;
		l4 = p + PKT_IHL(ip) * 4;
	} else if (et == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;
		if ((void *)(ip6 + 1) > end)
			goto unparsed;
		proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		goto unparsed;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		goto unparsed;
	/* Both headers start with the two ports. */
	__be16 *ports = l4;
	if ((void *)(ports + 2) > end)
		goto unparsed;
	pkt_add(&stats, 0, 1);
	__u16 dport = bpf_ntohs(ports[1]);
	__u32 *rule = bpf_map_lookup_elem(&blocked_ports, &dport);
	if (rule) {
		pkt_hash_add(&drops_by_port, &dport, 1);
		pkt_add(&drops_by_rule, *rule & 7, 1);
		return XDP_DROP;
	}
	pkt_add(&stats, 2, 1);
	return XDP_PASS;
unparsed:
	pkt_add(&stats, 1, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
