/*
 * kernel_fmt.bpf.c - the FMT_CASES of fmt_cases.h through the kernel's
 * bpf_snprintf, into a 96-byte buffer, an 8-byte one (truncation) and no
 * buffer at all (NULL, 0).  A syscall program: kernel_fmt_test.c runs it with
 * bpf_prog_test_run_opts and reads the results from .bss.  The pointer
 * arguments go through an empty asm: clang would otherwise initialise an
 * array of global addresses by copying a constant from .rodata, where
 * libbpf cannot relocate the addresses.
 */
#include <linux/bpf.h>
/* after linux/bpf.h, which defines the __u64 it uses */
#include <bpf/bpf_helpers.h>

#include "fmt_cases.h"

char g_str[8] = "hello";
char g_empty[1] SEC(".data") = ""; /* .data, so that .bss holds only res */
unsigned char g_ip4[4] = {192, 168, 1, 2};
unsigned char g_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* an address clang cannot fold into a constant */
#define OPAQUE(ptr)                                                                                \
	({                                                                                         \
		void *p_ = (ptr);                                                                  \
		asm volatile("" : "+r"(p_));                                                       \
		(unsigned long long)(long)p_;                                                      \
	})
#define S OPAQUE(g_str)
#define S2 OPAQUE(g_empty)
#define IP4 OPAQUE(g_ip4)
#define IP6 OPAQUE(g_ip6)

struct {
	long long ret[FMT_NCASES];
	long long ret_short[FMT_NCASES];
	long long ret_zero[FMT_NCASES]; /* str = NULL, str_size = 0 */
	char out[FMT_NCASES][FMT_OUT_SIZE];
	char out_short[FMT_NCASES][8];
} res;

SEC("syscall")
int run(void *ctx)
{
#define X(i, fmt, ...)                                                                             \
	{                                                                                          \
		static const char f[] = fmt;                                                       \
		unsigned long long a[] = {__VA_ARGS__};                                            \
		res.ret[i] = bpf_snprintf(res.out[i], FMT_OUT_SIZE, f, a, sizeof(a));              \
		res.ret_short[i] = bpf_snprintf(res.out_short[i], 8, f, a, sizeof(a));             \
		res.ret_zero[i] = bpf_snprintf(0, 0, f, a, sizeof(a));                             \
	}
	FMT_CASES(X)
#undef X
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
