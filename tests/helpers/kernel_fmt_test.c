/*
 * kernel_fmt_test.c - kernel agreement of bpf_snprintf's formatting and of
 * bpf_strtol, bpf_strtoul and bpf_strncmp (ctest helpers-kernel).  kernel_fmt.bpf.o (built by clang
 * for the host's byte order) is loaded with libbpf and run once with bpf_prog_test_run_opts; every
 * case of fmt_cases.h is then replayed on the runtime's b2n_h_snprintf with the same arguments
 * (pointers to the same strings and addresses in this process) and the return values and output
 * bytes, for the 96-byte and the 8-byte buffer and without a buffer, must be equal.
 * kernel_str.bpf.o does the same for the cases of str_cases.h (results
 * and *res values compared).  Exits 77 when the kernel refuses to load BPF
 * here (no CAP_BPF, no bpf()); a kernel that refuses the string helpers in
 * syscall programs only skips that part (printed).
 *
 * kernel_rb.bpf.o runs a fixed sequence of ring-buffer helper calls with
 * bpf_ringbuf_query after each step; rt_rb_sequence() replays it on the
 * runtime, and every value, the records libbpf's and our consumer see
 * (sizes, first bytes) and the positions after consuming must be equal.
 *
 * usage: kernel_fmt_test kernel_fmt.bpf.o [kernel_str.bpf.o [kernel_rb.bpf.o]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../runtime/runtime_internal.h"
#include "fmt_cases.h"
#include "str_cases.h"

static char g_str[8] = "hello";
static char g_empty[1] = "";
static unsigned char g_ip4[4] = {192, 168, 1, 2};
static unsigned char g_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

#define S ((unsigned long long)(uintptr_t)g_str)
#define S2 ((unsigned long long)(uintptr_t)g_empty)
#define IP4 ((unsigned long long)(uintptr_t)g_ip4)
#define IP6 ((unsigned long long)(uintptr_t)g_ip6)

struct results {
	long long ret[FMT_NCASES];
	long long ret_short[FMT_NCASES];
	long long ret_zero[FMT_NCASES]; /* str = NULL, str_size = 0 */
	char out[FMT_NCASES][FMT_OUT_SIZE];
	char out_short[FMT_NCASES][8];
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void show(const char *what, const char *s, long long n)
{
	printf("    %s: ", what);
	for (long long i = 0; i < n; i++)
		putchar(s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?');
	printf("\n");
}

static int compare(const char *fmt, int i, long long kret, const char *kout, long long uret,
                   const char *uout, size_t size)
{
	long long n = kret > 0 ? (kret < (long long)size ? kret : (long long)size) : 0;
	if (kret == uret && memcmp(kout, uout, (size_t)n) == 0)
		return 0;
	printf("FAIL case %d \"%s\" (buffer %zu): kernel %lld, runtime %lld\n", i, fmt, size, kret,
	       uret);
	show("kernel ", kout, n);
	show("runtime", uout, uret > 0 ? (uret < (long long)size ? uret : (long long)size) : 0);
	return 1;
}

/* ---- ring buffer: the sequence of kernel_rb.bpf.c on both sides ---------- */

struct rb_log {
	int n;
	long long size[80];
	int first[80];
};

static int rb_log_cb(void *ctx, void *data, size_t size)
{
	struct rb_log *l = ctx;
	if (l->n < 80) {
		l->size[l->n] = (long long)size;
		l->first[l->n] = size ? *(unsigned char *)data : -1;
	}
	l->n++;
	return 0;
}

struct rb_results {
	long long v[64];
	long long n;
};

#define RB_U(x) ((uint64_t)(uintptr_t)(x))
#define RQ()                                                                                       \
	for (int j_ = 0; j_ < 4; j_++)                                                             \
	v[k++] = (long long)b2n_h_ringbuf_query(RB_U(m), (uint64_t)j_, 0, 0, 0)

/* run_rb of kernel_rb.bpf.c, on the runtime */
static long long rt_rb_sequence(struct b2n_map *m, long long *v)
{
	unsigned char data[128], *p;
	int k = 0, i, count = 0;
	for (i = 0; i < 128; i++)
		data[i] = (unsigned char)(i + 1);
	RQ();
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 10, 0, 0);
	RQ();
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 0, 0, 0);
	RQ();
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(RB_U(m), 100, 0, 0, 0);
	v[k++] = p != NULL;
	if (p) {
		p[0] = 'R';
		b2n_h_ringbuf_submit(RB_U(p), 0, 0, 0, 0);
	}
	RQ();
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(RB_U(m), 5, 0, 0, 0);
	v[k++] = p != NULL;
	if (p)
		b2n_h_ringbuf_discard(RB_U(p), 0, 0, 0, 0);
	RQ();
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 1, 4, 0);
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(RB_U(m), 8, 1, 0, 0);
	v[k++] = p != NULL;
	if (p)
		b2n_h_ringbuf_discard(RB_U(p), 0, 0, 0, 0);
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 3, 1 | 2, 0);
	RQ();
	for (i = 0; i < 64; i++) {
		if (b2n_h_ringbuf_output(RB_U(m), RB_U(data), 100, 0, 0))
			break;
		count++;
	}
	v[k++] = count;
	RQ();
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 100, 0, 0);
	v[k++] = (long long)b2n_h_ringbuf_output(RB_U(m), RB_U(data), 8, 0, 0);
	RQ();
	return k;
}

