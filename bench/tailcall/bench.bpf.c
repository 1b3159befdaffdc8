/*
 * bench.bpf.c - the programs of the tail-call benchmark (bench_tailcall.c),
 * loaded both natively (bpf2native) and into the kernel (libbpf).
 *
 * XDP programs, because BPF_PROG_TEST_RUN accepts `repeat` for them.
 * c<k> tail-calls slot k + 1 of `bjmp` and returns 100 + k when that
 * fails: with slots 1..32 filled, a run of c0 takes exactly 32 tail calls
 * and returns 132, which the benchmark checks on both sides.  self_loop
 * tail-calls itself until the limit (33 calls, returns 7).  empty is the
 * harness baseline (one run of a program that only returns).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BENCH_SLOTS 64
#define BENCH_SELF_SLOT 40

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, BENCH_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} bjmp SEC(".maps");

SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return 100;
}

#define C(k)                                                                       \
	SEC("xdp") int c##k(struct xdp_md *ctx)                                    \
	{                                                                          \
		bpf_tail_call(ctx, &bjmp, k + 1);                                  \
		return 100 + k;                                                    \
	}
C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7) C(8) C(9) C(10) C(11) C(12) C(13) C(14) C(15) C(16)
C(17) C(18) C(19) C(20) C(21) C(22) C(23) C(24) C(25) C(26) C(27) C(28) C(29) C(30) C(31)
C(32)

SEC("xdp")
int self_loop(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &bjmp, BENCH_SELF_SLOT);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
