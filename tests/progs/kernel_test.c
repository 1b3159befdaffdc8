/*
 * kernel_test.c - kernel agreement (ctest progs-kernel, x86_64 host).
 *
 * For every group of PROGS_GROUPS, the clang bpfel object is loaded into
 * the kernel with libbpf and the natively compiled object (linked in) into
 * the runtime.  The group's run table is replayed on both: the kernel runs
 * each program with bpf_prog_test_run_opts (raw_tp: ctx_in = the argument
 * array; tc/socket: ctx_in = a __sk_buff with cb[] set plus a 64-byte
 * packet; xdp: the packet), the runtime with b2n_program__run on the same
 * arguments.  Return values are compared (as u32, the kernel's retval) with
 * each other and with the table, then every map: contents by key (per-CPU
 * values summed over CPUs), keys present in prog_array/map-in-map maps,
 * queue/stack contents in pop order, ring-buffer records in order, global
 * data byte for byte.
 *
 * Per program it prints "kernel agrees", "kernel refused: <reason>" (the
 * last line of libbpf's or the verifier's message; its runs are then left
 * out on both sides) or the disagreement.  Exits 77 when bpf() is not
 * available (EPERM/ENOSYS: not root, no CAP_BPF, no BPF in the kernel).
 * The process is pinned to CPU 0 so that per-CPU slots stay the same
 * between runs.
 *
 * usage: progs-kernel OBJDIR   (OBJDIR holds <src>.bpf.o for every group)
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "progs_test.h"

static const struct group *const groups[] = {
#define X(g) &group_##g,
    PROGS_GROUPS(X)
#undef X
};

/* ---- libbpf messages: keep the last lines for "refused" reasons -------- */
static char logbuf[1 << 16];
static size_t loglen;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[8192];
	if (level == LIBBPF_DEBUG)
		return 0;
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (loglen + len + 1 > sizeof(logbuf)) {
		/* Keep the tail: the verdict is at the end of a verifier log. */
		size_t keep = sizeof(logbuf) / 2;
		if (keep > loglen)
			keep = loglen;
		memmove(logbuf, logbuf + loglen - keep, keep);
		loglen = keep;
	}
	memcpy(logbuf + loglen, line, len);
	loglen += len;
	logbuf[loglen] = 0;
	return 0;
}

static void log_reset(void)
{
	loglen = 0;
	logbuf[0] = 0;
}

/* The most telling line of the log: the last verifier line before "-- END
 * PROG LOAD LOG --", else the last line. */
static void log_reason(char *out, size_t outsz)
{
	char *end = strstr(logbuf, "-- END PROG LOAD LOG --");
	char *stop = end ? end : logbuf + loglen;
	char *last = NULL, *prev = NULL;
	for (char *p = logbuf; p < stop;) {
		char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		int insn_dump =
		    p[0] >= '0' && p[0] <= '9' && memchr(p, ':', len) && memchr(p, '(', len);
		if (len > 0 && !insn_dump && p[0] != ';' && strncmp(p, "libbpf: -- BEGIN", 16) &&
		    strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			prev = last;
			last = p;
		}
		p = nl ? nl + 1 : stop;
	}
	(void)prev;
	if (!last) {
		snprintf(out, outsz, "(no message)");
		return;
	}
	size_t len = strcspn(last, "\n");
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, last, len);
	out[len] = 0;
}

/* ---- running one program in the kernel --------------------------------- */
static unsigned char pkt[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0,  0,  0, 1, 0x08, 0x00, /* eth, IPv4 */
    0x45, 0,    0,    50,   0,    0,    0,    0, 64, 17, 0, 0, 10,   0,    0, 1, 10, 0, 0, 2,
};

