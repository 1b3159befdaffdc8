/*
 * tc_encap.bpf.c - a tc tunnel end point through the skb room helpers:
 * IPv4 packets to 10.10/16 get an outer IPIP header with
 * bpf_skb_adjust_room(+20, BPF_ADJ_ROOM_MAC, ENCAP_L3_IPV4), the header
 * written with bpf_skb_store_bytes and its checksum from bpf_csum_diff;
 * IPIP packets are decapsulated with bpf_skb_adjust_room(-20); non-IP
 * frames get 4 bytes of new head (bpf_skb_change_head) and a fresh MAC
 * header.  Along the way bpf_set_hash / bpf_set_hash_invalid and
 * bpf_skb_pull_data set what skb->hash and data_end then show.  Every
 * helper's result is recorded per packet (cb[0]).
 */
#include "pkt_bpf.h"

struct erec {
	__s32 err_room, err_store, err_head, err_pull;
	__u32 len0, len1, hash_set, hash_inv, direct_len, proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct erec);
} encap_rec SEC(".maps");

SEC("tc")
int tc_encap(struct __sk_buff *skb)
{
	struct erec r = {};
	__u32 idx = skb->cb[0];
	struct iphdr ip;
	__be16 et = 0;
	int verdict = TC_ACT_OK;

	r.len0 = skb->len;
	bpf_set_hash(skb, idx * 2654435761u);
	r.hash_set = skb->hash;
	if (idx & 1) {
		bpf_set_hash_invalid(skb);
		r.hash_inv = skb->hash;
	}
	r.err_pull = bpf_skb_pull_data(skb, 34);
	r.direct_len = (__u32)((long)skb->data_end - (long)skb->data);

	if (bpf_skb_load_bytes(skb, 12, &et, 2))
		goto out;
	if (et == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
			goto out;
		if (ip.protocol == IPPROTO_IPIP) {
			r.err_room =
			    bpf_skb_adjust_room(skb, -(int)sizeof(ip), BPF_ADJ_ROOM_MAC, 0);
			goto out;
		}
		__u8 *d = (__u8 *)&ip.daddr;
		if (d[0] != 10 || d[1] != 10)
			goto out;
		struct iphdr outer = {};
		*(__u8 *)&outer = 0x45;
		outer.tos = ip.tos;
		outer.tot_len = bpf_htons(bpf_ntohs(ip.tot_len) + sizeof(outer));
		outer.frag_off = bpf_htons(IP_DF);
		outer.ttl = 64;
		outer.protocol = IPPROTO_IPIP;
		outer.saddr = bpf_htonl(0xc0000201);
		outer.daddr = bpf_htonl(0xc0000202);
		__s64 sum = bpf_csum_diff(NULL, 0, (__be32 *)&outer, sizeof(outer), 0);
		outer.check = pkt_csum_fold((__u64)sum);
		r.err_room = bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC,
		                                 BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
		if (!r.err_room)
			r.err_store = bpf_skb_store_bytes(skb, ETH_HLEN, &outer, sizeof(outer), 0);
		verdict = TC_ACT_REDIRECT;
	} else if (et != bpf_htons(ETH_P_IPV6) && et != bpf_htons(ETH_P_8021Q) &&
	           et != bpf_htons(ETH_P_8021AD)) {
		r.err_head = bpf_skb_change_head(skb, 4, 0);
		if (!r.err_head) {
			__u8 mac[16] = {0x02, 0, 0, 0,    0,    0x01, 0x02, 0,
			                0,    0, 0, 0x02, 0x88, 0xb5, 0xbe, 0xef};
			r.err_store = bpf_skb_store_bytes(skb, 0, mac, sizeof(mac), 0);
		}
	}
out:
	r.len1 = skb->len;
	r.proto = bpf_ntohs((__u16)skb->protocol);
	bpf_map_update_elem(&encap_rec, &idx, &r, BPF_ANY);
	return verdict;
}

char _license[] SEC("license") = "GPL";
