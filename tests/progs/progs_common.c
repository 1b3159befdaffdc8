/*
 * progs_common.c - check counters, argument tokens, contexts, and the small
 * application-side utilities used by every driver of tests/progs (see
 * progs_test.h).  Only the public API of libb2n.h is used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "progs_test.h"

int t_pass, t_fail;
const char *t_where = "";

void t_check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (ok) {
		t_pass++;
		return;
	}
	t_fail++;
	const char *base = strrchr(file, '/');
	printf("FAIL [%s] %s:%d: ", t_where, base ? base + 1 : file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static char userbuf[16] = USERBUF_TEXT;

int user_ncpus(void)
{
	return b2n_num_possible_cpus();
}

void resolve_args(const uint64_t in[8], uint64_t out[8])
{
	for (int i = 0; i < 8; i++) {
		uint64_t v = in[i];
		switch (v) {
		case ARG_TGID:
			v = (uint64_t)getpid();
			break;
		case ARG_TID:
			v = (uint64_t)syscall(SYS_gettid);
			break;
		case ARG_UIDGID:
			v = (uint64_t)getgid() << 32 | (uint32_t)getuid();
			break;
		case ARG_NCPUS:
			v = (uint64_t)user_ncpus();
			break;
		case ARG_USERBUF:
			v = (uint64_t)(uintptr_t)userbuf;
			break;
		default:
			break;
		}
		out[i] = v;
	}
}

size_t build_ctx(const char *sec, const uint64_t a[8], void *buf)
{
	if (!strcmp(sec, "tc") || !strcmp(sec, "socket")) {
		/* struct __sk_buff: cb[0..4] at byte offset 48; 192 bytes. */
		uint32_t *w = buf;
		memset(buf, 0, 192);
		for (int i = 0; i < 5; i++)
			w[12 + i] = (uint32_t)a[i];
		return 192;
	}
	if (!strcmp(sec, "xdp")) {
		memset(buf, 0, 32);
		return 32;
	}
	memcpy(buf, a, 64);
	return 64;
}

int run_prog(struct b2n_object *obj, const char *name, const uint64_t a[8], uint64_t *ret)
{
	uint64_t ctx[32];
	uint64_t args[8];
	struct b2n_program *p = b2n_object__find_program_by_name(obj, name);
	if (!p)
		return -ENOENT;
	resolve_args(a, args);
	build_ctx(b2n_program__section_name(p), args, ctx);
	return b2n_program__run(p, ctx, ret);
}

struct b2n_object *open_group(const struct group *g)
{
	if (!g->desc) {
		CHECK(0,
		      "object %s was not compiled by bpf2native (descriptor b2n_object_%s missing)",
		      g->name, g->name);
		return NULL;
	}
	struct b2n_object *obj = b2n_object__open(g->desc, NULL);
	CHECK(obj != NULL, "b2n_object__open(%s): %s", g->name, strerror(errno));
	if (!obj)
		return NULL;
	int err = b2n_object__load(obj);
	CHECK(err == 0, "b2n_object__load(%s): %d (%s)", g->name, err, strerror(-err));
	if (err) {
		b2n_object__close(obj);
		return NULL;
	}
	return obj;
}

void run_table(struct b2n_object *obj, const struct group *g)
{
	for (size_t i = 0; i < g->nruns; i++) {
		const struct prun *r = &g->runs[i];
		uint64_t ret = 0;
		int err = run_prog(obj, r->prog, r->a, &ret);
		CHECK(err == 0, "run %zu: b2n_program__run(%s): %d", i, r->prog, err);
		if (err || r->expect == NOCHECK)
			continue;
		t_check((int32_t)ret == (int32_t)r->expect, __FILE__, __LINE__,
		        "run %zu: %s(%lld, %lld, %lld, %lld) returned %d, want %d", i, r->prog,
		        (long long)r->a[0], (long long)r->a[1], (long long)r->a[2],
		        (long long)r->a[3], (int32_t)ret, (int32_t)r->expect);
	}
}

struct b2n_map *get_map(struct b2n_object *obj, const char *name)
{
	struct b2n_map *m = b2n_object__find_map_by_name(obj, name);
	CHECK(m != NULL, "map %s not found", name);
	return m;
}

void *get_data(struct b2n_object *obj, const char *sec, size_t *size)
{
	struct b2n_map *m = b2n_object__find_map_by_name(obj, sec);
	if (!m) {
		/* libbpf-style "<obj>.bss": match the suffix. */
		size_t ls = strlen(sec);
		for (m = b2n_object__next_map(obj, NULL); m; m = b2n_object__next_map(obj, m)) {
			const char *n = b2n_map__name(m);
			size_t ln = strlen(n);
			if (ln > ls && !strcmp(n + ln - ls, sec))
				break;
		}
	}
	CHECK(m != NULL, "global data section %s not found", sec);
	if (!m)
		return NULL;
	void *d = b2n_map__data(m, size);
	CHECK(d != NULL, "b2n_map__data(%s) is NULL", sec);
	return d;
}

uint64_t percpu_sum(struct b2n_map *m, const void *key, int *err)
{
	int n = user_ncpus();
	uint32_t vs = (b2n_map__value_size(m) + 7) & ~7u;
	uint64_t *buf = calloc((size_t)n, vs);
	uint64_t sum = 0;
	*err = b2n_map__lookup_elem(m, key, b2n_map__key_size(m), buf, (size_t)n * vs, 0);
	if (!*err) {
		for (int i = 0; i < n; i++) {
			const unsigned char *p = (const unsigned char *)buf + (size_t)i * vs;
			if (b2n_map__value_size(m) == 4) {
				uint32_t v;
				memcpy(&v, p, 4);
				sum += v;
			} else {
				uint64_t v;
				memcpy(&v, p, 8);
				sum += v;
			}
		}
	}
	free(buf);
	return sum;
}

int count_keys(struct b2n_map *m)
{
	unsigned char k[64], nk[64];
	uint32_t ks = b2n_map__key_size(m);
	int n = 0;
	const void *cur = NULL;
	while (n < 100000 && b2n_map__get_next_key(m, cur, nk, ks) == 0) {
		memcpy(k, nk, ks);
		cur = k;
		n++;
	}
	return n;
}

static char trace_buf[4096];
static size_t trace_len;

static void trace_sink(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	if (len > sizeof(trace_buf) - 1 - trace_len)
		len = sizeof(trace_buf) - 1 - trace_len;
	memcpy(trace_buf + trace_len, msg, len);
	trace_len += len;
	trace_buf[trace_len] = 0;
}

void trace_capture_start(void)
{
	trace_len = 0;
	trace_buf[0] = 0;
	b2n_set_trace_printk_sink(trace_sink, NULL);
}

const char *trace_captured(void)
{
	return trace_buf;
}
