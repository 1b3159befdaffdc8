/* xdp_pcap.bpf.c - an XDP program of the usual shape: it parses Ethernet,
 * up to two VLAN tags (802.1Q / 802.1ad), IPv4 (options skipped by ihl,
 * fragments recognised), IPv6 (fixed header), TCP, UDP, ICMP and ICMPv6,
 * and counts packets and bytes per protocol in the proto_stats array.
 *
 * Verdicts:
 *   XDP_ABORTED  a header cut short by the end of the packet, or a bad ihl;
 *   XDP_DROP     a source address in block_v4 / block_v6, or a TCP/UDP
 *                destination port in block_ports (hash maps the application
 *                fills; their values count the hits);
 *   XDP_TX       UDP to XP_ECHO_PORT: the MAC addresses are swapped;
 *   XDP_REDIRECT TCP to XP_REDIRECT_PORT + k: bpf_redirect_map(&tx_ports, k)
 *                through a devmap, counted in redirect_stats[k] (an empty
 *                slot gives the fallback action XDP_PASS);
 *   XDP_PASS     everything else.
 * The packet length counted is data_end - data. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_pcap.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_NSTATS);
	__type(key, __u32);
	__type(value, struct xp_counter);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16); /* port, network byte order */
	__type(value, __u64);
} block_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* IPv4 source address, network byte order */
	__type(value, __u64);
} block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct in6_addr);
	__type(value, __u64);
} block_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XP_NPORTS);
	__type(key, __u32);
	__type(value, __u32); /* ifindex */
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_NPORTS);
	__type(key, __u32);
	__type(value, struct xp_counter);
} redirect_stats SEC(".maps");

static __always_inline void count(__u32 slot, __u64 len)
{
	struct xp_counter *c = bpf_map_lookup_elem(&proto_stats, &slot);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
	}
}

static __always_inline int hit(void *map, const void *key)
{
	__u64 *hits = bpf_map_lookup_elem(map, key);
	if (!hits)
		return 0;
	__sync_fetch_and_add(hits, 1);
	return 1;
}

static __always_inline void swap_mac(struct ethhdr *eth)
{
	unsigned char tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

/* L4 of an IPv4 or IPv6 packet: l4 points past the IP header. */
static __always_inline int l4(struct xdp_md *ctx, struct ethhdr *eth, void *l4, __u8 proto,
                              __u64 len)
{
	void *end = (void *)(long)ctx->data_end;
	__u16 dport;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			goto malformed;
		count(XP_STAT_TCP, len);
		dport = th->dest;
		if (hit(&block_ports, &dport))
			return XDP_DROP;
		__u32 k = bpf_ntohs(dport) - XP_REDIRECT_PORT;
		if (k < XP_NPORTS) {
			struct xp_counter *c = bpf_map_lookup_elem(&redirect_stats, &k);
			if (c) {
				__sync_fetch_and_add(&c->packets, 1);
				__sync_fetch_and_add(&c->bytes, len);
			}
			return bpf_redirect_map(&tx_ports, k, XDP_PASS);
		}
		return XDP_PASS;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			goto malformed;
		count(XP_STAT_UDP, len);
		dport = uh->dest;
		if (hit(&block_ports, &dport))
			return XDP_DROP;
		if (dport == bpf_htons(XP_ECHO_PORT)) {
			swap_mac(eth);
			return XDP_TX;
		}
		return XDP_PASS;
	}
	if (proto == IPPROTO_ICMP) {
		count(XP_STAT_ICMP, len);
		return XDP_PASS;
	}
	if (proto == IPPROTO_ICMPV6) {
		count(XP_STAT_ICMPV6, len);
		return XDP_PASS;
	}
	count(XP_STAT_OTHER, len);
	return XDP_PASS;
malformed:
	count(XP_STAT_MALFORMED, len);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 len = end - data;
	void *p;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		goto malformed;
	count(XP_STAT_ETH, len);
	proto = eth->h_proto;
	p = eth + 1;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		/* struct vlan_hdr: TCI, then the encapsulated protocol */
		if (p + 4 > end)
			goto malformed;
		if (i == 0)
			count(XP_STAT_VLAN, len);
		proto = *(__u16 *)(p + 2);
		p += 4;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;
		__u32 ihl;
		if ((void *)(ip + 1) > end)
			goto malformed;
		/* not ip->ihl: the bitfield's order follows <asm/byteorder.h>,
		 * which is the host's, also under -target bpfeb */
		ihl = *(__u8 *)ip & 0x0f;
		if (ihl < 5 || p + ihl * 4 > end)
			goto malformed;
		count(XP_STAT_IPV4, len);
		if (hit(&block_v4, &ip->saddr))
			return XDP_DROP;
		if (ip->frag_off & bpf_htons(0x1fff)) { /* not the first fragment */
			count(XP_STAT_FRAG, len);
			return XDP_PASS;
		}
		return l4(ctx, eth, p + ihl * 4, ip->protocol, len);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;
		struct in6_addr src;
		if ((void *)(ip6 + 1) > end)
			goto malformed;
		count(XP_STAT_IPV6, len);
		__builtin_memcpy(&src, &ip6->saddr, sizeof(src));
		if (hit(&block_v6, &src))
			return XDP_DROP;
		return l4(ctx, eth, ip6 + 1, ip6->nexthdr, len);
	}
	if (proto == bpf_htons(ETH_P_ARP)) {
		count(XP_STAT_ARP, len);
		return XDP_PASS;
	}
	count(XP_STAT_OTHER, len);
	return XDP_PASS;
malformed:
	count(XP_STAT_MALFORMED, len);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