static int run_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	if (!prog)
		return -ENOENT;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &topts) || topts.retval)
		return -EIO;
	return 0;
}

static int read_bss(struct bpf_object *obj, void *out, size_t size)
{
	struct bpf_map *map, *bss = NULL;
	uint32_t zero = 0;
	void *buf;
	int err;
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);
		if (len >= 4 && strcmp(name + len - 4, ".bss") == 0)
			bss = map;
	}
	if (!bss || bpf_map__value_size(bss) < size)
		return -ENOENT;
	buf = calloc(1, bpf_map__value_size(bss));
	err = bpf_map_lookup_elem(bpf_map__fd(bss), &zero, buf) ? -errno : 0;
	memcpy(out, buf, size);
	free(buf);
	return err;
}

/* Returns the number of failed comparisons (after adding passes to *pass),
 * or -1 when the kernel refused the object. */
static int rb_check(const char *path, int *pass)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct rb_results kr, kq;
	struct rb_log kl, ul;
	struct ring_buffer *krb;
	struct b2n_ring_buffer *urb;
	struct b2n_map *m = NULL;
	long long uv[64], uq[4], kn, un, uc;
	int kc, fail = 0, err;

	if (!obj)
		return 1;
	err = bpf_object__load(obj);
	if (err) {
		printf("ring buffer part skipped: the kernel refused %s: %s\n", path,
		       strerror(-err));
		bpf_object__close(obj);
		return -1;
	}
	memset(&kl, 0, sizeof(kl));
	memset(&ul, 0, sizeof(ul));
	if (run_prog(obj, "run_rb") || read_bss(obj, &kr, sizeof(kr))) {
		printf("FAIL: run_rb\n");
		bpf_object__close(obj);
		return 1;
	}
	krb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "rb")), rb_log_cb, &kl,
	                       NULL);
	kc = krb ? ring_buffer__consume(krb) : -1;
	ring_buffer__free(krb);
	if (run_prog(obj, "run_rb_query") || read_bss(obj, &kq, sizeof(kq))) {
		printf("FAIL: run_rb_query\n");
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__close(obj);

	if (b2n_rt_map_create("rb", B2N_MAP_RINGBUF, 0, 0, 4096, 0, -1, NULL, &m)) {
		printf("FAIL: runtime ring buffer\n");
		return 1;
	}
	un = rt_rb_sequence(m, uv);
	urb = b2n_ring_buffer__new(m, rb_log_cb, &ul, NULL);
	uc = urb ? b2n_ring_buffer__consume(urb) : -1;
	b2n_ring_buffer__free(urb);
	for (int j = 0; j < 4; j++)
		uq[j] = (long long)b2n_h_ringbuf_query(RB_U(m), (uint64_t)j, 0, 0, 0);
	b2n_rt_map_destroy(m);

	kn = kr.n;
#define RB_CMP(what, i, a, b)                                                                      \
	do {                                                                                       \
		if ((long long)(a) == (long long)(b)) {                                            \
			(*pass)++;                                                                 \
		} else {                                                                           \
			fail++;                                                                    \
			printf("FAIL ringbuf %s %d: kernel %lld, runtime %lld\n", what, (int)(i),  \
			       (long long)(a), (long long)(b));                                    \
		}                                                                                  \
	} while (0)
	RB_CMP("steps", 0, kn, un);
	for (long long i = 0; i < kn && i < un && i < 64; i++)
		RB_CMP("step value", i, kr.v[i], uv[i]);
	RB_CMP("records consumed", 0, kc, uc);
	RB_CMP("records seen", 0, kl.n, ul.n);
	for (int i = 0; i < kl.n && i < ul.n && i < 80; i++) {
		RB_CMP("record size", i, kl.size[i], ul.size[i]);
		RB_CMP("record first byte", i, kl.first[i], ul.first[i]);
	}
	for (int j = 0; j < 4; j++)
		RB_CMP("query after consume", j, kq.v[j], uq[j]);
	printf("kernel agreement of the ring buffer: %lld steps, %d records\n", kn, kl.n);
	return fail;
}

