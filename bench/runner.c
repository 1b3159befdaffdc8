/*
 * runner.c - the benchmark suite's runner: every program of progs/ on
 * every peer, in one run, with medians, ratios, code sizes and a CSV.
 *
 * Peers, each on the same 256-byte input (make_input):
 *   native   the kernel of progs/kernels.h built by clang-19 -O2
 *            (native.c), called through a function pointer;
 *   b2n      the XDP program (xdp.bpf.o) compiled by bpf2native -O2,
 *            run through b2n_program__test_run with repeat (the kernel's
 *            interface), so it carries libb2n's harness cost;
 *   b2n-raw  the ctx-free variant (raw.bpf.o, r1 = the input) compiled by
 *            bpf2native, run by b2n_program__run: the bytecode DPDK and
 *            the interpreter run;
 *   kernel   the XDP program loaded with libbpf, BPF_PROG_TEST_RUN with
 *            repeat; "empty" (XDP_PASS) gives the harness cost, and the
 *            net figure is kernel - kernel(empty);
 *   dpdk     librte_bpf's JIT and interpreter on the ctx-free variant
 *            (RTE_BPF_ARG_PTR of 256 bytes), loaded without EAL; its
 *            validator's refusal is printed as "rejected: <reason>";
 *   interp   b2n_interp__run on the ctx-free variant.
 * Every figure is the median over REPS repetitions of a loop of ITERS
 * runs, ITERS calibrated per peer so that one repetition takes about
 * 2 ms; ns/run comes from CLOCK_THREAD_CPUTIME_ID around the loop (for
 * the test runs, around one syscall/call with repeat = ITERS): the
 * thread's CPU time, user and system, so that the time the 2 shared cores
 * spend on other processes does not count (the kernel's own test-run
 * timer also stops while it is rescheduled).
 *
 * Columns: raw/n = b2n_raw (or b2n_net for XDP-only programs) over
 * native, and "net" next to it the same with each peer's own empty
 * program subtracted (b2n_program__run costs ~2.5 ns more than a direct
 * call); k/b2n = k_net / b2n_net; dj/raw = dpdk_jit / b2n_raw and its
 * net twin; di/raw and in/raw = the interpreters over b2n_raw.
 *
 * Correctness, before timing, on a fresh copy of the input: every peer's
 * result must equal the native one (XDP results folded to 32 bits as the
 * programs return them), and the packets the kernel and bpf2native leave
 * must be equal (and equal to the native rewrite).  Programs without a
 * native twin (hashmap, tailcall) compare bpf2native with the kernel.
 * Any difference makes the exit status 1.  Exit 77 when the kernel
 * cannot run BPF programs (no CAP_BPF), as a ctest skip.
 *
 * usage: runner XDP.bpf.o RAW.bpf.o SIZES.txt CSV [--smoke]
 *   SIZES.txt: "size name" lines of the native object's FUNC symbols.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <bpf2native/libb2n.h>

#include "bench.h"
#include "progs/kernels.h"

extern const struct b2n_abi_object b2n_object_benchxdp;
extern const struct b2n_abi_object b2n_object_benchraw;

#define MAXREPS 64
#define FOLD(x) ((uint32_t)((x) ^ ((x) >> 32)))

static int reps = 31;
static int smoke;
static int failures;

struct prog {
	const char *name;
	bench_native_fn nat;
	int raw; /* has a ctx-free variant in raw.bpf.c */
	int pkt; /* packet parsing/rewriting (the 1.3x kernel goal) */
	const char *what;
};

