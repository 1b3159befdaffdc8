/*
 * tc_rewrite.bpf.c - a tc header rewriter through the skb helpers only
 * (no direct packet access): bpf_skb_load_bytes reads the IPv4 header
 * (after an optional VLAN tag); the TTL is decremented with
 * bpf_skb_store_bytes and bpf_l3_csum_replace; a source address found in
 * the SNAT hash is replaced, with bpf_l3_csum_replace and
 * bpf_l4_csum_replace(BPF_F_PSEUDO_HDR, and BPF_F_MARK_MANGLED_0 for UDP
 * so that a zero UDP checksum stays zero); TCP port 80 becomes 8080 with
 * bpf_l4_csum_replace of the port word.  Helper errors (reads past the
 * end, ...) are counted by error code.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __be32);
	__type(value, __be32);
} snat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __s32);
	__type(value, __u64);
} helper_errs SEC(".maps");

enum { R_SEEN, R_TTL, R_SNAT, R_PORT, R_TTL_EXPIRED, R_NOTIP, R_MAX };
PKT_ARRAY(rw_stats, R_MAX, __u64);

static __always_inline int check(long err)
{
	if (err) {
		__s32 e = (__s32)err;
		pkt_hash_add(&helper_errs, &e, 1);
	}
	return err != 0;
}

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	__u32 off = ETH_HLEN;
	__be16 et;
	struct iphdr ip;

	if (check(bpf_skb_load_bytes(skb, 12, &et, 2)))
		return TC_ACT_OK;
	if (et == bpf_htons(ETH_P_8021Q)) {
		if (check(bpf_skb_load_bytes(skb, 16, &et, 2)))
			return TC_ACT_OK;
		off += 4;
	}
	if (et != bpf_htons(ETH_P_IP)) {
		pkt_add(&rw_stats, R_NOTIP, 1);
		return TC_ACT_OK;
	}
	if (check(bpf_skb_load_bytes(skb, off, &ip, sizeof(ip))))
		return TC_ACT_OK;
	pkt_add(&rw_stats, R_SEEN, 1);
	if (ip.ttl <= 1) {
		pkt_add(&rw_stats, R_TTL_EXPIRED, 1);
		return TC_ACT_SHOT;
	}
	__u32 csum_off = off + offsetof(struct iphdr, check);
	__u16 old = *(__u16 *)&ip.ttl;
	ip.ttl--;
	__u16 new = *(__u16 *)&ip.ttl;
	if (check(bpf_skb_store_bytes(skb, off + offsetof(struct iphdr, ttl), &ip.ttl, 1, 0)) ||
	    check(bpf_l3_csum_replace(skb, csum_off, old, new, 2)))
		return TC_ACT_SHOT;
	pkt_add(&rw_stats, R_TTL, 1);

	__u32 l4off = off + PKT_IHL(&ip) * 4;
	int first = !(ip.frag_off & bpf_htons(IP_OFFSET));
	__u32 l4csum = 0;
	__u64 l4flags = 0;
	if (first && ip.protocol == IPPROTO_TCP) {
		l4csum = l4off + offsetof(struct tcphdr, check);
	} else if (first && ip.protocol == IPPROTO_UDP) {
		l4csum = l4off + offsetof(struct udphdr, check);
		l4flags = BPF_F_MARK_MANGLED_0;
	}

	__be32 *nsrc = bpf_map_lookup_elem(&snat, &ip.saddr);
	if (nsrc) {
		__be32 n = *nsrc;
		if (l4csum && check(bpf_l4_csum_replace(skb, l4csum, ip.saddr, n,
		                                        BPF_F_PSEUDO_HDR | l4flags | sizeof(n))))
			return TC_ACT_SHOT;
		if (check(bpf_l3_csum_replace(skb, csum_off, ip.saddr, n, sizeof(n))) ||
		    check(bpf_skb_store_bytes(skb, off + offsetof(struct iphdr, saddr), &n,
		                              sizeof(n), 0)))
			return TC_ACT_SHOT;
		pkt_add(&rw_stats, R_SNAT, 1);
	}

	if (first && ip.protocol == IPPROTO_TCP) {
		__be16 port;
		if (check(bpf_skb_load_bytes(skb, l4off + 2, &port, 2)))
			return TC_ACT_OK;
		if (port == bpf_htons(80)) {
			__be16 np = bpf_htons(8080);
			if (check(bpf_l4_csum_replace(skb, l4csum, port, np, sizeof(np))) ||
			    check(bpf_skb_store_bytes(skb, l4off + 2, &np, sizeof(np), 0)))
				return TC_ACT_SHOT;
			pkt_add(&rw_stats, R_PORT, 1);
		}
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
