/*
 * sock_rel.bpf.c - a socket filter with bpf_skb_load_bytes_relative: the
 * MAC header (BPF_HDR_START_MAC, in front of the socket filter's data) and
 * the network header (BPF_HDR_START_NET), plus the skb fields a socket
 * filter may read.  Per packet (cb[0]) it records the helpers' results and
 * what it read; it keeps IPv4/IPv6 packets cut to half their length and
 * drops the rest.
 */
#include "pkt_bpf.h"

struct srec {
	__s32 err_mac, err_net;
	__u32 len, proto, pkt_type, ifindex;
	__u32 dst_last, eth_type, net0, net9;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct srec);
} sock_rec SEC(".maps");

SEC("socket")
int sock_rel(struct __sk_buff *skb)
{
	struct srec r = {};
	__u8 mac[14] = {}, net[20] = {};
	__u32 idx = skb->cb[0];

	r.err_mac = bpf_skb_load_bytes_relative(skb, 0, mac, sizeof(mac), BPF_HDR_START_MAC);
	r.err_net = bpf_skb_load_bytes_relative(skb, 0, net, sizeof(net), BPF_HDR_START_NET);
	r.len = skb->len;
	r.proto = bpf_ntohs((__u16)skb->protocol);
	r.pkt_type = skb->pkt_type;
	r.ifindex = skb->ifindex;
	r.dst_last = mac[5];
	r.eth_type = (__u32)mac[12] << 8 | mac[13];
	r.net0 = net[0];
	r.net9 = net[9];
	bpf_map_update_elem(&sock_rec, &idx, &r, BPF_ANY);
	if (r.proto == ETH_P_IP || r.proto == ETH_P_IPV6)
		return skb->len / 2;
	return 0;
}

char _license[] SEC("license") = "GPL";
