/*
 * ctx_good.bpf.c - context accesses the kernel accepts, one program per
 * shape the ctx pass must follow: direct packet access (XDP and tc), the
 * writable __sk_buff fields, a socket filter's cb[], the ctx handed to a
 * __noinline static subprogram, the ctx in a stack struct read by a
 * bpf_loop callback, the ctx kept across a helper call, and a devmap
 * program reading egress_ifindex.  ctx-c
 * checks the rewrites in --dump-bpf; ctx-kernel loads every program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ETH_HLEN 14

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (data + ETH_HLEN > end)
		return XDP_DROP;
	if (data[12] == 0x08 && data[13] == 0x00)
		return XDP_PASS;
	return ctx->ingress_ifindex == 7 ? XDP_TX : XDP_PASS;
}

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	unsigned char *data = (unsigned char *)(long)skb->data;
	unsigned char *end = (unsigned char *)(long)skb->data_end;
	skb->mark = skb->len + 1;
	skb->priority = skb->protocol;
	skb->cb[0] = skb->hash;
	skb->cb[4] = skb->ifindex;
	skb->tc_index = 3;
	skb->tc_classid = 0x10001;
	skb->queue_mapping = 0;
	if (data + 1 > end)
		return 2; /* TC_ACT_SHOT */
	return data[0] == 0xff ? 0 : 1;
}

static __attribute__((noinline)) int sub_len(struct __sk_buff *skb, int k)
{
	unsigned char *data = (unsigned char *)(long)skb->data;
	unsigned char *end = (unsigned char *)(long)skb->data_end;
	if (data + 2 > end)
		return k;
	return data[1] + k + (int)skb->len;
}

SEC("tc")
int tc_subprog(struct __sk_buff *skb)
{
	return sub_len(skb, 5) & 1;
}

struct loop_ctx {
	struct xdp_md *ctx;
	unsigned int sum;
};

static long loop_body(unsigned int i, void *p)
{
	struct loop_ctx *lc = p;
	unsigned char *data = (unsigned char *)(long)lc->ctx->data;

	i &= 15;
	unsigned char *end = (unsigned char *)(long)lc->ctx->data_end;
	if (data + i + 1 > end)
		return 1;
	lc->sum += data[i];
	return 0;
}

SEC("xdp")
int xdp_loop(struct xdp_md *ctx)
{
	struct loop_ctx lc = {ctx, 0};
	bpf_loop(16, loop_body, &lc, 0);
	return lc.sum & 1 ? XDP_DROP : XDP_PASS;
}

SEC("socket")
int sock_cb(struct __sk_buff *skb)
{
	skb->cb[1] = skb->len;
	skb->cb[2] = skb->cb[1] + skb->pkt_type;
	return skb->cb[2] > 64 ? 0 : skb->len;
}

/* The ctx kept in a callee-saved register or on the stack across a helper
 * call, and used after it. */
SEC("xdp")
int xdp_spill(struct xdp_md *ctx)
{
	unsigned long long t = bpf_ktime_get_ns();
	unsigned char *data = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (data + 1 > end)
		return XDP_ABORTED;
	return (t & 1) && ctx->rx_queue_index == 0 ? XDP_PASS : XDP_PASS;
}

/* egress_ifindex is readable by devmap programs only. */
SEC("xdp/devmap")
int xdp_devmap(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (data + 1 > end)
		return XDP_DROP;
	return ctx->egress_ifindex == ctx->ingress_ifindex ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
