/*
 * helpers.bpf.c - the non-map helpers: time (ktime x3, jiffies64),
 * randomness, CPU id, process information (pid_tgid, uid_gid, res.comm),
 * output (trace_printk, snprintf), strings (strncmp, strtol, strtoul) and
 * checked copies (probe_read, probe_read_str, probe_read_user/kernel and
 * their _str forms, including reads that fail).
 *
 * Values that differ between runs (times, random numbers, ids) are reduced
 * to facts checked inside the program (one bit each in the return value),
 * or compared with what the application passes in the context.  Everything
 * else lands in global variables the application reads back.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

#include "progs_bpf.h"

/* Results, read back by the application (and compared with the kernel). */
struct hp_res res;

/* a[0] = number of CPUs: returns bits 0..5 (0x3f when all facts hold). */
SEC("raw_tp")
int time_rand(struct pctx *ctx)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 b = bpf_ktime_get_boot_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 j1 = bpf_jiffies64();
	__u64 j2 = bpf_jiffies64();
	__u32 r = bpf_get_prandom_u32() | bpf_get_prandom_u32();
	r |= bpf_get_prandom_u32() | bpf_get_prandom_u32();
	__u32 cpu = bpf_get_smp_processor_id();
	int bits = 0;
	if (t2 >= t1 && t1 != 0)
		bits |= 1;
	if (b >= t1)
		bits |= 2;
	if (t2 - t1 < 1000000000ULL)
		bits |= 4;
	if (j2 >= j1 && j1 != 0)
		bits |= 8;
	if (r != 0)
		bits |= 16;
	if (cpu < ctx->a[0])
		bits |= 32;
	return bits;
}

/* a[0] = tgid, a[1] = tid, a[2] = gid << 32 | uid: returns bits (0x7 when
 * all match), and the res.comm in res.comm / res.comm_short. */
SEC("raw_tp")
int pidinfo(struct pctx *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	int bits = 0;
	if (pt >> 32 == ctx->a[0])
		bits |= 1;
	if ((__u32)pt == ctx->a[1])
		bits |= 2;
	if (ug == ctx->a[2])
		bits |= 4;
	res.comm_rc = bpf_get_current_comm(res.comm, sizeof(res.comm));
	res.comm_rc += 10 * bpf_get_current_comm(res.comm_short, sizeof(res.comm_short));
	return bits;
}

static const char pk_str[] = "str";

/* a[0], a[1]: printed through trace_printk; returns the sum of the return
 * values (formatted lengths); res.printk_rc keeps each. */
SEC("raw_tp")
int printk_test(struct pctx *ctx)
{
	static const char f1[] = "b2n: %d %u\n";
	static const char f2[] = "b2n: x=%lx s=%s\n";
	static const char f3[] = "b2n: bad %n\n";
	res.printk_rc[0] = bpf_trace_printk(f1, sizeof(f1), (int)ctx->a[0], (__u32)ctx->a[1]);
	res.printk_rc[1] = bpf_trace_printk(f2, sizeof(f2), ctx->a[1], pk_str);
	res.printk_rc[2] = bpf_trace_printk(f3, sizeof(f3), 1);
	return (int)(res.printk_rc[0] + res.printk_rc[1]);
}

/* a[0], a[1]: formatted with bpf_snprintf into res.snp_out and res.snp_short. */
SEC("raw_tp")
int snprintf_test(struct pctx *ctx)
{
	static const char fmt[] = "%d-%s-%x";
	__u64 args[3] = {ctx->a[0], (__u64)(unsigned long)pk_str, ctx->a[1]};
	res.snp_rc[0] = bpf_snprintf(res.snp_out, sizeof(res.snp_out), fmt, args, sizeof(args));
	res.snp_rc[1] = bpf_snprintf(res.snp_short, sizeof(res.snp_short), fmt, args, sizeof(args));
	return (int)res.snp_rc[0];
}

/* A bad snprintf format: the kernel's verifier refuses the program (the
 * format is a constant), the runtime returns -EINVAL when it runs. */
