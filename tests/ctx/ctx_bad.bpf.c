/*
 * ctx_bad.bpf.c - one refused context access per CASE (clang -DCASE=N);
 * bad_expected.txt holds the diagnostic each must give, and ctx-kernel
 * checks that the kernel refuses each of them too.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HIDE(x) asm volatile("" : "+r"(x))

#if CASE == 1 /* XDP: the context is read-only */
SEC("xdp") int bad(struct xdp_md *ctx)
{
	ctx->rx_queue_index = (unsigned int)bpf_ktime_get_ns();
	return XDP_PASS;
}
#elif CASE == 2 /* socket filters cannot see the packet directly */
SEC("socket") int bad(struct __sk_buff *skb)
{
	return (int)skb->data;
}
#elif CASE == 3 /* socket filters may only write cb[] */
SEC("socket") int bad(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}
#elif CASE == 4 /* tc cannot write len */
SEC("tc") int bad(struct __sk_buff *skb)
{
	skb->len = (unsigned int)bpf_ktime_get_ns();
	return 0;
}
#elif CASE == 5 /* XDP: no narrow loads */
SEC("xdp") int bad(struct xdp_md *ctx)
{
	return *(volatile unsigned char *)&ctx->ingress_ifindex;
}
#elif CASE == 6 /* tc cannot read socket fields */
SEC("tc") int bad(struct __sk_buff *skb)
{
	return (int)skb->family;
}
#elif CASE == 7 /* egress_ifindex needs xdp/devmap */
SEC("xdp") int bad(struct xdp_md *ctx)
{
	return (int)ctx->egress_ifindex;
}
#elif CASE == 8 /* no atomics on the ctx */
SEC("tc") int bad(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&skb->cb[0], 1);
	return 0;
}
#elif CASE == 9 /* a modified ctx pointer */
SEC("tc") int bad(struct __sk_buff *skb)
{
	unsigned char *p = (unsigned char *)skb + 8;
	HIDE(p);
	return *(unsigned int *)p;
}
#elif CASE == 10 /* data only as a whole u32 */
SEC("tc") int bad(struct __sk_buff *skb)
{
	return *(volatile unsigned short *)&skb->data;
}
#elif CASE == 11 /* the ctx or a stack pointer at one load */
SEC("xdp") int bad(struct xdp_md *ctx)
{
	unsigned int local[6] = {0};
	unsigned int *p = (unsigned int *)ctx;
	if (bpf_ktime_get_ns() & 1)
		p = local;
	HIDE(p);
	return (int)p[3];
}
#elif CASE == 12 /* a subprogram writes a read-only field of its ctx */
static __attribute__((noinline)) int set(struct __sk_buff *skb)
{
	skb->ifindex = 1;
	return 0;
}
SEC("tc") int bad(struct __sk_buff *skb)
{
	return set(skb);
}
#endif

char LICENSE[] SEC("license") = "GPL";
