/*
 * loop.bpf.c - object tc_loop, compiled with `bpf2native --loop-limit
 * 1000`: loops whose trip count comes from the ctx (so clang cannot
 * remove them; an empty asm statement keeps the body).  loop_plain loops
 * in the program, loop_sub in a subprogram (the limit must propagate out
 * of the local call), and loop_tail loops and then tail-calls itself, so
 * that its tail-called runs share one budget of back edges.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tailcall_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ljmp SEC(".maps");

__u64 lruns; /* .bss: entries of loop_tail */

static __always_inline __u64 spin(__u64 n)
{
	__u64 s = 0;
	for (__u64 i = 0; i < n; i++) {
		s += i;
		asm volatile("" : "+r"(s));
	}
	return s;
}

SEC("raw_tp")
int loop_plain(struct tctx *ctx)
{
	return (int)spin(ctx->a[0]);
}

static __attribute__((noinline)) __u64 loop_in_sub(__u64 n)
{
	return spin(n);
}

SEC("raw_tp")
int loop_sub(struct tctx *ctx)
{
	return (int)loop_in_sub(ctx->a[0]) + 1;
}

SEC("raw_tp")
int loop_tail(struct tctx *ctx)
{
	lruns++;
	spin(ctx->a[0]);
	bpf_tail_call(ctx, &ljmp, 0);
	return (int)lruns;
}

char LICENSE[] SEC("license") = "GPL";