static const struct prog progs[] = {
    {"fnv1a", nat_fnv1a, 1, 0, "FNV-1a 64 over 256 B"},
    {"crc32", nat_crc32, 1, 0, "CRC32 bitwise over 64 B"},
    {"sort", nat_sort, 1, 0, "bubble sort of 32 u32"},
    {"parse", nat_parse, 1, 1, "eth/vlan/ip4/ip6/tcp/udp parse"},
    {"rewrite", nat_rewrite, 1, 1, "MAC swap + SNAT + csum"},
    {"lpm", nat_lpm, 1, 1, "binary search, 32 ranges"},
    {"jhash", nat_jhash, 1, 0, "jhash 2x3 words"},
    {"strmatch", nat_strmatch, 1, 0, "strncmp vs 9 keywords"},
    {"fsm", nat_fsm, 1, 0, "HTTP tokenizer, switch"},
    {"loop", nat_loop, 0, 0, "bpf_loop x64 callback"},
    {"hashmap", NULL, 0, 0, "32 hash lookups/updates"},
    {"tailcall", NULL, 0, 0, "dispatcher, 4 tail calls"},
    /* last: the harness of each peer (not in the means) */
    {"empty", nat_empty, 1, 0, "returns 2: the harness (not in the means)"},
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

enum { P_NAT, P_B2N, P_B2NRAW, P_KERN, P_DJIT, P_DINT, P_INTERP, NPEER };
static const char *peer_name[NPEER] = {"native",   "b2n",         "b2n_raw", "kernel",
                                       "dpdk_jit", "dpdk_interp", "interp"};

struct result {
	double ns[NPEER];        /* median ns/run, NAN = not run */
	char why[NPEER][96];     /* why not run */
	double kernel_reported;  /* the kernel's own duration (ns, integer) */
	double knet, bnet;       /* kernel, b2n minus their empty program */
	double kempty, bempty;   /* the empty programs, same rounds */
	double nnet, rnet, dnet; /* native, b2n_raw, dpdk_jit minus their empty */
	long b2n_bytes, kern_bytes, kern_xlated;
	int ok;
};

/* ---- time ----------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A peer as a "run ITERS times, return the total ns" function. */
typedef double (*loop_fn)(void *arg, long iters);

/* ---- interleaved measurement ------------------------------------------------
 * The 2 cores are shared with other work whose load changes from second
 * to second, so the peers of one program are measured round-robin: each
 * repetition times every peer once (after a calibration of each), and a
 * figure is the median over repetitions.  The harness figures (the empty
 * program in the kernel and in b2n_program__test_run) are part of every
 * round, and a net figure is the median of the per-round differences. */
enum { S_KEMPTY = 16, S_BEMPTY, S_NEMPTY, S_REMPTY, S_DEMPTY, NSLOT };

struct sched {
	loop_fn f[NSLOT];
	void *arg[NSLOT];
	double target[NSLOT];
	long iters[NSLOT];
	double v[NSLOT][MAXREPS];
};

static void sched_add(struct sched *S, int slot, loop_fn f, void *arg, double target)
{
	S->f[slot] = f, S->arg[slot] = arg, S->target[slot] = target;
}

static long calibrate(loop_fn f, void *arg, double target)
{
	long iters = 16;
	double t;
	if (smoke)
		return 20;
	if (f(arg, iters) < 0) /* warm up (caches, the kernel's test-run set-up) */
		return -1;
	for (;;) {
		t = f(arg, iters);
		if (t < 0)
			return -1;
		if (t >= target / 4 || iters >= (1L << 30))
			break;
		iters *= 4;
	}
	return (long)((double)iters * target / (t > 1 ? t : 1)) + 1;
}

static double median_of(const double *v, int n)
{
	double c[MAXREPS];
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			c[m++] = v[i];
	if (!m)
		return NAN;
	qsort(c, (size_t)m, sizeof(c[0]), cmp_dbl);
	return m % 2 ? c[m / 2] : (c[m / 2 - 1] + c[m / 2]) / 2;
}

static void sched_run(struct sched *S)
{
	for (int j = 0; j < NSLOT; j++)
		S->iters[j] = S->f[j] ? calibrate(S->f[j], S->arg[j], S->target[j]) : -1;
	for (int r = 0; r < reps; r++)
		for (int j = 0; j < NSLOT; j++) {
			double t = S->iters[j] > 0 ? S->f[j](S->arg[j], S->iters[j]) : -1;
			S->v[j][r] = t < 0 ? NAN : t / (double)S->iters[j];
		}
}

static double sched_median(const struct sched *S, int slot)
{
	return median_of(S->v[slot], reps);
}

static double sched_net(const struct sched *S, int slot, int empty)
{
	double d[MAXREPS];
	for (int r = 0; r < reps; r++)
		d[r] = S->v[slot][r] - S->v[empty][r];
	return median_of(d, reps);
}

/* ---- the input -------------------------------------------------------------- */

static uint16_t csum16(const uint8_t *p, int n, uint32_t s)
{
	for (int i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IPv4 + TCP (valid checksums) + an HTTP request, then the
 * LPM range table at B_LPM_OFF. */
static void make_input(uint8_t *d)
{
	static const char http[] = "CONNECT /a?b=1 HTTP/1.1\r\nHost: bench.example\r\n"
	                           "Accept: */*\r\nX-Bench: 12345\r\n\r\n";
	memset(d, 0, B_IN_LEN);
	const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
	memcpy(d, mac, 12);
	d[12] = 0x08, d[13] = 0x00;
	uint8_t *ip = d + 14;
	int ip_len = B_IN_LEN - 14;
	ip[0] = 0x45, ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len;
	ip[4] = 0x12, ip[5] = 0x34, ip[8] = 64, ip[9] = 6;
	ip[12] = 192, ip[13] = 168, ip[14] = 1, ip[15] = 20;
	ip[16] = 172, ip[17] = 16, ip[18] = 9, ip[19] = 77;
	uint8_t *tcp = ip + 20;
	tcp[0] = 0xc3, tcp[1] = 0x50, tcp[2] = 0, tcp[3] = 80;
	tcp[4] = 0x11, tcp[7] = 0x22, tcp[12] = 5 << 4, tcp[13] = 0x18;
	tcp[14] = 0xff, tcp[15] = 0xff;
	memcpy(d + B_PAY_OFF, http,
	       strlen(http) < (size_t)(B_LPM_OFF - B_PAY_OFF) ? strlen(http)
	                                                      : (size_t)(B_LPM_OFF - B_PAY_OFF));
	/* 32 sorted range starts in host order; the key (IPv4 daddr as a
	 * host-order number) falls in range 27. */
	for (uint32_t i = 0; i < B_LPM_N; i++) {
		uint32_t v = i * 0x06000000u + (i * i * 0x10101u);
		memcpy(d + B_LPM_OFF + 4 * i, &v, 4);
	}
	/* checksums: IP header, then TCP over the pseudo header */
	uint16_t c = csum16(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	int tl = ip_len - 20;
	uint32_t ps = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
	              (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + 6 +
	              (uint32_t)tl;
	c = csum16(tcp, tl, ps);
	tcp[16] = (uint8_t)(c >> 8), tcp[17] = (uint8_t)c;
}

static uint8_t input[B_IN_LEN];

/* ---- native ----------------------------------------------------------------- */

struct nat_arg {
	bench_native_fn fn;
	uint8_t buf[B_IN_LEN];
};

static volatile uint64_t sink;

static double nat_loop_fn(void *a, long iters)
{
	struct nat_arg *n = a;
	uint64_t acc = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++)
		acc += n->fn(n->buf, n->buf + B_IN_LEN);
	double t = now_ns() - t0;
	sink = acc;
	return t;
}

/* ---- bpf2native ---------------------------------------------------------- */

struct b2n_arg {
	const struct b2n_program *p;
	uint8_t buf[B_IN_LEN];
	int err;
};

static double b2n_test_loop(void *a, long iters)
{
	struct b2n_arg *b = a;
	struct b2n_test_run_opts o = {
	    .sz = sizeof(o), .data_in = b->buf, .data_size_in = B_IN_LEN, .repeat = (int)iters};
	double t0 = now_ns();
	int err = b2n_program__test_run(b->p, &o);
	double t = now_ns() - t0;
	if (err) {
		b->err = err;
		return -1;
	}
	return t;
}

static double b2n_raw_loop(void *a, long iters)
{
	struct b2n_arg *b = a;
	uint64_t r = 0, acc = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		b2n_program__run(b->p, b->buf, &r);
		acc += r;
	}
	double t = now_ns() - t0;
	sink = acc;
	return t;
}

/* ---- kernel --------------------------------------------------------------- */

struct kern_arg {
	int fd;
	uint8_t buf[B_IN_LEN];
	double reported; /* the kernel's mean duration of the last run */
	int err;
};

static double kern_loop(void *a, long iters)
{
	struct kern_arg *k = a;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->buf, .data_size_in = B_IN_LEN,
	            .repeat = (int)iters);
	double t0 = now_ns();
	int err = bpf_prog_test_run_opts(k->fd, &o);
	double t = now_ns() - t0;
	if (err) {
		k->err = -errno;
		return -1;
	}
	k->reported = o.duration;
	return t;
}

/* ---- DPDK --------------------------------------------------------------- */

struct dpdk_arg {
	struct rte_bpf *bpf;
	uint64_t (*jit)(void *);
	uint8_t buf[B_IN_LEN];
};

static double dpdk_jit_loop(void *a, long iters)
{
	struct dpdk_arg *x = a;
	uint64_t acc = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++)
		acc += x->jit(x->buf);
	double t = now_ns() - t0;
	sink = acc;
	return t;
}

static double dpdk_int_loop(void *a, long iters)
{
	struct dpdk_arg *x = a;
	uint64_t acc = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++)
		acc += rte_bpf_exec(x->bpf, x->buf);
	double t = now_ns() - t0;
	sink = acc;
	return t;
}

