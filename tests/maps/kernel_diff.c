/*
 * kernel_diff.c - differential test of the runtime's maps against the
 * running kernel's, through libbpf (host only; needs CAP_BPF, otherwise it
 * prints why and exits 77).
 *
 * 1. Creation: a grid of (type, key size, value size, max_entries, flags)
 *    is created both with bpf_map_create() and b2n_rt_map_create(); the
 *    return codes must be equal (0 or the same -errno).
 * 2. Random operation sequences (fixed seeds) on pairs of equal maps:
 *    update with valid and invalid flags, lookup (also BPF_F_LOCK and bad
 *    flags), delete, lookup_and_delete, get_next_key, batch operations.
 *    Every return code must match, and so must every value read.  Types
 *    whose iteration order is deterministic (array, percpu_array, queue,
 *    stack, lpm_trie) must also return the same next keys and batch
 *    contents; for hash maps the sets of keys and values are compared at
 *    checkpoints (the kernel's hash function and bucket order are its
 *    own).  LRU maps are kept far from full (the kernel's LRU is
 *    approximate and may evict early).  B2N_NR_CPUS is set to the
 *    kernel's possible CPUs so per-CPU value layouts are the same.
 * Last line: "N passed, M failed".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime_internal.h"

static int passed, failed, reported;

static void fail(const char *what, long ours, long kern, int line)
{
	failed++;
	if (reported++ < 100000)
		fprintf(stderr, "FAIL line %d: %s: ours %ld, kernel %ld\n", line, what, ours, kern);
}

#define SAME(what, ours, kern)                                                                     \
	do {                                                                                       \
		long o_ = (long)(ours), k_ = (long)(kern);                                         \
		if (o_ == k_)                                                                      \
			passed++;                                                                  \
		else                                                                               \
			fail(what, o_, k_, __LINE__);                                              \
	} while (0)

static int ncpus;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static int kerr(int r)
{
	return r < 0 ? (errno ? -errno : r) : r;
}

/* ---- creation grid ------------------------------------------------------- */

static void create_grid(void)
{
	static const uint32_t types[] = {B2N_MAP_HASH,
	                                 B2N_MAP_ARRAY,
	                                 B2N_MAP_PROG_ARRAY,
	                                 B2N_MAP_PERCPU_HASH,
	                                 B2N_MAP_PERCPU_ARRAY,
	                                 B2N_MAP_LRU_HASH,
	                                 B2N_MAP_LRU_PERCPU_HASH,
	                                 B2N_MAP_LPM_TRIE,
	                                 B2N_MAP_QUEUE,
	                                 B2N_MAP_STACK,
	                                 0,
	                                 99};
	static const uint32_t ksz[] = {0, 4, 8, 5, 261};
	static const uint32_t vsz[] = {0, 4, 8, 32769};
	static const uint32_t maxe[] = {0, 1, 5};
	static const uint32_t flags[] = {0,
	                                 B2N_F_NO_PREALLOC,
	                                 B2N_F_NO_COMMON_LRU,
	                                 B2N_F_RDONLY | B2N_F_WRONLY,
	                                 B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG,
	                                 B2N_F_RDONLY_PROG,
	                                 B2N_F_WRONLY,
	                                 B2N_F_MMAPABLE,
	                                 B2N_F_ZERO_SEED,
	                                 B2N_F_INNER_MAP,
	                                 1U << 2, /* NUMA_NODE, node 0 */
	                                 1U << 20};
	size_t a, b, c, d, e;
	for (a = 0; a < sizeof(types) / sizeof(*types); a++)
		for (b = 0; b < sizeof(ksz) / sizeof(*ksz); b++)
			for (c = 0; c < sizeof(vsz) / sizeof(*vsz); c++)
				for (d = 0; d < sizeof(maxe) / sizeof(*maxe); d++)
					for (e = 0; e < sizeof(flags) / sizeof(*flags); e++) {
						uint32_t t = types[a], f = flags[e];
						struct b2n_map *m = NULL;
						LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = f);
						int kfd, kr, ours;
						char what[128];
						errno = 0;
						kfd = bpf_map_create(t, "d", ksz[b], vsz[c],
						                     maxe[d], &o);
						kr = kfd >= 0 ? 0 : kerr(kfd);
						if (kfd >= 0)
							close(kfd);
						ours = b2n_rt_map_create("d", t, ksz[b], vsz[c],
						                         maxe[d], f, -1, NULL, &m);
						if (m)
							b2n_rt_map_destroy(m);
						snprintf(what, sizeof(what),
						         "create type %u key %u value %u max %u "
						         "flags %#x",
						         t, ksz[b], vsz[c], maxe[d], f);
						SAME(what, ours, kr);
					}
}