static int kernel_run(struct bpf_program *p, const char *sec, const uint64_t a[8], uint32_t *ret)
{
	uint64_t args[8];
	struct __sk_buff skb;
	resolve_args(a, args);
	LIBBPF_OPTS(bpf_test_run_opts, o);
	if (!strcmp(sec, "tc") || !strcmp(sec, "socket")) {
		memset(&skb, 0, sizeof(skb));
		for (int i = 0; i < 5; i++)
			skb.cb[i] = (uint32_t)args[i];
		o.ctx_in = &skb;
		o.ctx_size_in = sizeof(skb);
		o.data_in = pkt;
		o.data_size_in = sizeof(pkt);
	} else if (!strcmp(sec, "xdp")) {
		o.data_in = pkt;
		o.data_size_in = sizeof(pkt);
	} else {
		o.ctx_in = args;
		o.ctx_size_in = sizeof(args);
	}
	int err = bpf_prog_test_run_opts(bpf_program__fd(p), &o);
	if (err)
		return -errno;
	*ret = o.retval;
	return 0;
}

/* ---- comparing maps ----------------------------------------------------- */
struct blob {
	size_t n;
	unsigned char *d[600];
	size_t sz[600];
};

static void blob_add(struct blob *b, const void *d, size_t sz)
{
	if (b->n >= 600)
		return;
	b->d[b->n] = malloc(sz);
	memcpy(b->d[b->n], d, sz);
	b->sz[b->n++] = sz;
}

static void blob_free(struct blob *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->d[i]);
	b->n = 0;
}

static int k_rb_cb(void *ctx, void *data, size_t size)
{
	blob_add(ctx, data, size);
	return 0;
}

static int n_rb_cb(void *ctx, void *data, size_t size)
{
	blob_add(ctx, data, size);
	return 0;
}

static int blobs_equal(const struct blob *a, const struct blob *b, char *why, size_t wl)
{
	if (a->n != b->n) {
		snprintf(why, wl, "%zu records in the kernel, %zu native", a->n, b->n);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->sz[i] != b->sz[i] || memcmp(a->d[i], b->d[i], a->sz[i])) {
			snprintf(why, wl, "record %zu differs", i);
			return 0;
		}
	return 1;
}

static int is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Sum over CPUs, word by word (4-byte values as u32). */
static void percpu_fold(const unsigned char *buf, int ncpu, uint32_t vs, uint64_t *out, int nw)
{
	uint32_t stride = (vs + 7) & ~7u;
	memset(out, 0, sizeof(uint64_t) * (size_t)nw);
	for (int c = 0; c < ncpu; c++)
		for (int w = 0; w < nw; w++) {
			const unsigned char *p = buf + (size_t)c * stride;
			if (vs == 4) {
				uint32_t v;
				memcpy(&v, p, 4);
				out[w] += v;
			} else {
				uint64_t v;
				memcpy(&v, p + 8 * w, 8);
				out[w] += v;
			}
		}
}

