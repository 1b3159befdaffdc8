/*
 * lpm_filter.bpf.c - XDP: source and destination address classification
 * through two LPM tries (IPv4 and IPv6) the application fills with
 * overlapping prefixes.  The longest match of the source decides (value:
 * rule id and action), else the destination's; hits are counted per rule.
 * The trie key is { __u32 prefixlen (host order); address bytes }.
 */
#include "pkt_bpf.h"

struct lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};
struct lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};
struct rule {
	__u32 id;
	__u32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm4);
	__type(value, struct rule);
} rules4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm6);
	__type(value, struct rule);
} rules6 SEC(".maps");

PKT_ARRAY(hits, 16, __u64);
PKT_ARRAY(misses, 2, __u64);

static __always_inline int decide(struct rule *r)
{
	pkt_add(&hits, r->id & 15, 1);
	return r->action ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int lpm_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rule *r;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		struct lpm4 k = {.prefixlen = 32};
		__builtin_memcpy(k.addr, &ip->saddr, 4);
		r = bpf_map_lookup_elem(&rules4, &k);
		if (r)
			return decide(r);
		__builtin_memcpy(k.addr, &ip->daddr, 4);
		r = bpf_map_lookup_elem(&rules4, &k);
		if (r)
			return decide(r);
		pkt_add(&misses, 0, 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		struct lpm6 k = {.prefixlen = 128};
		__builtin_memcpy(k.addr, &ip6->saddr, 16);
		r = bpf_map_lookup_elem(&rules6, &k);
		if (r)
			return decide(r);
		__builtin_memcpy(k.addr, &ip6->daddr, 16);
		r = bpf_map_lookup_elem(&rules6, &k);
		if (r)
			return decide(r);
		pkt_add(&misses, 1, 1);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