/* ---- pairs ----------------------------------------------------------------- */

struct pair {
	struct b2n_map *m;
	int fd;
	uint32_t type, ks, vs, max;
	size_t uvs; /* user value size */
};

static int mkpair(struct pair *p, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max,
                  uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int err;
	memset(p, 0, sizeof(*p));
	p->type = type, p->ks = ks, p->vs = vs, p->max = max;
	p->uvs = (type == B2N_MAP_PERCPU_ARRAY || type == B2N_MAP_PERCPU_HASH ||
	          type == B2N_MAP_LRU_PERCPU_HASH)
	             ? (size_t)ncpus * ((vs + 7) & ~7u)
	             : vs;
	p->fd = bpf_map_create(type, "p", ks, vs, max, &o);
	err = b2n_rt_map_create("p", type, ks, vs, max, flags, -1, NULL, &p->m);
	if (p->fd < 0 || err) {
		fprintf(stderr, "FAIL create pair type %u: ours %d kernel %d\n", type, err, p->fd);
		failed++;
		if (p->fd >= 0)
			close(p->fd);
		b2n_rt_map_destroy(p->m);
		return -1;
	}
	return 0;
}

static void unpair(struct pair *p)
{
	close(p->fd);
	b2n_rt_map_destroy(p->m);
}

static void fill_value(void *v, size_t n)
{
	uint8_t *b = v;
	size_t i;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(256);
	/* per-CPU padding bytes: the kernel copies whole 8-byte units */
}

static void rand_key(const struct pair *p, void *key)
{
	if (p->type == B2N_MAP_LPM_TRIE) {
		uint8_t *k = key;
		uint32_t plen = rnd(36);
		static const uint8_t pool[] = {0x00, 0x0a, 0x0b, 0x80, 0xc0, 0xff};
		uint32_t i;
		memcpy(k, &plen, 4);
		for (i = 4; i < p->ks; i++)
			k[i] = pool[rnd(sizeof(pool))];
	} else if (p->ks == 0) {
		return;
	} else if (p->ks == 4) {
		uint32_t k = rnd(p->max + 3);
		memcpy(key, &k, 4);
	} else {
		memset(key, 0, p->ks);
		((uint8_t *)key)[rnd(p->ks)] = (uint8_t)rnd(3);
	}
}

static int deterministic_order(uint32_t t)
{
	return t == B2N_MAP_ARRAY || t == B2N_MAP_PERCPU_ARRAY || t == B2N_MAP_LPM_TRIE ||
	       t == B2N_MAP_QUEUE || t == B2N_MAP_STACK;
}

static int is_hash(uint32_t t)
{
	return t == B2N_MAP_HASH || t == B2N_MAP_PERCPU_HASH || t == B2N_MAP_LRU_HASH ||
	       t == B2N_MAP_LRU_PERCPU_HASH;
}

/* Compare the whole contents by iterating both maps (any order). */
static void compare_contents(const struct pair *p)
{
	size_t ks = p->ks, n_o = 0, n_k = 0, i, j;
	size_t cap = p->max + 1;
	uint8_t *ko = calloc(cap, ks), *kk = calloc(cap, ks);
	uint8_t *vo = malloc(p->uvs), *vk = malloc(p->uvs);
	int r;
	if (!ko || !kk || !vo || !vk)
		goto out;
	r = b2n_map__get_next_key(p->m, NULL, ko, ks);
	while (r == 0 && n_o < cap) {
		n_o++;
		if (n_o < cap)
			r = b2n_map__get_next_key(p->m, ko + (n_o - 1) * ks, ko + n_o * ks, ks);
	}
	r = bpf_map_get_next_key(p->fd, NULL, kk);
	while (r == 0 && n_k < cap) {
		n_k++;
		if (n_k < cap)
			r = bpf_map_get_next_key(p->fd, kk + (n_k - 1) * ks, kk + n_k * ks);
	}
	SAME("element count", n_o, n_k);
	for (i = 0; i < n_o; i++) {
		int found = 0;
		for (j = 0; j < n_k && !found; j++)
			found = !memcmp(ko + i * ks, kk + j * ks, ks);
		SAME("key present in both", found, 1);
		if (found) {
			int ro = b2n_map__lookup_elem(p->m, ko + i * ks, ks, vo, p->uvs, 0);
			int rk = kerr(bpf_map_lookup_elem(p->fd, ko + i * ks, vk));
			SAME("lookup during compare", ro, rk);
			if (!ro && !rk) {
				char w[64];
				snprintf(w, sizeof(w), "value during compare, type %u", p->type);
				SAME(w, memcmp(vo, vk, p->uvs) != 0, 0);
			}
		}
	}
	if (deterministic_order(p->type) && n_o == n_k)
		SAME("iteration order", memcmp(ko, kk, n_o * ks) != 0, 0);
out:
	free(ko);
	free(kk);
	free(vo);
	free(vk);
}