static int compare_map(struct b2n_map *nm, struct bpf_map *km, char *why, size_t wl)
{
	uint32_t t = b2n_map__type(nm), ks = b2n_map__key_size(nm), vs = b2n_map__value_size(nm);
	int fd = bpf_map__fd(km);
	if (t != bpf_map__type(km) || ks != bpf_map__key_size(km) ||
	    vs != bpf_map__value_size(km) || b2n_map__max_entries(nm) != bpf_map__max_entries(km)) {
		snprintf(why, wl, "attributes differ: type %u/%u key %u/%u value %u/%u max %u/%u",
		         t, bpf_map__type(km), ks, bpf_map__key_size(km), vs,
		         bpf_map__value_size(km), b2n_map__max_entries(nm),
		         bpf_map__max_entries(km));
		return 0;
	}
	if (t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK) {
		static struct blob kb, nb;
		unsigned char v[256];
		while (bpf_map_lookup_and_delete_elem(fd, NULL, v) == 0 && kb.n < 600)
			blob_add(&kb, v, vs);
		while (b2n_map__lookup_and_delete_elem(nm, NULL, 0, v, vs, 0) == 0 && nb.n < 600)
			blob_add(&nb, v, vs);
		int ok = blobs_equal(&kb, &nb, why, wl);
		blob_free(&kb);
		blob_free(&nb);
		return ok;
	}
	if (t == BPF_MAP_TYPE_RINGBUF) {
		static struct blob kb, nb;
		struct ring_buffer *kr = ring_buffer__new(fd, k_rb_cb, &kb, NULL);
		struct b2n_ring_buffer *nr = b2n_ring_buffer__new(nm, n_rb_cb, &nb, NULL);
		if (!kr || !nr) {
			snprintf(why, wl, "cannot open the ring buffers (kernel %p, native %p)",
			         (void *)kr, (void *)nr);
			ring_buffer__free(kr);
			b2n_ring_buffer__free(nr);
			return 0;
		}
		ring_buffer__consume(kr);
		b2n_ring_buffer__consume(nr);
		int ok = blobs_equal(&kb, &nb, why, wl);
		ring_buffer__free(kr);
		b2n_ring_buffer__free(nr);
		blob_free(&kb);
		blob_free(&nb);
		return ok;
	}
	/* Keyed maps: walk the kernel's keys, then count the native ones. */
	int nk = libbpf_num_possible_cpus(), nn = b2n_num_possible_cpus();
	size_t kvs = is_percpu(t) ? (size_t)((vs + 7) & ~7u) * (size_t)nk : vs;
	size_t nvs = is_percpu(t) ? (size_t)((vs + 7) & ~7u) * (size_t)nn : vs;
	unsigned char *kv = calloc(1, kvs), *nv = calloc(1, nvs);
	unsigned char key[64], next[64];
	int idvals = t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	             t == BPF_MAP_TYPE_HASH_OF_MAPS;
	int ok = 1, kcount = 0;
	const void *cur = NULL;
	while (ok && bpf_map_get_next_key(fd, cur, next) == 0 && kcount < 100000) {
		memcpy(key, next, ks);
		cur = key;
		memset(kv, 0, kvs);
		memset(nv, 0, nvs);
		int kerr = bpf_map_lookup_elem(fd, key, kv) ? -errno : 0;
		int nerr = b2n_map__lookup_elem(nm, key, ks, nv, nvs, 0);
		if (kerr == -ENOENT && nerr == -ENOENT && idvals)
			continue; /* empty prog_array / array_of_maps slot */
		kcount++;
		if (kerr || nerr) {
			snprintf(why, wl, "key #%d: kernel lookup %d, native lookup %d", kcount,
			         kerr, nerr);
			ok = 0;
		} else if (idvals) {
			/* ids differ between the two worlds; presence is compared */
		} else if (is_percpu(t)) {
			uint64_t ks_[8], ns_[8];
			int nw = vs == 4 ? 1 : (int)(vs / 8);
			if (nw > 8)
				nw = 8;
			percpu_fold(kv, nk, vs, ks_, nw);
			percpu_fold(nv, nn, vs, ns_, nw);
			if (memcmp(ks_, ns_, sizeof(uint64_t) * (size_t)nw)) {
				snprintf(why, wl,
				         "key #%d: per-CPU sums differ (kernel %llu, native %llu)",
				         kcount, (unsigned long long)ks_[0],
				         (unsigned long long)ns_[0]);
				ok = 0;
			}
		} else if (memcmp(kv, nv, vs)) {
			/* Name up to four differing 8-byte words. */
			int len = snprintf(why, wl, "key #%d: values differ:", kcount), shown = 0;
			for (size_t off = 0; off < vs && shown < 4; off += 8) {
				size_t n = vs - off < 8 ? vs - off : 8;
				uint64_t a = 0, b = 0;
				if (!memcmp(kv + off, nv + off, n))
					continue;
				memcpy(&a, kv + off, n);
				memcpy(&b, nv + off, n);
				if (len > 0 && (size_t)len < wl)
					len += snprintf(
					    why + len, wl - (size_t)len,
					    " [bytes %zu..%zu] kernel 0x%llx native 0x%llx;", off,
					    off + n - 1, (unsigned long long)a,
					    (unsigned long long)b);
				shown++;
			}
			ok = 0;
		}
	}
	if (ok) {
		/* Native key count (skipping empty id slots). */
		int ncount = 0;
		cur = NULL;
		while (b2n_map__get_next_key(nm, cur, next, ks) == 0 && ncount < 100000) {
			memcpy(key, next, ks);
			cur = key;
			if (idvals && b2n_map__lookup_elem(nm, key, ks, nv, nvs, 0) == -ENOENT)
				continue;
			ncount++;
		}
		if (ncount != kcount) {
			snprintf(why, wl, "%d keys in the kernel, %d native", kcount, ncount);
			ok = 0;
		}
	}
	free(kv);
	free(nv);
	return ok;
}

