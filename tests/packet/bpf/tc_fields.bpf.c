/*
 * tc_fields.bpf.c - a tc classifier that reads the __sk_buff fields the
 * kernel's test run defines and writes the writable ones.  The
 * application passes the packet's index in cb[0] and a mark and priority
 * in ctx_in; the program records what it saw (protocol through
 * bpf_ntohs, so the same integer on either byte order) in a hash keyed by
 * the index, then sets mark, priority, tc_index, cb[1..4] and tc_classid
 * (read back after the write) and picks a verdict from the mark.
 */
#include "pkt_bpf.h"

struct seen {
	__u32 len, pkt_type, mark, queue_mapping;
	__u32 protocol, vlan_present, vlan_tci, vlan_proto;
	__u32 priority, ingress_ifindex, ifindex, tc_index;
	__u32 cb1, cb2, cb3, cb4;
	__u32 hash, tc_classid, direct_len, wire_len;
	__u32 gso_segs, gso_size, classid_after, napi_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct seen);
} seen_by_index SEC(".maps");

PKT_ARRAY(verdicts, 8, __u64);

SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	struct seen s = {};
	__u32 idx = skb->cb[0];

	s.len = skb->len;
	s.pkt_type = skb->pkt_type;
	s.mark = skb->mark;
	s.queue_mapping = skb->queue_mapping;
	s.protocol = bpf_ntohs((__u16)skb->protocol);
	s.vlan_present = skb->vlan_present;
	s.vlan_tci = skb->vlan_tci;
	s.vlan_proto = bpf_ntohs((__u16)skb->vlan_proto);
	s.priority = skb->priority;
	s.ingress_ifindex = skb->ingress_ifindex;
	s.ifindex = skb->ifindex;
	s.tc_index = skb->tc_index;
	s.cb1 = skb->cb[1];
	s.cb2 = skb->cb[2];
	s.cb3 = skb->cb[3];
	s.cb4 = skb->cb[4];
	s.hash = skb->hash;
	s.tc_classid = skb->tc_classid;
	s.direct_len = (__u32)((long)skb->data_end - (long)skb->data);
	s.wire_len = skb->wire_len;
	s.gso_segs = skb->gso_segs;
	s.gso_size = skb->gso_size;
	s.napi_id = skb->napi_id;

	skb->mark = (s.mark ^ 0x5a5a0000) + s.len;
	skb->priority = s.protocol == ETH_P_IP ? 6 : s.protocol == ETH_P_IPV6 ? 4 : 0;
	skb->tc_index = idx & 0xffff;
	skb->cb[1] = s.len;
	skb->cb[2] = s.protocol;
	skb->cb[3] = s.cb3 * 3 + 1;
	skb->cb[4] = ~s.cb4;
	skb->tc_classid = (1 << 16) | (idx & 0xff);
	s.classid_after = skb->tc_classid;
	bpf_map_update_elem(&seen_by_index, &idx, &s, BPF_ANY);

	int verdict;
	switch (s.mark & 7) {
	case 5:
		verdict = TC_ACT_SHOT;
		break;
	case 6:
		verdict = TC_ACT_PIPE;
		break;
	case 7:
		verdict = TC_ACT_UNSPEC;
		break;
	default:
		verdict = TC_ACT_OK;
	}
	pkt_add(&verdicts, verdict & 7, 1);
	return verdict;
}

char _license[] SEC("license") = "GPL";