static void random_ops(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
                       int nops, uint32_t live_limit)
{
	static const uint64_t uflags[] = {0, 1, 2, 3, 4, 5, 8};
	struct pair p;
	uint8_t key[64], key2[64], vo[8192], vk[8192], in[8192];
	int i;
	if (mkpair(&p, type, ks, vs, max, flags))
		return;
	for (i = 0; i < nops; i++) {
		int op = (int)rnd(10), ro, rk;
		uint64_t f;
		char what[96];
		int qs = type == B2N_MAP_QUEUE || type == B2N_MAP_STACK;
		const void *kp = qs ? NULL : key;
		rand_key(&p, key);
		memset(vo, 0, p.uvs);
		memset(vk, 0, p.uvs);
		errno = 0;
		switch (op) {
		case 0:
		case 1:
		case 2: /* update */
			if (live_limit) {
				/* keep LRU maps far from full */
				uint32_t n = 0;
				uint8_t k3[64];
				int r = b2n_map__get_next_key(p.m, NULL, k3, ks);
				while (!r && n < 1000) {
					n++;
					r = b2n_map__get_next_key(p.m, k3, k3, ks);
				}
				if (n >= live_limit)
					break;
			}
			fill_value(in, p.uvs);
			f = uflags[rnd(sizeof(uflags) / sizeof(*uflags))];
			ro = b2n_map__update_elem(p.m, kp, qs ? 0 : ks, in, p.uvs, f);
			rk = kerr(bpf_map_update_elem(p.fd, kp, in, f));
			snprintf(what, sizeof(what), "update type %u flags %llu", type,
			         (unsigned long long)f);
			SAME(what, ro, rk);
			break;
		case 3:
		case 4: /* lookup */
			f = rnd(4) == 0 ? uflags[rnd(sizeof(uflags) / sizeof(*uflags))] : 0;
			ro = b2n_map__lookup_elem(p.m, kp, qs ? 0 : ks, vo, p.uvs, f);
			rk = kerr(bpf_map_lookup_elem_flags(p.fd, kp, vk, f));
			snprintf(what, sizeof(what), "lookup type %u flags %llu", type,
			         (unsigned long long)f);
			SAME(what, ro, rk);
			if (!ro && !rk)
				SAME("lookup value", memcmp(vo, vk, p.uvs) != 0, 0);
			break;
		case 5: /* delete */
			ro = b2n_map__delete_elem(p.m, kp, qs ? 0 : ks, 0);
			rk = kerr(bpf_map_delete_elem(p.fd, kp));
			snprintf(what, sizeof(what), "delete type %u", type);
			SAME(what, ro, rk);
			break;
		case 6: /* lookup_and_delete */
			f = rnd(3) == 0 ? uflags[rnd(sizeof(uflags) / sizeof(*uflags))] : 0;
			ro = b2n_map__lookup_and_delete_elem(p.m, kp, qs ? 0 : ks, vo, p.uvs, f);
			rk = kerr(bpf_map_lookup_and_delete_elem_flags(p.fd, kp, vk, f));
			snprintf(what, sizeof(what), "lookup_and_delete type %u flags %llu", type,
			         (unsigned long long)f);
			SAME(what, ro, rk);
			if (!ro && !rk)
				SAME("lookup_and_delete value", memcmp(vo, vk, p.uvs) != 0, 0);
			break;
		case 7: { /* get_next_key */
			int from_null = rnd(3) == 0;
			memset(key2, 0, sizeof(key2));
			memset(in, 0, sizeof(key2));
			ro = b2n_map__get_next_key(p.m, from_null ? NULL : kp, key2, qs ? 0 : ks);
			rk = kerr(bpf_map_get_next_key(p.fd, from_null ? NULL : kp, in));
			snprintf(what, sizeof(what), "get_next_key type %u%s", type,
			         from_null ? " (NULL)" : "");
			if (deterministic_order(type) || from_null) {
				SAME(what, ro, rk);
				if (!ro && !rk && deterministic_order(type))
					SAME("next key", memcmp(key2, in, ks) != 0, 0);
			}
			break;
		}
		default:
			if (i % 40 == 0 && !(type == B2N_MAP_QUEUE || type == B2N_MAP_STACK))
				compare_contents(&p);
			break;
		}
	}
	if (!(type == B2N_MAP_QUEUE || type == B2N_MAP_STACK))
		compare_contents(&p);
	unpair(&p);
}