static FILE *dpdk_log;
static char *dpdk_log_buf;
static size_t dpdk_log_len;

/* The last non-empty line DPDK logged since `from`, trimmed. */
static void dpdk_reason(size_t from, char *out, size_t n)
{
	fflush(dpdk_log);
	snprintf(out, n, "%s", rte_strerror(rte_errno));
	if (!dpdk_log_buf || dpdk_log_len <= from)
		return;
	char *s = dpdk_log_buf + from;
	char *last = NULL;
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		if (*line)
			last = line;
	if (last) {
		char *c = strstr(last, ": ");
		if (c && strstr(last, "evaluate") == NULL)
			last = c + 2;
		snprintf(out, n, "%s", last);
	}
}

/* ---- our interpreter -------------------------------------------------- */

struct interp_arg {
	struct b2n_insn *insns;
	size_t n;
	uint8_t buf[B_IN_LEN];
	int err;
};

static double interp_loop(void *a, long iters)
{
	struct interp_arg *x = a;
	uint64_t r = 0, acc = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		int err = b2n_interp__run(x->insns, x->n, x->buf, 0, NULL, &r);
		if (err) {
			x->err = err;
			return -1;
		}
		acc += r;
	}
	double t = now_ns() - t0;
	sink = acc;
	return t;
}

