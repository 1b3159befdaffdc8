/*
 * flow_table.bpf.c - a tc flow accounting program with direct packet
 * access (skb->data / skb->data_end): IPv4 TCP/UDP 5-tuples are counted
 * (packets, bytes from skb->len) in a small hash that overflows on
 * purpose, so that bpf_map_update_elem's -E2BIG is part of the result;
 * errors are counted by code, and the flow is marked in skb->mark.
 */
#include "pkt_bpf.h"

struct flow_key {
	__u8 saddr[4];
	__u8 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 24);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __u64);
} flow_errs SEC(".maps");

SEC("tc")
int flow_table(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || PKT_IHL(ip) < 5)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	__be16 *ports = (void *)ip + PKT_IHL(ip) * 4;
	if ((void *)(ports + 2) > end)
		return TC_ACT_OK;
	struct flow_key k = {};
	__builtin_memcpy(k.saddr, &ip->saddr, 4);
	__builtin_memcpy(k.daddr, &ip->daddr, 4);
	k.sport = ports[0];
	k.dport = ports[1];
	k.proto = ip->protocol;
	struct flow_val *v = bpf_map_lookup_elem(&flows, &k);
	if (v) {
		v->packets++;
		v->bytes += skb->len;
		skb->mark = (__u32)v->packets;
		return TC_ACT_OK;
	}
	struct flow_val nv = {1, skb->len};
	long err = bpf_map_update_elem(&flows, &k, &nv, BPF_NOEXIST);
	if (err) {
		__s32 e = (__s32)err;
		pkt_hash_add(&flow_errs, &e, 1);
		return TC_ACT_SHOT;
	}
	skb->mark = 1;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