/* ---- batches ---------------------------------------------------------------- */

static void batch_ops(uint32_t type, uint32_t max)
{
	struct pair p;
	uint32_t keys_o[256], keys_k[256], cur_o = 0, cur_k = 0, k, co, ck, to = 0, tk = 0;
	static uint8_t vals_o[256 * 8 * 64], vals_k[256 * 8 * 64], in[8 * 4096];
	int ro, rk, rounds = 0, del = is_hash(type);
	LIBBPF_OPTS(bpf_map_batch_opts, ko);
	struct b2n_map_batch_opts oo = {sizeof(oo), 0, 0};
	if (mkpair(&p, type, 4, 8, max, 0))
		return;
	if (p.uvs > 8 * 64) {
		unpair(&p);
		return;
	}
	for (k = 0; k < max; k += 1 + rnd(2)) {
		fill_value(in, p.uvs);
		b2n_map__update_elem(p.m, &k, 4, in, p.uvs, 0);
		bpf_map_update_elem(p.fd, &k, in, 0);
	}
	/* flags checks */
	co = ck = 4;
	oo.flags = 1;
	ko.flags = 1;
	ro = b2n_map__lookup_batch(p.m, NULL, &cur_o, keys_o, vals_o, &co, &oo);
	rk = kerr(bpf_map_lookup_batch(p.fd, NULL, &cur_k, keys_k, vals_k, &ck, &ko));
	{
		char w[64];
		snprintf(w, sizeof(w), "lookup_batch flags=1 type %u", type);
		SAME(w, ro, rk);
	}
	oo.flags = ko.flags = 0;
	oo.elem_flags = ko.elem_flags = 2;
	co = ck = 4;
	ro = b2n_map__lookup_batch(p.m, NULL, &cur_o, keys_o, vals_o, &co, &oo);
	rk = kerr(bpf_map_lookup_batch(p.fd, NULL, &cur_k, keys_k, vals_k, &ck, &ko));
	SAME("lookup_batch elem_flags=2", ro, rk);
	oo.elem_flags = ko.elem_flags = 0;
	co = ck = 4;
	ro = b2n_map__lookup_and_delete_batch(p.m, NULL, &cur_o, keys_o, vals_o, &co, &oo);
	rk = kerr(bpf_map_lookup_and_delete_batch(p.fd, NULL, &cur_k, keys_k, vals_k, &ck, &ko));
	if (!del) {
		SAME("lookup_and_delete_batch on an array", ro, rk);
	} else {
		/* restore what was deleted */
		uint32_t i;
		for (i = 0; i < co && ro != -ENOSPC; i++)
			b2n_map__update_elem(p.m, &keys_o[i], 4, vals_o + i * p.uvs, p.uvs, 0);
		for (i = 0; i < ck && rk != -ENOSPC; i++)
			bpf_map_update_elem(p.fd, &keys_k[i], vals_k + i * p.uvs, 0);
	}
	/* a full walk in batches: arrays match exactly, hashes as sets */
	do {
		co = ck = is_hash(type) ? max : 3;
		ro = b2n_map__lookup_batch(p.m, to ? &cur_o : NULL, &cur_o, keys_o + to,
		                           vals_o + to * p.uvs, &co, &oo);
		if (rk != -ENOENT || !is_hash(type)) {
			rk = kerr(bpf_map_lookup_batch(p.fd, tk ? &cur_k : NULL, &cur_k,
			                               keys_k + tk, vals_k + tk * p.uvs, &ck, &ko));
		}
		if (!is_hash(type)) {
			SAME("lookup_batch rc", ro, rk);
			SAME("lookup_batch count", co, ck);
		}
		to += co;
		tk += ck;
		rounds++;
	} while ((ro == 0 || (is_hash(type) && rk == 0)) && rounds < 200 && to + max <= 256 &&
	         tk + max <= 256);
	SAME("lookup_batch total", to, tk);
	if (!is_hash(type)) {
		SAME("lookup_batch keys", memcmp(keys_o, keys_k, to * 4) != 0, 0);
		SAME("lookup_batch values", memcmp(vals_o, vals_k, to * p.uvs) != 0, 0);
	} else {
		uint32_t i, j, ok = 1;
		for (i = 0; i < to; i++) {
			int found = 0;
			for (j = 0; j < tk && !found; j++)
				if (keys_o[i] == keys_k[j])
					found =
					    !memcmp(vals_o + i * p.uvs, vals_k + j * p.uvs, p.uvs);
			ok &= found;
		}
		SAME("lookup_batch same key/value set", ok, 1);
	}
	/* update_batch and delete_batch: stop at the first failure */
	{
		uint32_t ks[8] = {1, 2, max + 5, 3, 4, 5, 6, 7};
		uint64_t fl[] = {0, 1, 2};
		size_t i;
		for (i = 0; i < 3; i++) {
			fill_value(in, 8 * p.uvs);
			oo.elem_flags = ko.elem_flags = fl[i];
			co = ck = 8;
			ro = b2n_map__update_batch(p.m, ks, in, &co, &oo);
			rk = kerr(bpf_map_update_batch(p.fd, ks, in, &ck, &ko));
			{
				char w[64];
				snprintf(w, sizeof(w), "update_batch type %u elem_flags %llu rc",
				         type, (unsigned long long)fl[i]);
				SAME(w, ro, rk);
				SAME("update_batch count", co, ck);
			}
		}
		oo.elem_flags = ko.elem_flags = 0;
		co = ck = 8;
		ro = b2n_map__delete_batch(p.m, ks, &co, &oo);
		rk = kerr(bpf_map_delete_batch(p.fd, ks, &ck, &ko));
		SAME("delete_batch rc", ro, rk);
		SAME("delete_batch count", co, ck);
	}
	if (del) {
		/* drain with lookup_and_delete_batch */
		co = ck = 256;
		ro = b2n_map__lookup_and_delete_batch(p.m, NULL, &cur_o, keys_o, vals_o, &co, &oo);
		rk = kerr(
		    bpf_map_lookup_and_delete_batch(p.fd, NULL, &cur_k, keys_k, vals_k, &ck, &ko));
		SAME("lookup_and_delete_batch drain rc", ro, rk);
		SAME("lookup_and_delete_batch drain count", co, ck);
	}
	compare_contents(&p);
	unpair(&p);
}