static struct b2n_insn *to_b2n(const struct bpf_insn *in, size_t n)
{
	struct b2n_insn *out = calloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		out[i].code = in[i].code;
		out[i].dst = in[i].dst_reg;
		out[i].src = in[i].src_reg;
		out[i].off = in[i].off;
		out[i].imm = in[i].imm;
	}
	return out;
}

/* ---- code sizes ---------------------------------------------------------- */

struct sym {
	char name[128];
	long size;
};
static struct sym syms[512];
static int nsyms;

static void read_sizes(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (nsyms < 512 && fscanf(f, "%ld %127s", &syms[nsyms].size, syms[nsyms].name) == 2)
		nsyms++;
	fclose(f);
}

/* Bytes of program P of object O: its entry; its body when the entry is
 * a thin wrapper that jumps there (< 48 bytes); its subprograms. */
static long b2n_size(const char *obj, const char *p)
{
	char entry[160], body[160], sub[160];
	snprintf(entry, sizeof(entry), "b2n_%s__%s", obj, p);
	snprintf(body, sizeof(body), "b2n_%s__%s.%s", obj, p, p);
	snprintf(sub, sizeof(sub), "b2n_%s__%s.", obj, p);
	long e = -1, b = 0, s = 0;
	for (int i = 0; i < nsyms; i++) {
		if (!strcmp(syms[i].name, entry))
			e = syms[i].size;
		else if (!strcmp(syms[i].name, body))
			b = syms[i].size;
		else if (!strncmp(syms[i].name, sub, strlen(sub)))
			s += syms[i].size;
	}
	if (e < 0)
		return -1;
	return e + (e < 48 ? b : 0) + s;
}

/* ---- output ------------------------------------------------------------- */

static void fmt_ns(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else if (v >= 1000)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, "%.1f", v);
}

static void fmt_ratio(char *out, size_t n, double a, double b)
{
	if (isnan(a) || isnan(b) || b <= 0)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.2f", a / b);
}

struct gm {
	double logsum;
	int n;
};
static void gm_add(struct gm *g, double a, double b)
{
	if (isnan(a) || isnan(b) || a <= 0 || b <= 0)
		return;
	g->logsum += log(a / b);
	g->n++;
}
static double gm_val(const struct gm *g)
{
	return g->n ? exp(g->logsum / g->n) : NAN;
}

static void mismatch(const char *prog, const char *peer, uint64_t got, uint64_t want)
{
	printf("MISMATCH %s/%s: got %#llx, want %#llx\n", prog, peer, (unsigned long long)got,
	       (unsigned long long)want);
	failures++;
}

/* ---- main ----------------------------------------------------------------- */

