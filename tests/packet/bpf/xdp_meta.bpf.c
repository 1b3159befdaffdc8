/*
 * xdp_meta.bpf.c - XDP with metadata from the caller: the test passes an
 * xdp_md ctx_in whose `data` is 4 (the first 4 bytes of data_in are
 * metadata: the packet index, big-endian) and ingress_ifindex 1.  The
 * program reads the metadata and the context fields, records them per
 * index, grows the metadata by 4 bytes (bpf_xdp_adjust_meta) to prepend
 * a checksum-like tag and, for every third packet, shrinks it away again.
 */
#include "pkt_bpf.h"

struct mrec {
	__u32 ingress, rxq, len, meta_len;
	__s32 err_grow, err_shrink;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mrec);
} meta_rec SEC(".maps");

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be32 *meta = (void *)(long)ctx->data_meta;
	struct mrec r = {};

	if ((void *)(meta + 1) > data)
		return XDP_ABORTED;
	__u32 idx = bpf_ntohl(*meta);
	r.ingress = ctx->ingress_ifindex;
	r.rxq = ctx->rx_queue_index;
	r.len = (__u32)(end - data);
	r.meta_len = (__u32)(data - (void *)meta);
	r.err_grow = bpf_xdp_adjust_meta(ctx, -4);
	if (!r.err_grow) {
		data = (void *)(long)ctx->data;
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 2) > data)
			return XDP_ABORTED;
		meta[0] = bpf_htonl(0xfeed0000 | (idx & 0xffff));
		if (idx % 3 == 0)
			r.err_shrink = bpf_xdp_adjust_meta(ctx, 8);
	}
	bpf_map_update_elem(&meta_rec, &idx, &r, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
