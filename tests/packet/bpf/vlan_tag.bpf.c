/*
 * vlan_tag.bpf.c - XDP VLAN pop and push with bpf_xdp_adjust_head.  A
 * tagged packet loses its outer tag (the MACs move 4 bytes on; its VLAN
 * id is counted in a hash); an untagged IPv4/IPv6 packet gets a tag whose
 * id and priority come from a config array the application fills.
 */
#include "pkt_bpf.h"

struct vlan_cfg {
	__u16 vid;
	__u16 pcp;
};
PKT_ARRAY(cfg, 1, struct vlan_cfg);
PKT_ARRAY(vlan_stats, 4, __u64);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u16);
	__type(value, __u64);
} popped_vids SEC(".maps");

SEC("xdp")
int vlan_tag(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[12];

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(macs, eth, 12);
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD)) {
		struct vlanhdr *vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > end)
			return XDP_DROP;
		__u16 vid = bpf_ntohs(vh->tci) & 0xfff;
		if (bpf_xdp_adjust_head(ctx, 4))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		if (data + 12 > end)
			return XDP_ABORTED;
		__builtin_memcpy(data, macs, 12);
		pkt_hash_add(&popped_vids, &vid, 1);
		pkt_add(&vlan_stats, 0, 1);
		return XDP_PASS;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6)) {
		pkt_add(&vlan_stats, 2, 1);
		return XDP_PASS;
	}
	__u32 zero = 0;
	struct vlan_cfg *c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c)
		return XDP_ABORTED;
	__u16 tci = (c->pcp << 13) | (c->vid & 0xfff);
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + 18 > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, macs, 12);
	struct vlanhdr *vh = data + 12;
	vh->tci = bpf_htons(ETH_P_8021Q); /* the TPID takes the place of h_proto */
	vh->proto = bpf_htons(tci);
	pkt_add(&vlan_stats, 1, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