/* ---- application-side error codes ---------------------------------------
 * Operations that must fail (or change nothing), made on both sides with
 * the same key, flags and each side's own current value; the errnos must be
 * equal, and compare_map afterwards shows that nothing changed. */
enum { U_LOOKUP, U_UPDATE, U_DELETE, U_NEXT };
enum { K_FIRST, K_MISSING };
static const struct {
	const char *what;
	int op, key;
	uint64_t flags;
} uops[] = {
    {"lookup of a missing key", U_LOOKUP, K_MISSING, 0},
    {"update BPF_ANY of the first key with its current value", U_UPDATE, K_FIRST, 0},
    {"lookup with flags 8", U_LOOKUP, K_FIRST, 8},
    {"update with flags 8", U_UPDATE, K_FIRST, 8},
    {"update with BPF_F_LOCK|BPF_EXIST", U_UPDATE, K_FIRST, 4 | 2},
    {"update BPF_NOEXIST of an existing key", U_UPDATE, K_FIRST, 1},
    {"update BPF_EXIST of a missing key", U_UPDATE, K_MISSING, 2},
    {"update with flags 3", U_UPDATE, K_FIRST, 3},
    {"delete of a missing key", U_DELETE, K_MISSING, 0},
    {"get_next_key of a missing key", U_NEXT, K_MISSING, 0},
};

static int user_errors(struct b2n_map *nm, struct bpf_map *km, const char *gname)
{
	uint32_t t = b2n_map__type(nm), ks = b2n_map__key_size(nm), vs = b2n_map__value_size(nm);
	int fd = bpf_map__fd(km), bad = 0;
	/* Values of prog_array and map-in-map maps are ids (fds in the kernel):
	 * updates are not comparable there. */
	int idvals = t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	             t == BPF_MAP_TYPE_HASH_OF_MAPS;
	if (ks == 0 || ks > 64 || t == BPF_MAP_TYPE_RINGBUF)
		return 0;
	int nk = libbpf_num_possible_cpus(), nn = b2n_num_possible_cpus();
	size_t kvs = is_percpu(t) ? (size_t)((vs + 7) & ~7u) * (size_t)nk : vs;
	size_t nvs = is_percpu(t) ? (size_t)((vs + 7) & ~7u) * (size_t)nn : vs;
	unsigned char *kv = calloc(1, kvs + 8), *nv = calloc(1, nvs + 8);
	unsigned char first[64], missing[64], out[64];
	if (bpf_map_get_next_key(fd, NULL, first))
		memset(first, 0, ks);
	memset(missing, 0x7b, ks);
	for (size_t i = 0; i < sizeof(uops) / sizeof(uops[0]); i++) {
		const void *key = uops[i].key == K_FIRST ? first : missing;
		int kerr, nerr;
		if (idvals && uops[i].op == U_UPDATE)
			continue;
		memset(kv, 0, kvs);
		memset(nv, 0, nvs);
		bpf_map_lookup_elem(fd, first, kv);
		b2n_map__lookup_elem(nm, first, ks, nv, nvs, 0);
		switch (uops[i].op) {
		case U_LOOKUP:
			kerr = bpf_map_lookup_elem_flags(fd, key, kv, uops[i].flags) ? -errno : 0;
			nerr = b2n_map__lookup_elem(nm, key, ks, nv, nvs, uops[i].flags);
			break;
		case U_UPDATE:
			kerr = bpf_map_update_elem(fd, key, kv, uops[i].flags) ? -errno : 0;
			nerr = b2n_map__update_elem(nm, key, ks, nv, nvs, uops[i].flags);
			break;
		case U_DELETE:
			kerr = bpf_map_delete_elem(fd, key) ? -errno : 0;
			nerr = b2n_map__delete_elem(nm, key, ks, 0);
			break;
		default:
			kerr = bpf_map_get_next_key(fd, key, out) ? -errno : 0;
			nerr = b2n_map__get_next_key(nm, key, out, ks);
			break;
		}
		if (kerr != nerr) {
			printf("FAIL %s: map %s: %s: kernel %d, native %d\n", gname,
			       b2n_map__name(nm), uops[i].what, kerr, nerr);
			bad++;
		}
	}
	free(kv);
	free(nv);
	return bad;
}

