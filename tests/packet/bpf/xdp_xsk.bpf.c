/*
 * xdp_xsk.bpf.c - the AF_XDP steering program (as libxdp installs it):
 * redirect to the XSK socket of the receive queue when the xskmap holds
 * one, else pass.  The test cannot bind AF_XDP sockets, so the map stays
 * empty: the lookup misses and bpf_redirect_map returns the default
 * action given in its flags (alternating XDP_PASS and XDP_DROP by the
 * frame's length).  Counts per outcome.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

PKT_ARRAY(xsk_stats, 8, __u64);

SEC("xdp")
int xdp_xsk(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	__u32 len = (__u32)(ctx->data_end - ctx->data);

	if (bpf_map_lookup_elem(&xsks_map, &q)) {
		pkt_add(&xsk_stats, 0, 1);
		return bpf_redirect_map(&xsks_map, q, 0);
	}
	long ret = bpf_redirect_map(&xsks_map, q, (len & 1) ? XDP_DROP : XDP_PASS);
	pkt_add(&xsk_stats, 1 + (ret & 3), 1);
	return ret;
}

char _license[] SEC("license") = "GPL";
