/*
 * progs_test.h - shared by the C drivers of tests/progs.
 *
 * Each BPF program group <g> (<g>.bpf.c) has a driver <g>_test.c that
 * defines `const struct group group_<g>`: the compiled object's descriptor
 * (a weak reference, NULL when bpf2native could not compile the object), a
 * table of program runs with their expected return values, and native
 * checks made from the application side afterwards (map contents, global
 * data, ring-buffer records, trace output, bad-input error codes).  The
 * same run tables drive the kernel agreement test (kernel_test.c), which
 * replays them through bpf_prog_test_run_opts and compares.
 *
 * Run arguments are the 64-bit words of the raw_tp context (struct pctx);
 * for SEC("tc")/SEC("socket") programs a[0..4] become __sk_buff cb[0..4];
 * SEC("xdp") programs get a zeroed context.  A few argument values are
 * tokens resolved at run time (ARG_*: process ids, a user buffer...).
 */
#ifndef B2N_TESTS_PROGS_TEST_H
#define B2N_TESTS_PROGS_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <bpf2native/libb2n.h>

#define NOCHECK INT64_MIN

/* Argument tokens (resolve_args). */
#define ARG_TOKEN 0xb2b2b2b200000000ULL
#define ARG_TGID (ARG_TOKEN | 1)
#define ARG_TID (ARG_TOKEN | 2)
#define ARG_UIDGID (ARG_TOKEN | 3)
#define ARG_NCPUS (ARG_TOKEN | 4)
#define ARG_USERBUF (ARG_TOKEN | 5)

#define USERBUF_TEXT "user-buf"

struct prun {
	const char *prog;
	uint64_t a[8];
	int64_t expect; /* compared as int32_t; NOCHECK to skip */
};

struct group {
	const char *name; /* object name (b2n_object_<name>) */
	const char *src;  /* BPF object stem: <src>.bpf.c */
	const struct b2n_abi_object *desc;
	const struct prun *runs;
	size_t nruns;
	/* Native checks after the runs (the object is still loaded); NULL if
	 * none.  after_close runs once the object is closed (to open it
	 * again); NULL if none. */
	void (*check)(struct b2n_object *obj);
	void (*before)(const struct group *g); /* before open; NULL if none */
	void (*after_close)(const struct group *g);
};

/* Every group, in the order the drivers run them (progs_main.c). */
#define PROGS_GROUPS(X)                                                                            \
	X(maps_basic)                                                                              \
	X(maps_special)                                                                            \
	X(helpers)                                                                                 \
	X(ringbuf)                                                                                 \
	X(lock)                                                                                    \
	X(legacy)                                                                                  \
	X(simple)                                                                                  \
	X(simple_gcc)
#define X(g) extern const struct group group_##g;
PROGS_GROUPS(X)
#undef X

/* Update flags (uapi values; the drivers do not include linux/bpf.h). */
#define T_ANY 0
#define T_NOEXIST 1
#define T_EXIST 2
#define T_F_LOCK 4

/* ---- checks ------------------------------------------------------------- */
extern int t_pass, t_fail;
void t_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define CHECK(cond, ...) t_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ(got, want, what)                                                                  \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		t_check(g_ == w_, __FILE__, __LINE__, "%s: got %lld (0x%llx), want %lld", what,    \
		        g_, (unsigned long long)g_, w_);                                           \
	} while (0)
/* Prefix of failure messages ("group/target"). */
extern const char *t_where;

/* ---- helpers ------------------------------------------------------------ */
void resolve_args(const uint64_t in[8], uint64_t out[8]);
int user_ncpus(void); /* b2n_num_possible_cpus() */
/* Build the context for a program of section `sec` into buf (>= 256
 * bytes); returns its size. */
size_t build_ctx(const char *sec, const uint64_t a[8], void *buf);
/* Run program `name` of obj; 0 and *ret, or a negative errno. */
int run_prog(struct b2n_object *obj, const char *name, const uint64_t a[8], uint64_t *ret);
/* Open and load the group's object; NULL (after a failed check) if not. */
struct b2n_object *open_group(const struct group *g);
/* Run the table and check every expected return value. */
void run_table(struct b2n_object *obj, const struct group *g);
/* Map by name, with a failed check when missing. */
struct b2n_map *get_map(struct b2n_object *obj, const char *name);
/* Global-data section (".data", ".bss", ".rodata", ".data.custom"...):
 * matched by exact name, or as the suffix after the object-name prefix. */
void *get_data(struct b2n_object *obj, const char *sec, size_t *size);
/* Sum over CPUs of a per-CPU map's u64 value at key (value_size <= 8). */
uint64_t percpu_sum(struct b2n_map *m, const void *key, int *err);
/* Number of keys (get_next_key walk). */
int count_keys(struct b2n_map *m);
/* Trace sink capture. */
void trace_capture_start(void);
const char *trace_captured(void);

#endif
