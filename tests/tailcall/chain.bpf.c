/*
 * chain.bpf.c - object tc_chain: the tail-call programs of tests/tailcall
 * (driver: tailcall_test.c).
 *
 * step0..step40 are identical programs: step<k> counts itself in the
 * global `hops`, records (helper TC_HELPER_RECORD) its tag k, the ctx and
 * its stack position, and tail-calls slot k + 1 of `jmp`; when that
 * fails it returns 1000 + k.  Filling slots 1..N with step1..stepN makes a
 * chain of N tail calls starting at step0, which must stop after 33.
 * Because the steps have identical code, their frames are identical, so
 * the recorded stack positions must all be equal if each tail call reuses
 * the caller's frame.  The other programs cover self tail calls, misses
 * that must not count, index truncation to u32 (through a helper
 * declaration with a 64-bit index, so that r3 really carries high bits),
 * a tail call from a subprogram, and a prog_array with initial .values.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tailcall_bpf.h"

static long (*record)(void *ctx, __u64 tag) = (void *)TC_HELPER_RECORD;
/* bpf_tail_call with a 64-bit index: the compiled code must truncate it. */
static long (*tail_call_u64)(void *ctx, void *map, __u64 index) = (void *)BPF_FUNC_tail_call;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TC_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

/* Targets of dispatch, dispatch32 and from_sub; filled by the driver. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tgt SEC(".maps");

__u64 hops; /* .bss: programs entered, reset by the driver */

#define STEP(k)                                                                    \
	SEC("raw_tp") int step##k(struct tctx *ctx)                                \
	{                                                                          \
		hops++;                                                            \
		record(ctx, TAG_STEP + k);                                         \
		bpf_tail_call(ctx, &jmp, k + 1);                                   \
		return 1000 + k;                                                   \
	}
STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) STEP(8) STEP(9)
STEP(10) STEP(11) STEP(12) STEP(13) STEP(14) STEP(15) STEP(16) STEP(17) STEP(18) STEP(19)
STEP(20) STEP(21) STEP(22) STEP(23) STEP(24) STEP(25) STEP(26) STEP(27) STEP(28) STEP(29)
STEP(30) STEP(31) STEP(32) STEP(33) STEP(34) STEP(35) STEP(36) STEP(37) STEP(38) STEP(39) STEP(40)

/* Tail-calls itself through slot TC_SELF_SLOT: 1 + 33 entries per run. */
SEC("raw_tp")
int self_loop(struct tctx *ctx)
{
	hops++;
	record(ctx, TAG_SELF);
	bpf_tail_call(ctx, &jmp, TC_SELF_SLOT);
	return 2000 + (int)hops;
}

/* Failed tail calls (empty slot, index == max_entries, u32 -1, a high
 * index whose low 32 bits are out of range) must not count: it still
 * reaches 1 + 33 entries through slot TC_MISS_SLOT (itself). */
SEC("raw_tp")
int miss(struct tctx *ctx)
{
	hops++;
	record(ctx, TAG_MISS);
	bpf_tail_call(ctx, &jmp, TC_EMPTY_SLOT);
	tail_call_u64(ctx, &jmp, TC_SLOTS);
	tail_call_u64(ctx, &jmp, (__u64)-1);
	tail_call_u64(ctx, &jmp, 0x100000000ULL * 7 + 0x80000000ULL);
	bpf_tail_call(ctx, &jmp, -1);
	bpf_tail_call(ctx, &jmp, TC_MISS_SLOT);
	return 3000 + (int)hops;
}

/* tgt[a[0]] with the full 64-bit a[0] in r3. */
SEC("raw_tp")
int dispatch(struct tctx *ctx)
{
	record(ctx, TAG_DISPATCH);
	tail_call_u64(ctx, &tgt, ctx->a[0]);
	return 4000;
}

/* tgt[(u32)a[0]] through libbpf's bpf_tail_call (a u32 index). */
SEC("raw_tp")
int dispatch32(struct tctx *ctx)
{
	record(ctx, TAG_DISPATCH);
	bpf_tail_call(ctx, &tgt, (__u32)ctx->a[0]);
	return 4001;
}

/* Targets: return a[1] + a constant, so the ctx must have arrived. */
#define RET(n)                                                                     \
	SEC("raw_tp") int ret##n(struct tctx *ctx)                                 \
	{                                                                          \
		hops++;                                                            \
		record(ctx, TAG_RET);                                              \
		return n + (int)ctx->a[1];                                         \
	}
RET(5) RET(6) RET(7)

/* Tail-calls tgt[a[2]]; returns 9 when that fails. */
SEC("raw_tp")
int hop(struct tctx *ctx)
{
	hops++;
	record(ctx, TAG_HOP);
	tail_call_u64(ctx, &tgt, ctx->a[2]);
	return 9;
}

/* A tail call from a subprogram: the target's return value becomes the
 * subprogram's, and from_sub goes on with it (its own frame intact).  The
 * fall-through value 70 + a[4] (a[4] = 0) must not be a constant: clang
 * would propagate a constant return value into the caller, which then
 * would never look at r0. */
static __attribute__((noinline)) int sub(struct tctx *ctx, __u64 idx)
{
	record(ctx, TAG_SUB);
	tail_call_u64(ctx, &tgt, idx);
	return 70 + (int)ctx->a[4];
}

SEC("raw_tp")
int from_sub(struct tctx *ctx)
{
	volatile __u64 keep[4];
	for (int i = 0; i < 4; i++)
		keep[i] = ctx->a[3] + i;
	int r = sub(ctx, ctx->a[0]);
	__u64 s = 0;
	for (int i = 0; i < 4; i++)
		s += keep[i];
	/* s == 4 * a[3] + 6 when the frame survived */
	return r * 1000 + (int)(s - 4 * ctx->a[3]);
}

/* A prog_array with initial values (filled at load). */
SEC("raw_tp")
int init_a(struct tctx *ctx)
{
	return 11;
}

SEC("raw_tp")
int init_b(struct tctx *ctx)
{
	return 22;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(void *));
} tinit SEC(".maps") = {
	.values = {[1] = (void *)&init_a, [3] = (void *)&init_b},
};

SEC("raw_tp")
int dispatch_init(struct tctx *ctx)
{
	bpf_tail_call(ctx, &tinit, (__u32)ctx->a[0]);
	return 33;
}

char LICENSE[] SEC("license") = "GPL";
