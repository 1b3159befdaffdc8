/*
 * bench_tailcall.c - cost of one bpf_tail_call, bpf2native (x86_64) next to
 * the kernel (JIT), for the same programs (bench.bpf.c).
 *
 * Method, the same on both sides:
 *   - a run of c0 with slots 1..32 of bjmp filled takes 32 tail calls
 *     (checked: it returns 132); a run of self_loop takes 33 (returns 7);
 *   - a run of `empty` measures the harness: the cost of one program run
 *     without tail calls (a native b2n_program__run, or one iteration of
 *     the kernel's BPF_PROG_TEST_RUN loop);
 *   - ns per tail call = (ns per chain run - ns per empty run) / calls;
 *   - each figure is the median of REPS repetitions of ITERS runs.
 * Native: a loop of b2n_program__run timed with CLOCK_THREAD_CPUTIME_ID
 * (the thread's CPU time: other work on shared cores does not count).  Kernel:
 * libbpf's bpf_prog_test_run_opts with repeat = ITERS on a 64-byte packet
 * (the kernel reports the mean ns per run, an integer).  The kernel side
 * needs CAP_BPF/CAP_NET_ADMIN (or root); without it only the native
 * figures are printed.
 *
 * usage: bench_tailcall BENCH.bpf.o [ITERS [REPS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpf2native/libb2n.h>

extern const struct b2n_abi_object b2n_object_bench __attribute__((weak));
extern const struct b2n_abi_object b2n_object_bench_step __attribute__((weak));
extern const struct b2n_abi_object b2n_object_bench_empty __attribute__((weak));

#define NCHAIN 32
#define SELF_SLOT 40
#define MAXREPS 101

static long iters = 1000000;
static int reps = 11;

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct fig {
	double empty, chain, self;
	int ok;
};

/* ---- native ---------------------------------------------------------------- */

static double native_once(struct b2n_program *p, uint64_t want)
{
	unsigned char pkt[64] = {0};
	uint64_t r = 0, bad = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		b2n_program__run(p, pkt, &r);
		bad |= r ^ want;
	}
	double t = (now_ns() - t0) / (double)iters;
	if (bad) {
		fprintf(stderr, "native %s returned %llu, want %llu\n", b2n_program__name(p),
		        (unsigned long long)r, (unsigned long long)want);
		return -1;
	}
	return t;
}

static int native(struct fig *f)
{
	if (!&b2n_object_bench) {
		fprintf(stderr, "native: the bench object is not linked in\n");
		return -1;
	}
	struct b2n_object *o = b2n_object__open(&b2n_object_bench, NULL);
	if (!o || b2n_object__load(o)) {
		fprintf(stderr, "native: cannot open/load the bench object\n");
		return -1;
	}
	struct b2n_map *m = b2n_object__find_map_by_name(o, "bjmp");
	struct b2n_program *empty = b2n_object__find_program_by_name(o, "empty");
	struct b2n_program *self = b2n_object__find_program_by_name(o, "self_loop");
	struct b2n_program *c[NCHAIN + 1];
	char nm[16];
	for (int k = 0; k <= NCHAIN; k++) {
		snprintf(nm, sizeof(nm), "c%d", k);
		c[k] = b2n_object__find_program_by_name(o, nm);
		if (!c[k])
			return -1;
	}
	if (!m || !empty || !self)
		return -1;
	for (uint32_t k = 1; k <= NCHAIN; k++) {
		int fd = b2n_program__fd(c[k]);
		if (b2n_map__update_elem(m, &k, 4, &fd, 4, 0))
			return -1;
	}
	uint32_t ks = SELF_SLOT;
	int fd = b2n_program__fd(self);
	if (b2n_map__update_elem(m, &ks, 4, &fd, 4, 0))
		return -1;
	double e[MAXREPS], ch[MAXREPS], s[MAXREPS];
	native_once(c[0], 100 + NCHAIN); /* warm up */
	for (int i = 0; i < reps; i++) {
		e[i] = native_once(empty, 100);
		ch[i] = native_once(c[0], 100 + NCHAIN);
		s[i] = native_once(self, 7);
		if (e[i] < 0 || ch[i] < 0 || s[i] < 0)
			return -1;
	}
	f->empty = median(e, reps);
	f->chain = median(ch, reps);
	f->self = median(s, reps);
	f->ok = 1;
	b2n_object__close(o);
	return 0;
}

