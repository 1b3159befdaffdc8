/*
 * tail_progs.bpf.c - tail calls from a subprogram (a prog_array map), for
 * the stack-depth tests: the kernel allows them while the callers' frames,
 * rounded up to 16, sum below 256 bytes.  tail_200 (208) and tail_232
 * (240) are accepted by both the kernel and us; tail_248 (256) is refused
 * by both (compiled with -DBAD).
 */
#include <linux/bpf.h>
/* bpf_helpers.h needs the types of linux/bpf.h first */
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jt SEC(".maps");

static __attribute__((noinline)) int sub_tail(void *ctx, int idx)
{
	char pad[40];
	bpf_get_current_comm(pad, sizeof(pad));
	bpf_tail_call(ctx, &jt, idx + pad[3]);
	return 1;
}

#define CALLER(n)                                                                          \
	SEC("kprobe") int tail_##n(void *ctx)                                              \
	{                                                                                  \
		char a[n];                                                                 \
		bpf_probe_read_kernel(a, sizeof(a), ctx);                                  \
		return sub_tail(ctx, a[5]) + a[n - 1];                                     \
	}

#ifndef BAD
CALLER(200)
CALLER(232)
#else
CALLER(248)
#endif
