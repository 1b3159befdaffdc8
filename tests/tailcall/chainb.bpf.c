/*
 * chainb.bpf.c - object tc_chainb, compiled separately from chain.bpf.c
 * (its own clang and bpf2native runs, its own native object): bstep<k>
 * counts itself in `hopsb`, records tag TAG_BSTEP + k and tail-calls slot
 * k + 1 of its own prog_array `jmpb`.  The driver fills jmp (tc_chain)
 * and jmpb with programs of the other object, so that a chain alternates
 * between the two objects and the 33-call limit spans them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tailcall_bpf.h"

static long (*record)(void *ctx, __u64 tag) = (void *)TC_HELPER_RECORD;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TC_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} jmpb SEC(".maps");

__u64 hopsb;

#define BSTEP(k)                                                                   \
	SEC("raw_tp") int bstep##k(struct tctx *ctx)                               \
	{                                                                          \
		hopsb++;                                                           \
		record(ctx, TAG_BSTEP + k);                                        \
		bpf_tail_call(ctx, &jmpb, k + 1);                                  \
		return 5000 + k;                                                   \
	}
BSTEP(0) BSTEP(1) BSTEP(2) BSTEP(3) BSTEP(4) BSTEP(5) BSTEP(6) BSTEP(7) BSTEP(8) BSTEP(9)
BSTEP(10) BSTEP(11) BSTEP(12) BSTEP(13) BSTEP(14) BSTEP(15) BSTEP(16) BSTEP(17) BSTEP(18)
BSTEP(19) BSTEP(20) BSTEP(21) BSTEP(22) BSTEP(23) BSTEP(24) BSTEP(25) BSTEP(26) BSTEP(27)
BSTEP(28) BSTEP(29) BSTEP(30) BSTEP(31) BSTEP(32) BSTEP(33) BSTEP(34) BSTEP(35) BSTEP(36)
BSTEP(37) BSTEP(38) BSTEP(39) BSTEP(40)

char LICENSE[] SEC("license") = "GPL";