/* ---- native, asm fallback -------------------------------------------------- */

/* bench_step.s / bench_empty.s, each its own object; the prog_array comes
 * from this hand-made descriptor and reaches the program through ctx[1]. */
static const struct b2n_abi_map fb_maps[1] = {
    {"fb_jmp", 3 /* BPF_MAP_TYPE_PROG_ARRAY */, 4, 4, 64, 0, -1, 0, 0, NULL, NULL, 0, -1},
};
static void *fb_map_slots[1], *fb_value_slots[1];
static const struct b2n_abi_object fb_desc = {B2N_ABI_VERSION,
                                              __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
                                              "fb_maps",
                                              "GPL",
                                              fb_maps,
                                              1,
                                              0,
                                              NULL,
                                              fb_map_slots,
                                              fb_value_slots,
                                              NULL,
                                              0,
                                              0};

static double fb_once(struct b2n_program *p, uint64_t *ctx)
{
	uint64_t r = 0, bad = 0;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		ctx[2] = 0;
		b2n_program__run(p, ctx, &r);
		bad |= r ^ 7;
	}
	double t = (now_ns() - t0) / (double)iters;
	return bad ? -1 : t;
}

static int native_asm(struct fig *f)
{
	if (!&b2n_object_bench_step || !&b2n_object_bench_empty)
		return -1;
	struct b2n_object *mo = b2n_object__open(&fb_desc, NULL);
	struct b2n_object *so = b2n_object__open(&b2n_object_bench_step, NULL);
	struct b2n_object *eo = b2n_object__open(&b2n_object_bench_empty, NULL);
	if (!mo || !so || !eo || b2n_object__load(mo) || b2n_object__load(so) ||
	    b2n_object__load(eo))
		return -1;
	struct b2n_map *m = b2n_object__find_map_by_name(mo, "fb_jmp");
	struct b2n_program *step = b2n_object__find_program_by_name(so, "prog");
	struct b2n_program *empty = b2n_object__find_program_by_name(eo, "prog");
	if (!m || !step || !empty)
		return -1;
	int fd = b2n_program__fd(step);
	uint64_t ctx[4] = {0, (uint64_t)(uintptr_t)fb_map_slots[0], 0, 0};
	double e[MAXREPS], ch[MAXREPS], s[MAXREPS];
	for (int i = 0; i < reps; i++) {
		e[i] = fb_once(empty, ctx);
		for (uint32_t k = 1; k <= NCHAIN; k++) /* 1..32: a chain of 32 */
			if (b2n_map__update_elem(m, &k, 4, &fd, 4, 0))
				return -1;
		ch[i] = fb_once(step, ctx);
		if (ctx[2] != NCHAIN + 1)
			return -1;
		for (uint32_t k = NCHAIN + 1; k <= 40; k++) /* 1..40: stops at 33 */
			if (b2n_map__update_elem(m, &k, 4, &fd, 4, 0))
				return -1;
		s[i] = fb_once(step, ctx);
		if (ctx[2] != 34 || e[i] < 0 || ch[i] < 0 || s[i] < 0)
			return -1;
		for (uint32_t k = NCHAIN + 1; k <= 40; k++)
			b2n_map__delete_elem(m, &k, 4, 0);
	}
	f->empty = median(e, reps);
	f->chain = median(ch, reps);
	f->self = median(s, reps);
	f->ok = 1;
	b2n_object__close(eo);
	b2n_object__close(so);
	b2n_object__close(mo);
	return 0;
}

/* ---- kernel ---------------------------------------------------------------- */

static int kernel_once(int fd, uint32_t want, double *ns)
{
	unsigned char pkt[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
	            .repeat = (int)iters);
	int err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		fprintf(stderr, "kernel: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		return -1;
	}
	if (opts.retval != want) {
		fprintf(stderr, "kernel: retval %u, want %u\n", opts.retval, want);
		return -1;
	}
	*ns = opts.duration;
	return 0;
}