SEC("raw_tp")
int snprintf_bad(struct pctx *ctx)
{
	static const char bad[] = "%q";
	__u64 args[1] = {ctx->a[0]};
	char out[8];
	/* Nothing global is written: the kernel does not run this program, and
	 * .bss must still compare equal. */
	return (int)bpf_snprintf(out, sizeof(out), bad, args, sizeof(args));
}

static const char s_num1[] = "  -123abc";
static const char s_num2[] = "0x1f";
static const char s_num3[] = "abc";
static const char s_num4[] = "-5";
static const char s_num5[] = "0777";
static const char s_num6[] = "99999999999999999999";

/* a[0] selects nothing: fixed inputs; results in res.str_rc / res.str_val. */
SEC("raw_tp")
int strings(struct pctx *ctx)
{
	char buf[8] = "hello";
	long v;
	unsigned long u;
	buf[7] = (char)ctx->a[0];
	res.str_rc[0] = bpf_strncmp(buf, 5, "hello");
	res.str_rc[1] = bpf_strncmp(buf, 5, "help");
	res.str_rc[2] = bpf_strncmp(buf, 3, "hea");
	res.str_rc[3] = bpf_strncmp(buf, 6, "hello!");
	v = 0;
	res.str_rc[4] = bpf_strtol(s_num1, sizeof(s_num1) - 1, 10, &v);
	res.str_val[0] = v;
	u = 0;
	res.str_rc[5] = bpf_strtoul(s_num2, sizeof(s_num2) - 1, 0, &u);
	res.str_val[1] = (long)u;
	v = 7;
	res.str_rc[6] = bpf_strtol(s_num3, sizeof(s_num3) - 1, 0, &v);
	res.str_val[2] = v;
	u = 7;
	res.str_rc[7] = bpf_strtoul(s_num4, sizeof(s_num4) - 1, 10, &u);
	res.str_val[3] = (long)u;
	u = 0;
	res.str_rc[8] = bpf_strtoul(s_num5, sizeof(s_num5) - 1, 0, &u);
	res.str_val[4] = (long)u;
	v = 0;
	res.str_rc[9] = bpf_strtol(s_num6, sizeof(s_num6) - 1, 10, &v);
	res.str_val[5] = v;
	v = 0;
	res.str_rc[10] = bpf_strtol(s_num1, sizeof(s_num1) - 1, 3, &v);
	res.str_val[6] = v;
	u = 0;
	res.str_rc[11] = bpf_strtoul(s_num2, 3, 16, &u);
	res.str_val[7] = (long)u;
	return (int)(res.str_rc[4] + res.str_rc[5]);
}

/* a[0] = address of a user buffer ("user-buffer-0123..."). */
SEC("raw_tp")
int probe(struct pctx *ctx)
{
	const void *user = (const void *)(unsigned long)ctx->a[0];
	const void *bad = (const void *)8UL;
	__u64 kvar = 0x1122334455667788ULL ^ ctx->a[1];
	char kstr[8] = "kern";
	res.probe_rc[0] = bpf_probe_read_user(&res.probe_val[0], 8, user);
	res.probe_rc[1] = bpf_probe_read_user_str(res.probe_str[0], 16, user);
	res.probe_rc[2] = bpf_probe_read_kernel(&res.probe_val[1], 8, &kvar);
	res.probe_rc[3] = bpf_probe_read_kernel_str(res.probe_str[1], 16, kstr);
	res.probe_val[2] = 0xdead;
	res.probe_rc[4] = bpf_probe_read_kernel(&res.probe_val[2], 8, bad);
	res.probe_rc[5] = bpf_probe_read_user(&res.probe_val[3], 8, bad);
	res.probe_rc[6] = bpf_probe_read_user_str(res.probe_str[2], 16, bad);
	res.probe_rc[7] = bpf_probe_read_kernel_str(res.probe_str[3], 4, kstr);
	res.probe_rc[8] = bpf_probe_read(&res.probe_val[3], 8, &kvar);
	res.probe_rc[9] = bpf_probe_read_str(res.probe_str[2], 16, kstr);
	return (int)(res.probe_rc[1] + res.probe_rc[3]);
}

char LICENSE[] SEC("license") = "GPL";
