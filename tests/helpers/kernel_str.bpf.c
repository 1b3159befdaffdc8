/*
 * kernel_str.bpf.c - the STRTOX_CASES and STRNCMP_CASES of str_cases.h
 * through the kernel's bpf_strtol, bpf_strtoul and bpf_strncmp, and the
 * LOOP_CASES through bpf_loop (a syscall program; kernel_fmt_test.c runs it
 * and compares with the runtime).
 */
#include <linux/bpf.h>
/* after linux/bpf.h, which defines the __u64 it uses */
#include <bpf/bpf_helpers.h>

#include "str_cases.h"

struct {
	long long l_ret[STRTOX_NCASES], l_res[STRTOX_NCASES];
	long long u_ret[STRTOX_NCASES], u_res[STRTOX_NCASES];
	long long c_ret[STRNCMP_NCASES];
	long long loop_ret[LOOP_NCASES], loop_calls[LOOP_NCASES];
} sres;

struct loop_ctx {
	long long calls;
	long long stop_at;
};

static long loop_cb(__u64 index, void *ctx)
{
	struct loop_ctx *c = ctx;
	c->calls++;
	return (long long)index == c->stop_at ? 1 : 0;
}

SEC("syscall")
int run_str(void *ctx)
{
#define X(i, buf, len, flags)                                                                      \
	{                                                                                          \
		static const char b[] = buf;                                                       \
		long v = 0x5555;                                                                   \
		unsigned long u = 0x5555;                                                          \
		sres.l_ret[i] = bpf_strtol(b, len, flags, &v);                                     \
		sres.l_res[i] = v;                                                                 \
		sres.u_ret[i] = bpf_strtoul(b, len, flags, &u);                                    \
		sres.u_res[i] = (long long)u;                                                      \
	}
	STRTOX_CASES(X)
#undef X
#define X(i, s1, n, s2)                                                                            \
	{                                                                                          \
		static const char a[] = s1;                                                        \
		sres.c_ret[i] = bpf_strncmp(a, n, s2);                                             \
	}
	STRNCMP_CASES(X)
#undef X
#define X(i, nr, stop, flags)                                                                      \
	{                                                                                          \
		struct loop_ctx c = {0, stop};                                                     \
		sres.loop_ret[i] = bpf_loop(nr, loop_cb, &c, flags);                               \
		sres.loop_calls[i] = c.calls;                                                      \
	}
	LOOP_CASES(X)
#undef X
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