static int quiet_libbpf(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s XDP.bpf.o RAW.bpf.o SIZES.txt OUT.csv [--smoke]\n",
		        argv[0]);
		return 2;
	}
	smoke = argc > 5 && !strcmp(argv[5], "--smoke");
	if (smoke)
		reps = 1;
	read_sizes(argv[3]);
	make_input(input);
	libbpf_set_print(quiet_libbpf);

	dpdk_log = open_memstream(&dpdk_log_buf, &dpdk_log_len);
	rte_openlog_stream(dpdk_log);

	/* kernel */
	struct bpf_object *kobj = bpf_object__open_file(argv[1], NULL);
	if (!kobj) {
		fprintf(stderr, "runner: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int kerr = bpf_object__load(kobj);
	if (kerr) {
		if (kerr == -EPERM || kerr == -EACCES) {
			printf("SKIPPED: the kernel refuses BPF programs here (%s): no CAP_BPF\n",
			       strerror(-kerr));
			return 77;
		}
		fprintf(stderr, "runner: the kernel refused %s: %s\n", argv[1], strerror(-kerr));
		return 1;
	}
	/* raw variants: bytecode only (libbpf does not load them) */
	struct bpf_object *robj = bpf_object__open_file(argv[2], NULL);
	if (!robj) {
		fprintf(stderr, "runner: cannot open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}

	/* bpf2native */
	struct b2n_object *bx = b2n_object__open(&b2n_object_benchxdp, NULL);
	struct b2n_object *br = b2n_object__open(&b2n_object_benchraw, NULL);
	if (!bx || !br || b2n_object__load(bx) || b2n_object__load(br)) {
		fprintf(stderr, "runner: libb2n cannot open/load the compiled objects\n");
		return 1;
	}

	static struct result res[NPROGS + 1];
	struct kern_arg kempty = {0};
	struct b2n_arg bempty = {0};
	kempty.fd = bpf_program__fd(bpf_object__find_program_by_name(kobj, "empty"));
	memcpy(kempty.buf, input, B_IN_LEN);
	bempty.p = b2n_object__find_program_by_name(bx, "empty");
	memcpy(bempty.buf, input, B_IN_LEN);
	/* the ctx-free harnesses: native call, b2n_program__run, DPDK's JIT */
	struct nat_arg nempty = {.fn = nat_empty};
	struct b2n_arg rempty = {.p = b2n_object__find_program_by_name(br, "empty_raw")};
	struct dpdk_arg dempty = {0};
	{
		struct bpf_program *ep = bpf_object__find_program_by_name(robj, "empty_raw");
		struct rte_bpf_prm eprm = {
		    .ins = (const struct ebpf_insn *)bpf_program__insns(ep),
		    .nb_ins = (uint32_t)bpf_program__insn_cnt(ep),
		    .prog_arg = {.type = RTE_BPF_ARG_PTR, .size = B_IN_LEN},
		};
		struct rte_bpf *eb = rte_bpf_load(&eprm);
		struct rte_bpf_jit ej = {0};
		if (!eb || rte_bpf_get_jit(eb, &ej) || !ej.func) {
			fprintf(stderr, "runner: DPDK cannot load the empty program\n");
			return 1;
		}
		dempty.bpf = eb;
		dempty.jit = ej.func;
	}

	for (size_t i = 0; i < NPROGS; i++) {
		const struct prog *P = &progs[i];
		struct result *R = &res[i];
		for (int j = 0; j < NPEER; j++)
			R->ns[j] = NAN;
		R->ok = 1;
		int nfail = failures;
		static struct sched S;
		memset(&S, 0, sizeof(S));
		struct nat_arg na = {.fn = P->nat};
		struct b2n_arg ra = {0};
		struct interp_arg ia = {0};
		struct dpdk_arg da = {0}, dj = {0};
		sched_add(&S, S_KEMPTY, kern_loop, &kempty, 40e6);
		sched_add(&S, S_BEMPTY, b2n_test_loop, &bempty, 2e6);
		sched_add(&S, S_NEMPTY, nat_loop_fn, &nempty, 2e6);
		sched_add(&S, S_REMPTY, b2n_raw_loop, &rempty, 2e6);
		sched_add(&S, S_DEMPTY, dpdk_jit_loop, &dempty, 2e6);

		/* expected */
		uint8_t want_pkt[B_IN_LEN];
		memcpy(want_pkt, input, B_IN_LEN);
		uint64_t want = 0;
		int have_want = P->nat != NULL;
		if (have_want)
			want = P->nat(want_pkt, want_pkt + B_IN_LEN);

		/* kernel: correctness then time */
		struct bpf_program *kp = bpf_object__find_program_by_name(kobj, P->name);
		struct kern_arg ka = {.fd = bpf_program__fd(kp)};
		uint8_t kout[B_IN_LEN + 64];
		LIBBPF_OPTS(bpf_test_run_opts, ko, .data_in = input, .data_size_in = B_IN_LEN,
		            .data_out = kout, .data_size_out = sizeof(kout), .repeat = 1);
		if (bpf_prog_test_run_opts(ka.fd, &ko)) {
			printf("FAIL %s/kernel: test run: %s\n", P->name, strerror(errno));
			failures++;
		}
		if (!have_want) {
			want = ko.retval;
			memcpy(want_pkt, kout, B_IN_LEN);
		}
		if (ko.retval != FOLD(want))
			mismatch(P->name, "kernel", ko.retval, FOLD(want));
		if (ko.data_size_out != B_IN_LEN || memcmp(kout, want_pkt, B_IN_LEN)) {
			printf("MISMATCH %s/kernel: output packet\n", P->name);
			failures++;
		}
		struct bpf_prog_info info = {0};
		uint32_t ilen = sizeof(info);
		if (!bpf_obj_get_info_by_fd(ka.fd, &info, &ilen)) {
			R->kern_bytes = info.jited_prog_len;
			R->kern_xlated = info.xlated_prog_len / 8;
		}
		memcpy(ka.buf, input, B_IN_LEN);
		sched_add(&S, P_KERN, kern_loop, &ka, 40e6);

		/* bpf2native, XDP through test_run */
		struct b2n_arg ba = {.p = b2n_object__find_program_by_name(bx, P->name)};
		uint8_t bout[B_IN_LEN + 64];
		struct b2n_test_run_opts bo = {.sz = sizeof(bo),
		                               .data_in = input,
		                               .data_size_in = B_IN_LEN,
		                               .data_out = bout,
		                               .data_size_out = sizeof(bout),
		                               .repeat = 1};
		int err = ba.p ? b2n_program__test_run(ba.p, &bo) : -ENOENT;
		if (err) {
			printf("FAIL %s/b2n: test run: %s\n", P->name, strerror(-err));
			failures++;
		} else {
			if (bo.retval != FOLD(want))
				mismatch(P->name, "b2n", bo.retval, FOLD(want));
			if (bo.data_size_out != B_IN_LEN || memcmp(bout, want_pkt, B_IN_LEN)) {
				printf("MISMATCH %s/b2n: output packet\n", P->name);
				failures++;
			}
			memcpy(ba.buf, input, B_IN_LEN);
			sched_add(&S, P_B2N, b2n_test_loop, &ba, 2e6);
		}
		R->b2n_bytes = b2n_size("benchxdp", P->name);

		/* native */
		if (P->nat) {
			memcpy(na.buf, input, B_IN_LEN);
			sched_add(&S, P_NAT, nat_loop_fn, &na, 2e6);
		} else {
			snprintf(R->why[P_NAT], sizeof(R->why[P_NAT]), "no native twin (helpers)");
		}

		/* the ctx-free variant: b2n-raw, DPDK, interp */
		const struct bpf_insn *ins = NULL;
		size_t nins = 0;
		if (P->raw) {
			char rname[64];
			snprintf(rname, sizeof(rname), "%s_raw", P->name);
			struct bpf_program *rp = bpf_object__find_program_by_name(robj, rname);
			ins = bpf_program__insns(rp);
			nins = bpf_program__insn_cnt(rp);

			ra.p = b2n_object__find_program_by_name(br, rname);
			uint64_t r = 0;
			memcpy(ra.buf, input, B_IN_LEN);
			b2n_program__run(ra.p, ra.buf, &r);
			if (r != want)
				mismatch(P->name, "b2n_raw", r, want);
			memcpy(ra.buf, input, B_IN_LEN);
			sched_add(&S, P_B2NRAW, b2n_raw_loop, &ra, 2e6);

			ia.insns = to_b2n(ins, nins);
			ia.n = nins;
			memcpy(ia.buf, input, B_IN_LEN);
			err = b2n_interp__run(ia.insns, ia.n, ia.buf, 0, NULL, &r);
			if (err) {
				printf("FAIL %s/interp: %s\n", P->name, strerror(-err));
				failures++;
			} else {
				if (r != want)
					mismatch(P->name, "interp", r, want);
				memcpy(ia.buf, input, B_IN_LEN);
				sched_add(&S, P_INTERP, interp_loop, &ia, 2e6);
			}
		} else {
			/* DPDK gets the XDP bytecode, to show its own refusal */
			struct bpf_program *xp = bpf_object__find_program_by_name(kobj, P->name);
			ins = bpf_program__insns(xp);
			nins = bpf_program__insn_cnt(xp);
			snprintf(R->why[P_B2NRAW], sizeof(R->why[P_B2NRAW]), "XDP-only program");
			snprintf(R->why[P_INTERP], sizeof(R->why[P_INTERP]),
			         "needs maps/bpf_loop/tail calls");
		}

		/* DPDK */
		struct rte_bpf_prm prm = {
		    .ins = (const struct ebpf_insn *)ins,
		    .nb_ins = (uint32_t)nins,
		    .prog_arg = {.type = RTE_BPF_ARG_PTR, .size = B_IN_LEN},
		};
		fflush(dpdk_log);
		size_t from = dpdk_log_len;
		rte_errno = 0;
		da.bpf = ins ? rte_bpf_load(&prm) : NULL;
		if (!da.bpf) {
			char why[96];
			dpdk_reason(from, why, sizeof(why));
			snprintf(R->why[P_DJIT], sizeof(R->why[P_DJIT]), "rejected: %s", why);
			snprintf(R->why[P_DINT], sizeof(R->why[P_DINT]), "rejected: %s", why);
		} else {
			struct rte_bpf_jit jit = {0};
			memcpy(da.buf, input, B_IN_LEN);
			uint64_t r = rte_bpf_exec(da.bpf, da.buf);
			if (r != want)
				mismatch(P->name, "dpdk_interp", r, want);
			memcpy(da.buf, input, B_IN_LEN);
			sched_add(&S, P_DINT, dpdk_int_loop, &da, 2e6);
			if (rte_bpf_get_jit(da.bpf, &jit) == 0 && jit.func) {
				dj.jit = jit.func;
				memcpy(dj.buf, input, B_IN_LEN);
				r = jit.func(dj.buf);
				if (r != want)
					mismatch(P->name, "dpdk_jit", r, want);
				memcpy(dj.buf, input, B_IN_LEN);
				sched_add(&S, P_DJIT, dpdk_jit_loop, &dj, 2e6);
			} else {
				snprintf(R->why[P_DJIT], sizeof(R->why[P_DJIT]), "no JIT");
			}
		}
		sched_run(&S);
		for (int j = 0; j < NPEER; j++)
			R->ns[j] = sched_median(&S, j);
		R->knet = sched_net(&S, P_KERN, S_KEMPTY);
		R->bnet = sched_net(&S, P_B2N, S_BEMPTY);
		R->nnet = sched_net(&S, P_NAT, S_NEMPTY);
		R->rnet = sched_net(&S, P_B2NRAW, S_REMPTY);
		R->dnet = sched_net(&S, P_DJIT, S_DEMPTY);
		R->kempty = sched_median(&S, S_KEMPTY);
		R->bempty = sched_median(&S, S_BEMPTY);
		R->kernel_reported = ka.reported;
		if (da.bpf)
			rte_bpf_destroy(da.bpf);
		free(ia.insns);
		R->ok = failures == nfail;
		fprintf(stderr, "  %s done\n", P->name);
	}

	/* ---- the table ---- */
	FILE *csv = fopen(argv[4], "w");
	if (csv)
		fprintf(csv,
		        "program,native_ns,b2n_ns,b2n_net_ns,b2n_raw_ns,kernel_ns,kernel_net_ns,"
		        "kernel_reported_ns,dpdk_jit_ns,dpdk_interp_ns,interp_ns,b2n_bytes,"
		        "kernel_jited_bytes,kernel_xlated_insns,native_net_ns,b2n_raw_net_ns,"
		        "dpdk_jit_net_ns,ok,notes\n");
	double ke[NPROGS], be[NPROGS];
	for (size_t i = 0; i < NPROGS; i++)
		ke[i] = res[i].kempty, be[i] = res[i].bempty;
	printf("\nharness (empty XDP program, median over all rounds): kernel test_run %.1f "
	       "ns/run, b2n_program__test_run %.1f ns/run\n",
	       median_of(ke, (int)NPROGS), median_of(be, (int)NPROGS));
	printf("ns/run, medians of %d repetitions; b2n = XDP via b2n_program__test_run, "
	       "b2n_raw = ctx-free variant via b2n_program__run;\n"
	       "k_net/b2n_net = kernel and b2n minus their empty-program harness cost\n\n",
	       reps);
	printf("%-9s %8s %8s %8s %8s %8s %8s %8s %8s | %6s %6s %6s %6s %6s %6s %6s | %5s %5s\n",
	       "program", "native", "b2n_raw", "b2n", "b2n_net", "kernel", "k_net", "dpdk_jit",
	       "interp", "raw/n", "net", "k/b2n", "dj/raw", "net", "di/raw", "in/raw", "bytes",
	       "kbyte");
	struct gm g_nat = {0}, g_kern = {0}, g_kpkt = {0}, g_dpdk = {0}, g_int = {0}, g_dint = {0};
	struct gm g_natn = {0}, g_dpdkn = {0};
	int smaller = 0, nsize = 0;
	for (size_t i = 0; i < NPROGS; i++) {
		const struct prog *P = &progs[i];
		struct result *R = &res[i];
		double bnet = R->bnet, knet = R->knet;
		/* a net figure at or below 0 is under the noise: no ratio */
		if (!(bnet > 0.05))
			bnet = NAN;
		if (!(knet > 0.05))
			knet = NAN;
		/* b2n/native: the ctx-free variant when there is one, else the
		 * XDP one net of its harness */
		double b_vs_nat = P->raw ? R->ns[P_B2NRAW] : bnet;
		/* the same, each net of its own harness (its empty program) */
		double nnet = R->nnet > 0.05 ? R->nnet : NAN;
		double rnet = R->rnet > 0.05 ? R->rnet : NAN;
		double dnet = R->dnet > 0.05 ? R->dnet : NAN;
		double bn_vs_nat = P->raw ? rnet : bnet;
		char c[16][32];
		fmt_ns(c[0], 32, R->ns[P_NAT]);
		fmt_ns(c[1], 32, R->ns[P_B2NRAW]);
		fmt_ns(c[2], 32, R->ns[P_B2N]);
		fmt_ns(c[3], 32, bnet);
		fmt_ns(c[4], 32, R->ns[P_KERN]);
		fmt_ns(c[5], 32, knet);
		fmt_ns(c[6], 32, R->ns[P_DJIT]);
		fmt_ns(c[7], 32, R->ns[P_INTERP]);
		fmt_ratio(c[8], 32, b_vs_nat, R->ns[P_NAT]);
		fmt_ratio(c[9], 32, knet, bnet);
		fmt_ratio(c[10], 32, R->ns[P_DJIT], R->ns[P_B2NRAW]);
		fmt_ratio(c[11], 32, R->ns[P_DINT], R->ns[P_B2NRAW]);
		fmt_ratio(c[12], 32, R->ns[P_INTERP], R->ns[P_B2NRAW]);
		fmt_ratio(c[13], 32, bn_vs_nat, nnet);
		fmt_ratio(c[14], 32, dnet, rnet);
		if (!strcmp(P->name, "empty"))
			snprintf(c[13], 32, "-"), snprintf(c[14], 32, "-");
		printf("%-9s %8s %8s %8s %8s %8s %8s %8s %8s | %6s %6s %6s %6s %6s %6s %6s | %5ld "
		       "%5ld%s\n",
		       P->name, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[13], c[9],
		       c[10], c[14], c[11], c[12], R->b2n_bytes, R->kern_bytes,
		       R->ok ? "" : "  MISMATCH");
		if (!strcmp(P->name, "empty"))
			goto csv_line;
		gm_add(&g_nat, b_vs_nat, R->ns[P_NAT]);
		gm_add(&g_natn, bn_vs_nat, nnet);
		gm_add(&g_dpdkn, dnet, rnet);
		gm_add(&g_kern, knet, bnet);
		if (P->pkt)
			gm_add(&g_kpkt, knet, bnet);
		gm_add(&g_dpdk, R->ns[P_DJIT], R->ns[P_B2NRAW]);
		gm_add(&g_dint, R->ns[P_DINT], R->ns[P_B2NRAW]);
		gm_add(&g_int, R->ns[P_INTERP], R->ns[P_B2NRAW]);
		if (R->b2n_bytes > 0 && R->kern_bytes > 0) {
			nsize++;
			smaller += R->b2n_bytes <= R->kern_bytes;
		}
	csv_line:
		if (csv) {
			char notes[300] = "";
			for (int j = 0; j < NPEER; j++)
				if (R->why[j][0]) {
					size_t l = strlen(notes);
					snprintf(notes + l, sizeof(notes) - l, "%s%s: %s",
					         l ? "; " : "", peer_name[j], R->why[j]);
				}
			for (char *q = notes; *q; q++)
				if (*q == ',' || *q == '"')
					*q = ' ';
			fprintf(csv,
			        "%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.0f,%.2f,%.2f,%.2f,%ld,%ld,%ld,%"
			        ".2f,%.2f,"
			        "%.2f,%d,%s\n",
			        P->name, R->ns[P_NAT], R->ns[P_B2N], bnet, R->ns[P_B2NRAW],
			        R->ns[P_KERN], knet, R->kernel_reported, R->ns[P_DJIT],
			        R->ns[P_DINT], R->ns[P_INTERP], R->b2n_bytes, R->kern_bytes,
			        R->kern_xlated, nnet, rnet, dnet, R->ok, notes);
		}
	}
	printf("\ngeometric means:\n"
	       "  b2n/native       %.3f (%d programs), each net of its harness %.3f (%d)\n"
	       "  kernel/b2n (net) %.2f (%d), on the packet programs %.2f (%d)\n"
	       "  dpdk_jit/b2n_raw %.2f (%d), each net of its harness %.2f (%d)\n"
	       "  dpdk_interp/b2n_raw %.1f (%d), interp/b2n_raw %.1f (%d)\n"
	       "  b2n code <= kernel JIT code on %d of %d programs\n",
	       gm_val(&g_nat), g_nat.n, gm_val(&g_natn), g_natn.n, gm_val(&g_kern), g_kern.n,
	       gm_val(&g_kpkt), g_kpkt.n, gm_val(&g_dpdk), g_dpdk.n, gm_val(&g_dpdkn), g_dpdkn.n,
	       gm_val(&g_dint), g_dint.n, gm_val(&g_int), g_int.n, smaller, nsize);
	printf("\nnot run:\n");
	for (size_t i = 0; i < NPROGS; i++)
		for (int j = 0; j < NPEER; j++)
			if (progs[i].what && res[i].why[j][0])
				printf("  %-9s %-11s %s\n", progs[i].name, peer_name[j],
				       res[i].why[j]);
	printf("\nprograms:\n");
	for (size_t i = 0; i < NPROGS; i++)
		printf("  %-9s %s%s\n", progs[i].name, progs[i].what,
		       progs[i].raw ? "" : " (XDP only)");
	if (csv)
		fclose(csv);
	b2n_object__close(bx);
	b2n_object__close(br);
	bpf_object__close(kobj);
	bpf_object__close(robj);
	if (failures) {
		printf("\n%d correctness failure(s)\n", failures);
		return 1;
	}
	return 0;
}
