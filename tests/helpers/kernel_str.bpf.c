/*
 * kernel_str.bpf.c - the STRTOX_CASES and STRNCMP_CASES of str_cases.h
 * through the kernel's bpf_strtol, bpf_strtoul and bpf_strncmp (a syscall
 * program; kernel_fmt_test.c runs it and compares with the runtime).
 */
#include <linux/bpf.h>
/* after linux/bpf.h, which defines the __u64 it uses */
#include <bpf/bpf_helpers.h>

#include "str_cases.h"

struct {
	long long l_ret[STRTOX_NCASES], l_res[STRTOX_NCASES];
	long long u_ret[STRTOX_NCASES], u_res[STRTOX_NCASES];
	long long c_ret[STRNCMP_NCASES];
} sres;

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
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