/* ---- map in map, prog_array ------------------------------------------------- */

struct twin {
	int fd;
	struct b2n_map *m;
};

static int mktwin(struct twin *t, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max,
                  uint32_t flags, const struct twin *inner)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int ko, oo;
	if (inner)
		o.inner_map_fd = (uint32_t)inner->fd;
	t->fd = bpf_map_create(type, "w", ks, vs, max, &o);
	ko = t->fd >= 0 ? 0 : kerr(t->fd);
	oo = b2n_rt_map_create("w", type, ks, vs, max, flags, -1, inner ? inner->m : NULL, &t->m);
	SAME("create twin", oo, ko);
	if (ko || oo) {
		if (t->fd >= 0)
			close(t->fd);
		b2n_rt_map_destroy(t->m);
		t->fd = -1;
		t->m = NULL;
		return -1;
	}
	return 0;
}

static void untwin(struct twin *t)
{
	if (t->fd >= 0)
		close(t->fd);
	b2n_rt_map_destroy(t->m);
}

static void mim_diff(uint32_t outer_type)
{
	struct twin tmpl, tmpl_f, outer, outer_f, bad;
	struct twin cand[7];
	static const uint32_t ct[7][4] = {/* type, value size, max, flags */
	                                  {B2N_MAP_ARRAY, 8, 2, 0},
	                                  {B2N_MAP_ARRAY, 4, 2, 0},
	                                  {B2N_MAP_ARRAY, 8, 3, 0},
	                                  {B2N_MAP_HASH, 8, 2, 0},
	                                  {B2N_MAP_ARRAY, 8, 5, B2N_F_INNER_MAP},
	                                  {B2N_MAP_ARRAY, 8, 2, B2N_F_RDONLY_PROG},
	                                  {B2N_MAP_PERCPU_ARRAY, 8, 2, 0}};
	uint32_t i, k, kv, ov, f;
	int n = 0;
	if (mktwin(&tmpl, B2N_MAP_ARRAY, 4, 8, 2, 0, NULL))
		return;
	if (mktwin(&tmpl_f, B2N_MAP_ARRAY, 4, 8, 2, B2N_F_INNER_MAP, NULL))
		return;
	if (mktwin(&outer, outer_type, 4, 4, 3, 0, &tmpl) ||
	    mktwin(&outer_f, outer_type, 4, 4, 3, 0, &tmpl_f))
		return;
	/* wrong outer value size, and an outer map as template */
	if (!mktwin(&bad, outer_type, 4, 8, 3, 0, &tmpl))
		untwin(&bad);
	if (!mktwin(&bad, outer_type, 4, 4, 3, 0, &outer))
		untwin(&bad);
	for (i = 0; i < 7; i++)
		if (!mktwin(&cand[i], ct[i][0], 4, ct[i][1], ct[i][2], ct[i][3], NULL))
			n++;
	if (n != 7)
		return;
	for (i = 0; i < 7; i++)
		for (k = 0; k < 4; k += 2)
			for (f = 0; f < 3; f++) {
				char w[96];
				kv = (uint32_t)cand[i].fd;
				ov = (uint32_t)b2n_map__fd(cand[i].m);
				snprintf(w, sizeof(w), "outer %u update key %u cand %u flags %u",
				         outer_type, k, i, f);
				SAME(w, b2n_map__update_elem(outer.m, &k, 4, &ov, 4, f),
				     kerr(bpf_map_update_elem(outer.fd, &k, &kv, f)));
				SAME(w, b2n_map__update_elem(outer_f.m, &k, 4, &ov, 4, f),
				     kerr(bpf_map_update_elem(outer_f.fd, &k, &kv, f)));
			}
	/* a number that names nothing; the outer map itself */
	k = 1, kv = 9999, ov = 99999;
	SAME("update with a closed fd", b2n_map__update_elem(outer.m, &k, 4, &ov, 4, 0),
	     kerr(bpf_map_update_elem(outer.fd, &k, &kv, 0)));
	kv = (uint32_t)outer.fd, ov = (uint32_t)b2n_map__fd(outer.m);
	SAME("update with the outer map", b2n_map__update_elem(outer.m, &k, 4, &ov, 4, 0),
	     kerr(bpf_map_update_elem(outer.fd, &k, &kv, 0)));
	for (k = 0; k < 5; k++) {
		SAME("mim lookup", b2n_map__lookup_elem(outer.m, &k, 4, &ov, 4, 0),
		     kerr(bpf_map_lookup_elem(outer.fd, &k, &kv)));
		{
			int ro = b2n_map__get_next_key(outer.m, &k, &ov, 4);
			int rk = kerr(bpf_map_get_next_key(outer.fd, &k, &kv));
			if (outer_type ==
			    B2N_MAP_ARRAY_OF_MAPS) /* hash order is the kernel's own */
				SAME("mim get_next_key", ro, rk);
			if (outer_type == B2N_MAP_ARRAY_OF_MAPS && !ro && !rk)
				SAME("mim next key", ov, kv);
		}
		SAME("mim lookup_and_delete",
		     b2n_map__lookup_and_delete_elem(outer.m, &k, 4, &ov, 4, 0),
		     kerr(bpf_map_lookup_and_delete_elem(outer.fd, &k, &kv)));
		SAME("mim delete", b2n_map__delete_elem(outer.m, &k, 4, 0),
		     kerr(bpf_map_delete_elem(outer.fd, &k)));
		SAME("mim delete again", b2n_map__delete_elem(outer.m, &k, 4, 0),
		     kerr(bpf_map_delete_elem(outer.fd, &k)));
	}
	for (i = 0; i < 7; i++)
		untwin(&cand[i]);
	untwin(&outer);
	untwin(&outer_f);
	untwin(&tmpl);
	untwin(&tmpl_f);
}

