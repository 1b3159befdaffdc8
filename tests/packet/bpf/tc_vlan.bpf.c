/*
 * tc_vlan.bpf.c - a tc program that tags, untags and pads frames with the
 * skb helpers: bpf_skb_vlan_push (the kernel keeps the tag out of band:
 * vlan_present/vlan_tci/vlan_proto change, the packet bytes do not, and a
 * second push moves the first tag into the packet), bpf_skb_vlan_pop (of
 * the out-of-band tag, else of a tag in the packet) and
 * bpf_skb_change_tail (runts padded to 60 bytes, large frames cut to 1000).
 * The packet index (cb[0]) picks the operation; return codes, lengths and
 * the vlan fields after each step are recorded per packet.
 */
#include "pkt_bpf.h"

struct vrec {
	__s32 err1, err2, err3;
	__u32 len0, len1, len2;
	__u32 present, tci, vproto, proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct vrec);
} vlan_rec SEC(".maps");

SEC("tc")
int tc_vlan(struct __sk_buff *skb)
{
	struct vrec r = {};
	__u32 idx = skb->cb[0];
	__u16 vid = 100 + (idx & 7);

	r.len0 = skb->len;
	switch (idx % 4) {
	case 0:
		r.err1 = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid);
		break;
	case 1:
		r.err1 = bpf_skb_vlan_pop(skb);
		break;
	case 2:
		r.err1 = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid);
		r.err2 = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), vid + 1000);
		break;
	default:
		r.err1 = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), vid | 0x6000);
		r.err2 = bpf_skb_vlan_pop(skb);
		break;
	}
	r.len1 = skb->len;
	r.present = skb->vlan_present;
	r.tci = skb->vlan_tci;
	r.vproto = bpf_ntohs((__u16)skb->vlan_proto);
	r.proto = bpf_ntohs((__u16)skb->protocol);
	if (skb->len < 60)
		r.err3 = bpf_skb_change_tail(skb, 60, 0);
	else if (skb->len > 1000)
		r.err3 = bpf_skb_change_tail(skb, 1000, 0);
	r.len2 = skb->len;
	bpf_map_update_elem(&vlan_rec, &idx, &r, BPF_ANY);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
