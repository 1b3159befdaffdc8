/*
 * redirect_dev.bpf.c - XDP forwarding through a devmap: the output port is
 * the low 3 bits of the destination MAC's last byte; the application
 * fills some devmap slots (with the loopback ifindex), so
 * bpf_redirect_map gives XDP_REDIRECT for those and the default action
 * (XDP_PASS) for empty ones.  Broadcast frames use bpf_redirect to
 * ifindex 1.  Counts per port and outcome, and per ingress ifindex and
 * rx queue as the context reports them.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

PKT_ARRAY(fwd, 16, __u64);
PKT_ARRAY(ingress, 4, __u64);

SEC("xdp")
int redirect_dev(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	pkt_add(&ingress, 0, ctx->ingress_ifindex);
	pkt_add(&ingress, 1, ctx->rx_queue_index);
	pkt_add(&ingress, 2, 1);
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if ((eth->h_dest[0] & eth->h_dest[1] & eth->h_dest[2] & eth->h_dest[3] & eth->h_dest[4] &
	     eth->h_dest[5]) == 0xff) {
		pkt_add(&ingress, 3, 1);
		return bpf_redirect(1, 0);
	}
	__u32 port = eth->h_dest[5] & 7;
	long ret = bpf_redirect_map(&tx_ports, port, XDP_PASS);
	pkt_add(&fwd, port * 2 + (ret == XDP_REDIRECT), 1);
	return ret;
}

char _license[] SEC("license") = "GPL";