static void prog_array_diff(void)
{
	struct bpf_insn insns[2] = {
	    {.code = 0xb7, .dst_reg = 0, .imm = 0}, /* r0 = 0 */
	    {.code = 0x95},                         /* exit */
	};
	struct b2n_program prog;
	struct twin pa, other;
	uint32_t k, kv, ov, f;
	int pfd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", insns, 2, NULL);
	if (pfd < 0) {
		printf("note: prog_array comparison skipped: bpf_prog_load: %s\n", strerror(errno));
		return;
	}
	memset(&prog, 0, sizeof(prog));
	b2n_rt_prog_register(&prog);
	if (mktwin(&pa, B2N_MAP_PROG_ARRAY, 4, 4, 4, 0, NULL) ||
	    mktwin(&other, B2N_MAP_ARRAY, 4, 4, 1, 0, NULL)) {
		close(pfd);
		return;
	}
	for (k = 0; k < 6; k += 1)
		for (f = 0; f < 3; f++) {
			kv = (uint32_t)pfd;
			ov = (uint32_t)prog.fd;
			SAME("prog_array update", b2n_map__update_elem(pa.m, &k, 4, &ov, 4, f),
			     kerr(bpf_map_update_elem(pa.fd, &k, &kv, f)));
		}
	k = 0, kv = (uint32_t)other.fd, ov = (uint32_t)b2n_map__fd(other.m);
	SAME("prog_array update with a map", b2n_map__update_elem(pa.m, &k, 4, &ov, 4, 0),
	     kerr(bpf_map_update_elem(pa.fd, &k, &kv, 0)));
	kv = 9999, ov = 99999;
	SAME("prog_array update with a closed fd", b2n_map__update_elem(pa.m, &k, 4, &ov, 4, 0),
	     kerr(bpf_map_update_elem(pa.fd, &k, &kv, 0)));
	for (k = 0; k < 6; k++) {
		SAME("prog_array lookup", b2n_map__lookup_elem(pa.m, &k, 4, &ov, 4, 0),
		     kerr(bpf_map_lookup_elem(pa.fd, &k, &kv)));
		SAME("prog_array get_next_key", b2n_map__get_next_key(pa.m, &k, &ov, 4),
		     kerr(bpf_map_get_next_key(pa.fd, &k, &kv)));
		SAME("prog_array delete", b2n_map__delete_elem(pa.m, &k, 4, 0),
		     kerr(bpf_map_delete_elem(pa.fd, &k)));
		SAME("prog_array delete again", b2n_map__delete_elem(pa.m, &k, 4, 0),
		     kerr(bpf_map_delete_elem(pa.fd, &k)));
		SAME("prog_array lookup_and_delete",
		     b2n_map__lookup_and_delete_elem(pa.m, &k, 4, &ov, 4, 0),
		     kerr(bpf_map_lookup_and_delete_elem(pa.fd, &k, &kv)));
	}
	untwin(&pa);
	untwin(&other);
	b2n_rt_prog_unregister(&prog);
	close(pfd);
}