static int silent(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	if (l == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static int kernel(const char *path, struct fig *f)
{
	libbpf_set_print(silent);
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o) {
		fprintf(stderr, "kernel: cannot open %s\n", path);
		return -1;
	}
	if (bpf_object__load(o)) {
		fprintf(stderr, "kernel: cannot load %s (%s): no CAP_BPF?\n", path,
		        strerror(errno));
		bpf_object__close(o);
		return -1;
	}
	int mfd = bpf_map__fd(bpf_object__find_map_by_name(o, "bjmp"));
	int fempty = bpf_program__fd(bpf_object__find_program_by_name(o, "empty"));
	int fself = bpf_program__fd(bpf_object__find_program_by_name(o, "self_loop"));
	int fc[NCHAIN + 1];
	char nm[16];
	for (int k = 0; k <= NCHAIN; k++) {
		snprintf(nm, sizeof(nm), "c%d", k);
		fc[k] = bpf_program__fd(bpf_object__find_program_by_name(o, nm));
	}
	for (uint32_t k = 1; k <= NCHAIN; k++)
		if (bpf_map_update_elem(mfd, &k, &fc[k], 0))
			goto fail;
	uint32_t ks = SELF_SLOT;
	if (bpf_map_update_elem(mfd, &ks, &fself, 0))
		goto fail;
	double e[MAXREPS], ch[MAXREPS], s[MAXREPS];
	for (int i = 0; i < reps; i++)
		if (kernel_once(fempty, 100, &e[i]) || kernel_once(fc[0], 100 + NCHAIN, &ch[i]) ||
		    kernel_once(fself, 7, &s[i]))
			goto fail;
	f->empty = median(e, reps);
	f->chain = median(ch, reps);
	f->self = median(s, reps);
	f->ok = 1;
	bpf_object__close(o);
	return 0;
fail:
	bpf_object__close(o);
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s BENCH.bpf.o [ITERS [REPS]]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		iters = atol(argv[2]);
	if (argc > 3)
		reps = atoi(argv[3]);
	if (iters < 1 || reps < 1 || reps > MAXREPS) {
		fprintf(stderr, "bad ITERS/REPS\n");
		return 2;
	}
	struct fig n = {0}, k = {0};
	int nerr = 0, fallback = 0;
	if (&b2n_object_bench) {
		nerr = native(&n);
	} else {
		fallback = 1;
		nerr = native_asm(&n);
	}
	if (nerr)
		fprintf(stderr, "native benchmark failed\n");
	kernel(argv[1], &k);

	printf("bpf_tail_call cost, x86_64: median of %d repetitions of %ld runs\n", reps, iters);
	printf("%-34s %14s %14s\n", "", n.ok ? "bpf2native" : "bpf2native(n/a)",
	       k.ok ? "kernel (JIT)" : "kernel (n/a)");
	printf("%-34s %14.2f %14.2f\n", "empty run (harness), ns/run", n.empty, k.empty);
	printf("%-34s %14.2f %14.2f\n", "chain of 32 calls, ns/run", n.chain, k.chain);
	printf("%-34s %14.2f %14.2f\n", "self tail call x33, ns/run", n.self, k.self);
	if (fallback)
		printf("note: native side from the asm fallback (bench_step.s: the map from ctx,\n"
		       "      one more load/add/store per step than bench.bpf.c; its 'self'\n"
		       "      row is the same step program through 33 filled slots)\n");
	double nc = (n.chain - n.empty) / NCHAIN, kc = (k.chain - k.empty) / NCHAIN;
	double ns = (n.self - n.empty) / 33, ks = (k.self - k.empty) / 33;
	printf("%-34s %14.2f %14.2f\n", "ns per tail call (chain)", nc, kc);
	printf("%-34s %14.2f %14.2f\n", "ns per tail call (self)", ns, ks);
	if (k.ok && n.ok)
		printf("ratio kernel/bpf2native per call: chain %.2f, self %.2f\n", kc / nc,
		       ks / ns);
	if (!k.ok)
		printf("kernel figures unavailable (no CAP_BPF or BPF_PROG_TEST_RUN refused)\n");
	return nerr ? 1 : 0;
}
