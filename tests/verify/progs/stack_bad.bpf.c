/*
 * stack_bad.bpf.c - BPF C programs that both the kernel and our verifier
 * must refuse, one per CASE (compiled with -DCASE=N):
 *   1: a 300-byte frame calls a 300-byte frame: 608 bytes once each frame
 *      is rounded up to 16 as the JIT does (640 with the interpreter's 32),
 *      above 512.  An XDP program: for tracing types (kprobe...) an x86-64
 *      kernel >= 6.13 gives large subprogram frames private stacks and no
 *      longer sums them;
 *   2: a chain of nine frames (main and eight nested subprograms);
 *   3: a subprogram returns a pointer into its caller's stack;
 *   4: a stack array indexed by a value with no lower bound.
 */
#include <linux/bpf.h>
/* bpf_helpers.h needs the types of linux/bpf.h first */
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#if CASE == 1
static __attribute__((noinline)) int big_callee(void *ctx)
{
	char b[300];
	bpf_probe_read_kernel(b, sizeof(b), ctx);
	return b[0] + b[299];
}

SEC("xdp")
int too_much_stack(void *ctx)
{
	char a[300];
	bpf_probe_read_kernel(a, sizeof(a), ctx);
	return big_callee(ctx) + a[7] + a[299];
}
#elif CASE == 2
#define LEVEL(n, next)                                                                             \
	static __attribute__((noinline)) int f##n(int x)                                           \
	{                                                                                          \
		return next(x + n) * 3 + bpf_get_prandom_u32();                                    \
	}
static __attribute__((noinline)) int f8(int x)
{
	return x ^ (int)bpf_get_prandom_u32();
}
LEVEL(7, f8)
LEVEL(6, f7)
LEVEL(5, f6)
LEVEL(4, f5)
LEVEL(3, f4)
LEVEL(2, f3)
LEVEL(1, f2)

SEC("kprobe")
int nine_frames(void *ctx)
{
	return f1((int)bpf_get_prandom_u32());
}
#elif CASE == 3
static __attribute__((noinline)) char *pick(char *a, char *b, long c)
{
	return c ? a : b;
}

SEC("kprobe")
int return_stack(void *ctx)
{
	char x[16], y[16];
	bpf_get_current_comm(x, sizeof(x));
	bpf_get_current_comm(y, sizeof(y));
	return *pick(x, y, (long)bpf_get_prandom_u32());
}
#elif CASE == 4
SEC("kprobe")
int unbounded_index(void *ctx)
{
	char buf[64];
	long i = (long)bpf_ktime_get_ns();
	bpf_get_current_comm(buf, sizeof(buf));
	return buf[i];
}
#endif