/* NULL and superfluous pointers, as bpf() copies them. */
static void pointer_diff(void)
{
	struct pair h, q;
	uint32_t k = 1, v = 5, w;
	if (mkpair(&h, B2N_MAP_HASH, 4, 4, 2, 0) || mkpair(&q, B2N_MAP_QUEUE, 0, 4, 2, 0))
		return;
	SAME("ptr update", b2n_map__update_elem(h.m, &k, 4, &v, 4, 0),
	     kerr(bpf_map_update_elem(h.fd, &k, &v, 0)));
	SAME("ptr lookup NULL key", b2n_map__lookup_elem(h.m, NULL, 4, &w, 4, 0),
	     kerr(bpf_map_lookup_elem(h.fd, NULL, &w)));
	SAME("ptr lookup NULL value", b2n_map__lookup_elem(h.m, &k, 4, NULL, 4, 0),
	     kerr(bpf_map_lookup_elem(h.fd, &k, NULL)));
	SAME("ptr update NULL key", b2n_map__update_elem(h.m, NULL, 4, &v, 4, 0),
	     kerr(bpf_map_update_elem(h.fd, NULL, &v, 0)));
	SAME("ptr update NULL value", b2n_map__update_elem(h.m, &k, 4, NULL, 4, 0),
	     kerr(bpf_map_update_elem(h.fd, &k, NULL, 0)));
	SAME("ptr delete NULL key", b2n_map__delete_elem(h.m, NULL, 4, 0),
	     kerr(bpf_map_delete_elem(h.fd, NULL)));
	SAME("ptr next NULL next", b2n_map__get_next_key(h.m, NULL, NULL, 4),
	     kerr(bpf_map_get_next_key(h.fd, NULL, NULL)));
	SAME("ptr queue push with key", b2n_map__update_elem(q.m, &k, 0, &v, 4, 0),
	     kerr(bpf_map_update_elem(q.fd, &k, &v, 0)));
	SAME("ptr queue peek with key", b2n_map__lookup_elem(q.m, &k, 0, &w, 4, 0),
	     kerr(bpf_map_lookup_elem(q.fd, &k, &w)));
	SAME("ptr queue pop with key", b2n_map__lookup_and_delete_elem(q.m, &k, 0, &w, 4, 0),
	     kerr(bpf_map_lookup_and_delete_elem(q.fd, &k, &w)));
	SAME("ptr queue next with key", b2n_map__get_next_key(q.m, &k, &w, 0),
	     kerr(bpf_map_get_next_key(q.fd, &k, &w)));
	SAME("ptr queue next NULL", b2n_map__get_next_key(q.m, NULL, NULL, 0),
	     kerr(bpf_map_get_next_key(q.fd, NULL, NULL)));
	unpair(&h);
	unpair(&q);
}

