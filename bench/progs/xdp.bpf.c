/*
 * xdp.bpf.c - the benchmark programs as XDP programs: what the kernel
 * (BPF_PROG_TEST_RUN) and bpf2native (b2n_program__test_run) run.
 *
 * Each compute kernel of kernels.h gets the packet as [data, data_end);
 * the program returns the kernel's 64-bit result folded to 32 bits (the
 * runner compares it with the native result folded the same way; XDP
 * test runs report any u32).  The programs that need helpers are only
 * here: a hash-map-heavy loop, bpf_loop, and a tail-call dispatcher.
 * `empty` measures the test-run harness.
 */
#include <linux/bpf.h>
/* (linux/bpf.h first: bpf_helpers.h needs its types) */
#include <bpf/bpf_helpers.h>

#include "kernels.h"

char LICENSE[] SEC("license") = "GPL";

#define FOLD(x) ((__u32)((x) ^ ((x) >> 32)))
#define XDP_KERNEL(name)                                                                           \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u8 *d = (__u8 *)(long)ctx->data;                                                 \
		__u8 *end = (__u8 *)(long)ctx->data_end;                                           \
		__u64 r = k_##name(d, end);                                                        \
		return FOLD(r);                                                                    \
	}

XDP_KERNEL(fnv1a)
XDP_KERNEL(crc32)
XDP_KERNEL(sort)
XDP_KERNEL(parse)
XDP_KERNEL(rewrite)
XDP_KERNEL(lpm)
XDP_KERNEL(jhash)
XDP_KERNEL(strmatch)
XDP_KERNEL(fsm)

SEC("xdp") int empty(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

/* ---- hash-map-heavy loop: 32 lookups, and updates of the misses ---- */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp") int hashmap(struct xdp_md *ctx)
{
	__u8 *d = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	if (d + 128 > end)
		return 0;
	__u64 sum = 0;
	for (__u32 i = 0; i < 32; i++) {
		__u32 key = b_ld32(d + 4 * i) & 255;
		__u64 *v = bpf_map_lookup_elem(&counts, &key);
		if (v) {
			sum += *v;
		} else {
			__u64 one = i;
			bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
		}
	}
	return FOLD(sum);
}

/* ---- bpf_loop: 64 callback iterations over the packet's first bytes -- */
__u8 loop_buf[64] __attribute__((aligned(8)));

static long loop_cb(__u32 i, void *c)
{
	*(__u64 *)c = b_loop_step(i, *(__u64 *)c, loop_buf);
	return 0;
}

SEC("xdp") int loop(struct xdp_md *ctx)
{
	__u8 *d = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	__u64 acc = 1;
	if (d + 64 > end)
		return 0;
	for (int i = 0; i < 8; i++)
		((__u64 *)loop_buf)[i] = *(const __u64 *)(d + 8 * i);
	bpf_loop(64, loop_cb, &acc, 0);
	return FOLD(acc);
}

/* ---- tail-call dispatcher: entry -> stage (tos & 3) -> ... -> stage 3 -- */
#define STAGE(n)                                                                                   \
	SEC("xdp") int stage##n(struct xdp_md *ctx)                                                \
	{                                                                                          \
		__u8 *d = (__u8 *)(long)ctx->data;                                                 \
		__u8 *end = (__u8 *)(long)ctx->data_end;                                           \
		if (d + 64 > end)                                                                  \
			return 0;                                                                  \
		d[60 + n] = d[n * 4] ^ d[60 + (n + 3) % 4] ^ (n * 17);                             \
		if (n < 3)                                                                         \
			bpf_tail_call(ctx, &jmp, n + 1);                                           \
		return d[60] | d[61] << 8 | d[62] << 16 | d[63] << 24;                             \
	}

struct jmp_t {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
};
extern struct jmp_t jmp SEC(".maps");

STAGE(0)
STAGE(1)
STAGE(2)
STAGE(3)

struct jmp_t jmp SEC(".maps") = {
    .values = {[0] = (void *)&stage0,
               [1] = (void *)&stage1,
               [2] = (void *)&stage2,
               [3] = (void *)&stage3},
};

SEC("xdp") int tailcall(struct xdp_md *ctx)
{
	__u8 *d = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	if (d + 64 > end)
		return 0;
	bpf_tail_call(ctx, &jmp, 0);
	return 1;
}
