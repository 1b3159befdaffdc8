/*
 * percpu_sizes.bpf.c - per-CPU statistics in XDP: a per-CPU hash keyed by
 * the packet's size class (a power of two, found with a bounded loop), a
 * per-CPU array of {packets, bytes} by EtherType class and a plain array
 * with the largest packet seen.  The test sums per-CPU values over CPUs.
 */
#include "pkt_bpf.h"

struct pb {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} size_class SEC(".maps");

PKT_PERCPU_ARRAY(by_type, 4, struct pb);
PKT_ARRAY(largest, 1, __u64);

SEC("xdp")
int percpu_sizes(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 len = end - data;
	__u32 cls = 0;

	for (int i = 0; i < 16; i++) {
		if ((1ULL << i) >= len)
			break;
		cls = i + 1;
	}
	__u64 one = 1, *c = bpf_map_lookup_elem(&size_class, &cls);
	if (c)
		*c += 1;
	else
		bpf_map_update_elem(&size_class, &cls, &one, BPF_ANY);

	__u32 t = 3;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) <= end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			t = 0;
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			t = 1;
		else
			t = 2;
	}
	struct pb *v = bpf_map_lookup_elem(&by_type, &t);
	if (v) {
		v->packets++;
		v->bytes += len;
	}
	__u32 zero = 0;
	__u64 *m = bpf_map_lookup_elem(&largest, &zero);
	if (m && *m < len)
		*m = len;
	return t == 3 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
