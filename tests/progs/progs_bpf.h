/*
 * progs_bpf.h - shared by the BPF programs of tests/progs (clang and
 * gcc-bpf) and by their C drivers: the context and the layouts of the
 * global variables the drivers read back.
 *
 * Most programs are SEC("raw_tp") programs whose context is an array of
 * 64-bit arguments (struct bpf_raw_tracepoint_args in the kernel): the
 * native test passes the same array, and the kernel test gives it to
 * bpf_prog_test_run_opts as ctx_in, so both sides see the same input.
 * Return values are compared as 32-bit values (the kernel's retval is a
 * u32), so programs return small values or negative errnos.
 *
 * Globals that the drivers check field by field are grouped in one struct
 * per section, so that their layout does not depend on how a compiler
 * orders the variables of a section.  Only plain fixed-size types are used
 * (identical layout on BPF and on the six native targets).
 */
#ifndef B2N_TESTS_PROGS_BPF_H
#define B2N_TESTS_PROGS_BPF_H

typedef unsigned int t_u32;
typedef unsigned long long t_u64;
typedef long long t_s64;

struct pctx {
	t_u64 a[8];
};

#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* maps_basic.bpf.c */
struct mb_ro {
	t_u32 scale;
	char greeting[12];
};
struct mb_stats {
	t_u64 total;
	t_u32 hist[4];
};
struct mb_hval {
	t_u64 count;
	t_u32 key;
	t_u32 flags;
};

/* maps_special.bpf.c */
struct ms_res {
	t_u64 loop_sum;
	t_u64 fe_sum;
	t_u32 fe_keys;
	t_u32 pad;
};
struct lpm_key4 {
	t_u32 prefixlen;
	unsigned char addr[4];
};

/* helpers.bpf.c */
struct hp_res {
	char comm[16];
	char comm_short[4];
	t_u32 pad;
	t_s64 comm_rc;
	char snp_out[40];
	char snp_short[8];
	t_s64 snp_rc[3];
	t_s64 printk_rc[3];
	t_s64 str_rc[12];
	t_s64 str_val[8];
	t_u64 probe_val[4];
	char probe_str[4][16];
	t_s64 probe_rc[10];
};

/* ringbuf.bpf.c */
struct rb_rec {
	t_u32 seq;
	t_u32 kind; /* 1 output, 2 reserve+submit */
	t_u64 val;
};
struct rb_res {
	t_u32 seq;
	t_u32 pad;
	t_u64 q_avail, q_size, q_cons, q_prod;
	t_s64 out_rc[4];
};

/* lock.bpf.c (value layout; the lock is struct bpf_spin_lock, 4 bytes) */
struct lk_val_user {
	t_u32 lock;
	t_u32 pad;
	t_u64 a;
	t_u64 b;
};

/* simple.bpf.c */
struct s_data {
	t_u64 calls;
	t_u32 mult;
	t_u32 pad;
};

#endif