/* Load `path`, run its program `prog_name` once and copy its .bss into
 * out (size bytes).  Returns 0, 77 when bpf() is not permitted here, 2
 * when the kernel refused the object (printed), 1 on other errors. */
static int load_and_run(const char *path, const char *prog_name, void *out, size_t size)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map, *bss = NULL;
	void *buf;
	int err, ret = 1;
	uint32_t zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("FAIL: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("kernel refused %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return err == -EPERM || err == -ENOSYS || err == -EACCES ? 77 : 2;
	}
	prog = bpf_object__find_program_by_name(obj, prog_name);
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);
		if (len >= 4 && strcmp(name + len - 4, ".bss") == 0)
			bss = map;
	}
	if (!prog || !bss || bpf_map__value_size(bss) < size) {
		printf("FAIL: %s: program %s or .bss missing\n", path, prog_name);
		goto out;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
	if (err || topts.retval != 0) {
		printf("FAIL: %s: test run: %d, retval %u\n", path, err, topts.retval);
		goto out;
	}
	buf = calloc(1, bpf_map__value_size(bss));
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, buf)) {
		printf("FAIL: %s: reading .bss: %s\n", path, strerror(errno));
		free(buf);
		goto out;
	}
	memcpy(out, buf, size);
	free(buf);
	ret = 0;
out:
	bpf_object__close(obj);
	return ret;
}

struct str_results {
	long long l_ret[STRTOX_NCASES], l_res[STRTOX_NCASES];
	long long u_ret[STRTOX_NCASES], u_res[STRTOX_NCASES];
	long long c_ret[STRNCMP_NCASES];
	long long loop_ret[LOOP_NCASES], loop_calls[LOOP_NCASES];
};

struct loop_ctx {
	long long calls;
	long long stop_at;
};

static uint64_t loop_cb(uint64_t index, uint64_t ctx, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct loop_ctx *c = (struct loop_ctx *)(uintptr_t)ctx;
	(void)r3, (void)r4, (void)r5;
	c->calls++;
	return (long long)index == c->stop_at ? 1 : 0;
}

#define CMP(what, i, kv, uv)                                                                       \
	do {                                                                                       \
		if ((long long)(kv) == (long long)(uv)) {                                          \
			pass++;                                                                    \
		} else {                                                                           \
			fail++;                                                                    \
			printf("FAIL %s case %d: kernel %lld, runtime %lld\n", what, i,            \
			       (long long)(kv), (long long)(uv));                                  \
		}                                                                                  \
	} while (0)