/* ---- one group ---------------------------------------------------------- */
#define MAXP 32

struct pstate {
	const char *name;
	int refused, runs, bad;
	char reason[256];
};

static struct pstate *pstate_of(struct pstate *ps, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ps[i].name, name))
			return &ps[i];
	return NULL;
}

static void test_group(const struct group *g, const char *objdir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", objdir, g->src);
	/* Without the native object the kernel still runs and is checked
	 * against the table (the missing object is one failed check). */
	struct b2n_object *nobj = open_group(g);

	struct pstate ps[MAXP];
	int np = 0;
	for (size_t i = 0; i < g->nruns && np < MAXP; i++)
		if (!pstate_of(ps, np, g->runs[i].prog)) {
			memset(&ps[np], 0, sizeof(ps[np]));
			ps[np++].name = g->runs[i].prog;
		}

	/* Which programs does the kernel accept?  Load each alone first. */
	log_reset();
	struct bpf_object *kobj = bpf_object__open_file(path, NULL);
	if (!kobj) {
		char r[256];
		log_reason(r, sizeof(r));
		for (int i = 0; i < np; i++)
			printf("%s/%s: kernel refused: libbpf cannot open %s: %s\n", g->name,
			       ps[i].name, path, r);
		if (nobj)
			b2n_object__close(nobj);
		return;
	}

	if (bpf_object__load(kobj)) {
		bpf_object__close(kobj);
		for (int i = 0; i < np; i++) {
			log_reset();
			struct bpf_object *o = bpf_object__open_file(path, NULL);
			struct bpf_program *p;
			if (!o)
				break;
			bpf_object__for_each_program(p, o)
			    bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), ps[i].name));
			if (bpf_object__load(o)) {
				ps[i].refused = 1;
				log_reason(ps[i].reason, sizeof(ps[i].reason));
			}
			bpf_object__close(o);
		}
		log_reset();
		kobj = bpf_object__open_file(path, NULL);
		struct bpf_program *p;
		bpf_object__for_each_program(p, kobj)
		{
			struct pstate *s = pstate_of(ps, np, bpf_program__name(p));
			bpf_program__set_autoload(p, s && !s->refused);
		}
		if (bpf_object__load(kobj)) {
			char r[256];
			log_reason(r, sizeof(r));
			for (int i = 0; i < np; i++)
				if (!ps[i].refused) {
					ps[i].refused = 1;
					snprintf(ps[i].reason, sizeof(ps[i].reason), "%s", r);
				}
		}
	}

	for (size_t i = 0; i < g->nruns; i++) {
		const struct prun *r = &g->runs[i];
		struct pstate *s = pstate_of(ps, np, r->prog);
		if (!s || s->refused)
			continue;
		struct bpf_program *kp = bpf_object__find_program_by_name(kobj, r->prog);
		struct b2n_program *np_ =
		    nobj ? b2n_object__find_program_by_name(nobj, r->prog) : NULL;
		uint64_t nret = 0;
		uint32_t kret = 0;
		int nerr = np_ ? run_prog(nobj, r->prog, r->a, &nret) : -ENOENT;
		int kerr =
		    kp ? kernel_run(kp, bpf_program__section_name(kp), r->a, &kret) : -ENOENT;
		s->runs++;
		if (!nobj) {
			if (kerr) {
				printf("FAIL %s/%s: run %zu: kernel test_run %d\n", g->name,
				       r->prog, i, kerr);
				s->bad++;
			} else if (r->expect != NOCHECK && (int32_t)kret != (int32_t)r->expect) {
				printf("FAIL %s/%s: run %zu: kernel returned %d, table says %d\n",
				       g->name, r->prog, i, (int32_t)kret, (int32_t)r->expect);
				s->bad++;
			}
			continue;
		}
		if (nerr || kerr) {
			printf("FAIL %s/%s: run %zu: native run %d, kernel test_run %d\n", g->name,
			       r->prog, i, nerr, kerr);
			s->bad++;
		} else if ((uint32_t)nret != kret) {
			printf("FAIL %s/%s: run %zu: kernel returned %d, native %d (table: %d)\n",
			       g->name, r->prog, i, (int32_t)kret, (int32_t)nret,
			       (int32_t)r->expect);
			s->bad++;
		} else if (r->expect != NOCHECK && (int32_t)kret != (int32_t)r->expect) {
			printf(
			    "FAIL %s/%s: run %zu: kernel and native returned %d, table says %d\n",
			    g->name, r->prog, i, (int32_t)kret, (int32_t)r->expect);
			s->bad++;
		}
	}

	int maps_bad = 0;
	for (struct b2n_map *m = nobj ? b2n_object__next_map(nobj, NULL) : NULL; m;
	     m = b2n_object__next_map(nobj, m)) {
		const char *name = b2n_map__name(m);
		struct bpf_map *km = bpf_object__find_map_by_name(kobj, name);
		if (!km) {
			/* ".bss" vs "<obj>.bss": match on the section suffix. */
			const char *dot = strchr(name, '.');
			if (dot && dot != name)
				km = bpf_object__find_map_by_name(kobj, dot);
		}
		if (!km) {
			printf("FAIL %s: map %s has no kernel counterpart\n", g->name, name);
			maps_bad++;
			continue;
		}
		if (bpf_map__fd(km) < 0) {
			printf("%s: map %s: not created in the kernel\n", g->name, name);
			continue;
		}
		int ubad = user_errors(m, km, g->name);
		CHECK(ubad == 0, "%s: map %s: %d application-side error codes differ", g->name,
		      name, ubad);
		char why[1024] = "";
		if (compare_map(m, km, why, sizeof(why))) {
			CHECK(1, "map");
		} else {
			/* Runs of refused programs are left out on both sides, so
			 * the maps must still agree. */
			printf("FAIL %s: map %s: kernel and native differ: %s\n", g->name, name,
			       why);
			maps_bad++;
		}
	}
	CHECK(maps_bad == 0, "%s: %d maps differ", g->name, maps_bad);

	for (int i = 0; i < np; i++) {
		if (ps[i].refused) {
			printf("%s/%s: kernel refused: %s\n", g->name, ps[i].name, ps[i].reason);
			continue;
		}
		CHECK(ps[i].bad == 0, "%s/%s: %d of %d runs disagree", g->name, ps[i].name,
		      ps[i].bad, ps[i].runs);
		if (ps[i].bad == 0 && maps_bad == 0 && nobj)
			printf("%s/%s: kernel agrees (%d runs)\n", g->name, ps[i].name, ps[i].runs);
		else if (ps[i].bad == 0 && !nobj)
			printf("%s/%s: kernel matches the table (%d runs); no native object to "
			       "compare\n",
			       g->name, ps[i].name, ps[i].runs);
	}
	bpf_object__close(kobj);
	if (nobj)
		b2n_object__close(nobj);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR [GROUP...]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(on_libbpf_print);
	int probe = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCKET_FILTER, NULL);
	if (probe <= 0) {
		printf("SKIP: BPF is not available here: probing a socket filter failed (%s)\n",
		       probe < 0 ? strerror(-probe) : "unsupported");
		return 77;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		printf("note: cannot pin to CPU 0 (%s); per-CPU results may differ\n",
		       strerror(errno));
	trace_capture_start();
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct group *g = groups[i];
		if (argc > 2) {
			int want = 0;
			for (int a = 2; a < argc; a++)
				want |= !strcmp(argv[a], g->name);
			if (!want)
				continue;
		}
		t_where = g->name;
		test_group(g, argv[1]);
	}
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