int main(void)
{
	char buf[16];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
	if (fd < 0) {
		printf("maps-kernel skipped: bpf(BPF_MAP_CREATE) failed: %s\n", strerror(errno));
		return 77;
	}
	close(fd);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1 || ncpus > 64) {
		printf("maps-kernel skipped: %d possible CPUs (test buffers are sized for 64)\n",
		       ncpus);
		return 77;
	}
	if (getenv("B2N_DIFF_SEED")) /* another fixed sequence, for exploring */
		rng ^= strtoull(getenv("B2N_DIFF_SEED"), NULL, 0) * 0x2545f4914f6cdd1dull;
	snprintf(buf, sizeof(buf), "%d", ncpus);
	setenv("B2N_NR_CPUS", buf, 1);
	if (b2n_num_possible_cpus() != ncpus) {
		printf("FAIL: b2n_num_possible_cpus %d, kernel %d\n", b2n_num_possible_cpus(),
		       ncpus);
		return 1;
	}
	create_grid();
	random_ops(B2N_MAP_ARRAY, 4, 12, 8, 0, 3000, 0);
	random_ops(B2N_MAP_PERCPU_ARRAY, 4, 4, 6, 0, 2000, 0);
	random_ops(B2N_MAP_HASH, 4, 8, 8, 0, 4000, 0);
	random_ops(B2N_MAP_HASH, 4, 8, 8, B2N_F_NO_PREALLOC, 4000, 0);
	random_ops(B2N_MAP_HASH, 6, 16, 12, 0, 3000, 0);
	random_ops(B2N_MAP_PERCPU_HASH, 4, 12, 8, 0, 3000, 0);
	random_ops(B2N_MAP_LRU_HASH, 4, 8, 512, 0, 3000, 12);
	random_ops(B2N_MAP_LRU_PERCPU_HASH, 4, 8, 512, 0, 2000, 12);
	random_ops(B2N_MAP_QUEUE, 0, 8, 5, 0, 3000, 0);
	random_ops(B2N_MAP_STACK, 0, 8, 5, 0, 3000, 0);
	random_ops(B2N_MAP_LPM_TRIE, 8, 8, 40, B2N_F_NO_PREALLOC, 6000, 0);
	random_ops(B2N_MAP_LPM_TRIE, 6, 4, 10, B2N_F_NO_PREALLOC, 4000, 0);
	batch_ops(B2N_MAP_ARRAY, 10);
	batch_ops(B2N_MAP_PERCPU_ARRAY, 7);
	batch_ops(B2N_MAP_HASH, 32);
	batch_ops(B2N_MAP_PERCPU_HASH, 16);
	batch_ops(B2N_MAP_LRU_HASH, 64);
	random_ops(B2N_MAP_HASH, 4, 8, 8, B2N_F_RDONLY, 500, 0);
	random_ops(B2N_MAP_HASH, 4, 8, 8, B2N_F_WRONLY, 500, 0);
	random_ops(B2N_MAP_ARRAY, 4, 8, 8, B2N_F_RDONLY, 500, 0);
	random_ops(B2N_MAP_QUEUE, 0, 4, 4, B2N_F_WRONLY, 500, 0);
	random_ops(B2N_MAP_HASH, 40, 24, 30, B2N_F_NO_PREALLOC, 4000, 0);
	random_ops(B2N_MAP_LPM_TRIE, 20, 8, 60, B2N_F_NO_PREALLOC, 6000, 0);
	mim_diff(B2N_MAP_ARRAY_OF_MAPS);
	mim_diff(B2N_MAP_HASH_OF_MAPS);
	prog_array_diff();
	pointer_diff();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