int main(int argc, char **argv)
{
	static struct results k;
	static struct str_results ks;
	int err, pass = 0, fail = 0;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s kernel_fmt.bpf.o [kernel_str.bpf.o [kernel_rb.bpf.o]]\n",
		        argv[0]);
		return 2;
	}
	libbpf_set_print(quiet_print);
	err = load_and_run(argv[1], "run", &k, sizeof(k));
	if (err == 77) {
		printf("SKIPPED helpers-kernel: no permission to load BPF programs here\n");
		return 77;
	}
	if (err)
		return 1;

#define X(i, fmt, ...)                                                                             \
	{                                                                                          \
		unsigned long long a[] = {__VA_ARGS__};                                            \
		char out[FMT_OUT_SIZE], out_short[8];                                              \
		long long r, rs, rz;                                                               \
		memset(out, 0, sizeof(out));                                                       \
		memset(out_short, 0, sizeof(out_short));                                           \
		r = (long long)b2n_h_snprintf((uintptr_t)out, FMT_OUT_SIZE, (uintptr_t)fmt,        \
		                              (uintptr_t)a, sizeof(a));                            \
		rs = (long long)b2n_h_snprintf((uintptr_t)out_short, 8, (uintptr_t)fmt,            \
		                               (uintptr_t)a, sizeof(a));                           \
		if (compare(fmt, i, k.ret[i], k.out[i], r, out, FMT_OUT_SIZE))                     \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
		if (compare(fmt, i, k.ret_short[i], k.out_short[i], rs, out_short, 8))             \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
		rz = (long long)b2n_h_snprintf(0, 0, (uintptr_t)fmt, (uintptr_t)a, sizeof(a));     \
		if (compare(fmt, i, k.ret_zero[i], "", rz, "", 0))                                 \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
	}
	FMT_CASES(X)
#undef X
	printf("kernel agreement of bpf_snprintf: %d formats\n", FMT_NCASES);

	if (argc >= 3) {
		err = load_and_run(argv[2], "run_str", &ks, sizeof(ks));
		if (err == 0) {
#define X(i, buf, len, flags)                                                                      \
	{                                                                                          \
		static const char b[] = buf;                                                       \
		int64_t v = 0x5555;                                                                \
		uint64_t u = 0x5555;                                                               \
		CMP("strtol ret", i, ks.l_ret[i],                                                  \
		    b2n_h_strtol((uintptr_t)b, len, flags, (uintptr_t)&v, 0));                     \
		CMP("strtol res", i, ks.l_res[i], v);                                              \
		CMP("strtoul ret", i, ks.u_ret[i],                                                 \
		    b2n_h_strtoul((uintptr_t)b, len, flags, (uintptr_t)&u, 0));                    \
		CMP("strtoul res", i, ks.u_res[i], u);                                             \
	}
			STRTOX_CASES(X)
#undef X
#define X(i, s1, n, s2)                                                                            \
	{                                                                                          \
		static const char a[] = s1;                                                        \
		CMP("strncmp", i, ks.c_ret[i],                                                     \
		    b2n_h_strncmp((uintptr_t)a, n, (uintptr_t)s2, 0, 0));                          \
	}
			STRNCMP_CASES(X)
#undef X
#define X(i, nr, stop, flags)                                                                      \
	{                                                                                          \
		struct loop_ctx c = {0, stop};                                                     \
		CMP("loop ret", i, ks.loop_ret[i],                                                 \
		    b2n_h_loop(nr, (uintptr_t)loop_cb, (uintptr_t)&c, flags, 0));                  \
		CMP("loop calls", i, ks.loop_calls[i], c.calls);                                   \
	}
			LOOP_CASES(X)
#undef X
			printf("kernel agreement of bpf_strtol/strtoul: %d cases, bpf_strncmp: %d "
			       "cases, bpf_loop: %d cases\n",
			       STRTOX_NCASES, STRNCMP_NCASES, LOOP_NCASES);
		} else if (err == 2) {
			printf("strtol/strncmp part skipped: the kernel refused the program\n");
		} else {
			fail++;
		}
	}
	if (argc == 4) {
		err = rb_check(argv[3], &pass);
		if (err > 0)
			fail += err;
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
