/*
 * test_maps.c - unit tests of the runtime's maps, map helpers and the
 * user-side map API, without compiled BPF objects: maps are created with
 * b2n_rt_map_create(), the program side is exercised by calling the
 * helpers (b2n_h_*) directly with the kernel's calling convention, the
 * application side through libb2n.h.
 *
 * Covered: creation checks of every map type (the kernel's error codes),
 * the id registry, array / percpu_array / prog_array, the four hash kinds
 * (flags, -E2BIG, replace semantics, get_next_key, LRU eviction order),
 * queue and stack, lpm_trie (longest match, post-order get_next_key),
 * array_of_maps and hash_of_maps (template checks, inner lookups, cleanup
 * when an inner map is destroyed), spin locks and BPF_F_LOCK,
 * for_each_map_elem, batch operations with their cursors, access flags,
 * and several threads: per-CPU slots, concurrent hash and array updates.
 * B2N_NR_CPUS is set to 4 before anything asks for the CPU count.
 * The same source runs on the host and, statically cross-built, under
 * qemu-user for every target.  Last line: "N passed, M failed".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define ENOTSUPP_K 524

struct b2n_program *b2n_rt_prog_array_get(struct b2n_map *m, uint32_t index);

static int passed, failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
	} while (0)
#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		if (va_ == vb_) {                                                                  \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			fprintf(stderr, "FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__,         \
			        __LINE__, #a, #b, va_, vb_);                                       \
		}                                                                                  \
	} while (0)

static struct b2n_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct b2n_map *m = NULL;
	int err = b2n_rt_map_create("t", type, ks, vs, max, flags, -1, NULL, &m);
	if (err) {
		fprintf(stderr, "FAIL create type %u: %d\n", type, err);
		failed++;
		return NULL;
	}
	return m;
}

static int mkerr(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
                 int32_t lock, struct b2n_map *inner)
{
	struct b2n_map *m = NULL;
	int err = b2n_rt_map_create("e", type, ks, vs, max, flags, lock, inner, &m);
	if (!err)
		b2n_rt_map_destroy(m);
	return err;
}

#define M(m) ((uint64_t)(uintptr_t)(m))
#define P(p) ((uint64_t)(uintptr_t)(p))
#define ERR(e) ((uint64_t)(int64_t)(e))

/* ---- creation ------------------------------------------------------------ */

static void test_create(void)
{
	struct b2n_map *a, *b, *inner, *mim;
	int fa, fb;

	CHECK_EQ(mkerr(0, 4, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(99, 4, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, 0, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_QUEUE, 0, 4, 0, 0, -1, NULL), -EINVAL);
	/* array */
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 8, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 0, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 1, 1U << 20, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 1, B2N_F_RDONLY | B2N_F_WRONLY, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 1, B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG, -1, NULL),
	         -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 4, 1, B2N_F_MMAPABLE | B2N_F_RDONLY_PROG, -1, NULL), 0);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_ARRAY, 4, 4, 1, B2N_F_MMAPABLE, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_ARRAY, 4, 40000, 1, 0, -1, NULL), -E2BIG);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_ARRAY, 4, 32768, 1, 0, -1, NULL), 0);
	/* spin locks */
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 8, 1, 0, 4, NULL), 0);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 8, 1, 0, 6, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY, 4, 8, 1, 0, 8, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_ARRAY, 4, 8, 1, 0, 0, NULL), -EOPNOTSUPP);
	CHECK_EQ(mkerr(B2N_MAP_QUEUE, 0, 8, 1, 0, 0, NULL), -EOPNOTSUPP);
	/* hash */
	CHECK_EQ(mkerr(B2N_MAP_HASH, 0, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 0, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, 1, 1U << 20, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, 1, B2N_F_MMAPABLE, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, 1, B2N_F_NO_COMMON_LRU, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, 1, B2N_F_NO_PREALLOC | B2N_F_ZERO_SEED, -1, NULL), 0);
	CHECK_EQ(mkerr(B2N_MAP_LRU_HASH, 4, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), -ENOTSUPP_K);
	CHECK_EQ(mkerr(B2N_MAP_LRU_HASH, 4, 4, 1, B2N_F_NO_COMMON_LRU, -1, NULL), 0);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 1U << 22, 1, 0, -1, NULL), -E2BIG);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_HASH, 4, 40000, 1, 0, -1, NULL), -E2BIG);
	CHECK_EQ(mkerr(B2N_MAP_HASH, 4, 4, (1U << 28) + 1, 0, -1, NULL), -E2BIG);
	CHECK_EQ(mkerr(B2N_MAP_PERCPU_HASH, 4, 8, 1, 0, 0, NULL), -EOPNOTSUPP);
	/* queue / stack */
	CHECK_EQ(mkerr(B2N_MAP_QUEUE, 4, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_STACK, 0, 0, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_STACK, 0, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_STACK, 0, 4, 1, B2N_F_RDONLY_PROG, -1, NULL), 0);
	/* lpm */
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 8, 4, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 4, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 261, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 260, 4, 1, B2N_F_NO_PREALLOC, -1, NULL), 0);
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 8, 0, 1, B2N_F_NO_PREALLOC, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_LPM_TRIE, 8, 4, 1, B2N_F_NO_PREALLOC | B2N_F_ZERO_SEED, -1, NULL),
	         -EINVAL);
	/* prog_array */
	CHECK_EQ(mkerr(B2N_MAP_PROG_ARRAY, 4, 8, 1, 0, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_PROG_ARRAY, 4, 4, 1, B2N_F_RDONLY_PROG, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_PROG_ARRAY, 4, 4, 1, B2N_F_MMAPABLE, -1, NULL), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_PROG_ARRAY, 4, 4, 1, 0, -1, NULL), 0);
	/* map in map */
	inner = mk(B2N_MAP_ARRAY, 4, 8, 2, 0);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY_OF_MAPS, 4, 4, 1, 0, -1, NULL), -EBADF);
	CHECK_EQ(mkerr(B2N_MAP_HASH_OF_MAPS, 4, 4, 1, 0, -1, NULL), -EBADF);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY_OF_MAPS, 4, 8, 1, 0, -1, inner), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH_OF_MAPS, 4, 8, 1, 0, -1, inner), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY_OF_MAPS, 4, 4, 1, B2N_F_MMAPABLE, -1, inner), -EINVAL);
	CHECK_EQ(b2n_rt_map_create("mim", B2N_MAP_ARRAY_OF_MAPS, 4, 4, 1, 0, -1, inner, &mim), 0);
	CHECK_EQ(mkerr(B2N_MAP_ARRAY_OF_MAPS, 4, 4, 1, 0, -1, mim), -EINVAL);
	CHECK_EQ(mkerr(B2N_MAP_HASH_OF_MAPS, 4, 4, 1, 0, -1, mim), -EINVAL);
	b2n_rt_map_destroy(mim);
	b2n_rt_map_destroy(inner);

	/* registry */
	a = mk(B2N_MAP_ARRAY, 4, 4, 1, 0);
	b = mk(B2N_MAP_HASH, 4, 4, 1, 0);
	if (!a || !b)
		return;
	fa = b2n_map__fd(a);
	fb = b2n_map__fd(b);
	CHECK(fa > 0 && fb > 0 && fa != fb);
	CHECK(b2n_rt_map_by_fd(fa) == a);
	CHECK(b2n_rt_map_by_fd(fb) == b);
	CHECK(b2n_rt_prog_by_fd(fa) == NULL);
	CHECK(b2n_rt_map_by_fd(0) == NULL);
	CHECK(b2n_rt_map_by_fd(-1) == NULL);
	CHECK(b2n_rt_map_by_fd(100000) == NULL);
	CHECK(!strcmp(b2n_map__name(a), "t"));
	CHECK_EQ(b2n_map__type(b), B2N_MAP_HASH);
	CHECK_EQ(b2n_map__key_size(b), 4);
	CHECK_EQ(b2n_map__value_size(b), 4);
	CHECK_EQ(b2n_map__max_entries(b), 1);
	CHECK_EQ(b2n_map__map_flags(b), 0);
	b2n_rt_map_destroy(a);
	CHECK(b2n_rt_map_by_fd(fa) == NULL);
	a = mk(B2N_MAP_ARRAY, 4, 4, 1, 0);
	CHECK_EQ(b2n_map__fd(a), fa); /* lowest free id is reused */
	b2n_rt_map_destroy(a);
	b2n_rt_map_destroy(b);
	CHECK_EQ(b2n_num_possible_cpus(), 4);
	CHECK_EQ(b2n_rt_ncpus(), 4);
}

/* ---- array --------------------------------------------------------------- */

static void test_array(void)
{
	struct b2n_map *m = mk(B2N_MAP_ARRAY, 4, 12, 5, 0);
	uint32_t k, nk;
	uint8_t v[12], w[12], *p;
	size_t sz;
	if (!m)
		return;
	memset(v, 0xab, sizeof(v));
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 0), 0);
	CHECK(w[0] == 0 && w[11] == 0);
	k = 2;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, B2N_ANY), 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, B2N_EXIST), 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, B2N_NOEXIST), -EEXIST);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, 3), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, B2N_F_LOCK), -EINVAL); /* no spin lock */
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, B2N_F_LOCK), -EINVAL);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 1), -EINVAL);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 0), 0);
	CHECK(!memcmp(v, w, 12));
	k = 5;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 12, 0), -E2BIG);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 0), -ENOENT);
	k = 1;
	CHECK_EQ(b2n_map__delete_elem(m, &k, 4, 0), -EINVAL);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(m, &k, 4, w, 12, 0), -ENOTSUPP_K);
	/* sizes */
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 8, w, 12, 0), -EINVAL);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 16, 0), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, v, 11, 0), -EINVAL);
	CHECK_EQ(b2n_map__get_next_key(m, NULL, &nk, 8), -EINVAL);
	/* get_next_key */
	CHECK_EQ(b2n_map__get_next_key(m, NULL, &nk, 4), 0);
	CHECK_EQ(nk, 0);
	k = 3;
	CHECK_EQ(b2n_map__get_next_key(m, &k, &nk, 4), 0);
	CHECK_EQ(nk, 4);
	k = 4;
	CHECK_EQ(b2n_map__get_next_key(m, &k, &nk, 4), -ENOENT);
	k = 77;
	CHECK_EQ(b2n_map__get_next_key(m, &k, &nk, 4), 0);
	CHECK_EQ(nk, 0);
	/* program side */
	k = 2;
	p = (uint8_t *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
	CHECK(p != NULL && p[0] == 0xab);
	if (p)
		p[0] = 0x11;
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 0), 0);
	CHECK_EQ(w[0], 0x11);
	k = 5;
	CHECK(b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0) == 0);
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(v), 0, 0) == ERR(-E2BIG));
	k = 4;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(v), B2N_NOEXIST, 0) == ERR(-EEXIST));
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(v), B2N_ANY, 0) == 0);
	CHECK(b2n_h_map_delete_elem(M(m), P(&k), 0, 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_push_elem(M(m), P(v), 0, 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_pop_elem(M(m), P(v), 0, 0, 0) == ERR(-EINVAL));
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, w, 12, 0), 0);
	CHECK(!memcmp(v, w, 12));
	/* storage (global data view) */
	p = b2n_map__data(m, &sz);
	CHECK(p != NULL);
	CHECK_EQ(sz, 4 * 16 + 12);
	if (p)
		CHECK_EQ(p[2 * 16], 0x11);
	b2n_rt_map_destroy(m);
}

static void test_access_flags(void)
{
	struct b2n_map *ro = mk(B2N_MAP_ARRAY, 4, 4, 2, B2N_F_RDONLY);
	struct b2n_map *wo = mk(B2N_MAP_HASH, 4, 4, 2, B2N_F_WRONLY);
	struct b2n_map *rop = mk(B2N_MAP_HASH, 4, 4, 2, B2N_F_RDONLY_PROG);
	struct b2n_map *q = mk(B2N_MAP_QUEUE, 0, 4, 2, B2N_F_RDONLY_PROG);
	uint32_t k = 1, v = 7, w;
	if (!ro || !wo || !rop || !q)
		return;
	CHECK_EQ(b2n_map__update_elem(ro, &k, 4, &v, 4, 0), -EPERM);
	CHECK_EQ(b2n_map__lookup_elem(ro, &k, 4, &w, 4, 0), 0);
	CHECK_EQ(b2n_map__update_elem(wo, &k, 4, &v, 4, 0), 0);
	CHECK_EQ(b2n_map__lookup_elem(wo, &k, 4, &w, 4, 0), -EPERM);
	CHECK_EQ(b2n_map__get_next_key(wo, NULL, &w, 4), -EPERM);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(wo, &k, 4, &w, 4, 0), -EPERM);
	CHECK_EQ(b2n_map__delete_elem(wo, &k, 4, 0), 0);
	CHECK_EQ(b2n_map__update_elem(rop, &k, 4, &v, 4, 0), 0);
	CHECK(b2n_h_map_update_elem(M(rop), P(&k), P(&v), 0, 0) == ERR(-EPERM));
	CHECK(b2n_h_map_delete_elem(M(rop), P(&k), 0, 0, 0) == ERR(-EPERM));
	CHECK(b2n_h_map_lookup_elem(M(rop), P(&k), 0, 0, 0) != 0);
	CHECK(b2n_h_map_push_elem(M(q), P(&v), 0, 0, 0) == ERR(-EPERM));
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK(b2n_h_map_peek_elem(M(q), P(&w), 0, 0, 0) == 0);
	CHECK(b2n_h_map_pop_elem(M(q), P(&w), 0, 0, 0) == ERR(-EPERM));
	b2n_rt_map_destroy(ro);
	b2n_rt_map_destroy(wo);
	b2n_rt_map_destroy(rop);
	b2n_rt_map_destroy(q);
}

/* ---- spin locks ---------------------------------------------------------- */

struct locked_val {
	uint32_t lock;
	uint32_t a;
	uint64_t b;
};

#define LOCK_ITERS 20000
static void *lock_worker(void *arg)
{
	struct b2n_map *m = arg;
	uint32_t k = 0;
	int i;
	for (i = 0; i < LOCK_ITERS; i++) {
		struct locked_val *v =
		    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
		b2n_h_spin_lock(P(&v->lock), 0, 0, 0, 0);
		v->a++;
		v->b += 2;
		b2n_h_spin_unlock(P(&v->lock), 0, 0, 0, 0);
	}
	return NULL;
}

static void test_spin_lock(void)
{
	struct b2n_map *m = NULL, *h = NULL;
	struct locked_val v = {0xdead, 5, 6}, w;
	pthread_t t[4];
	uint32_t k = 0;
	int i;
	CHECK_EQ(b2n_rt_map_create("l", B2N_MAP_ARRAY, 4, 16, 1, 0, 0, NULL, &m), 0);
	CHECK_EQ(b2n_rt_map_create("lh", B2N_MAP_HASH, 4, 16, 4, 0, 0, NULL, &h), 0);
	if (!m || !h)
		return;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 16, B2N_F_LOCK), 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 16, B2N_F_LOCK | B2N_NOEXIST), -EEXIST);
	memset(&w, 0xff, sizeof(w));
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, &w, 16, B2N_F_LOCK), 0);
	CHECK(w.lock == 0 && w.a == 5 && w.b == 6); /* lock word neither copied nor returned */
	{
		struct locked_val *pv =
		    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
		CHECK(pv && pv->lock == 0);
	}
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, lock_worker, m);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, &w, 16, B2N_F_LOCK), 0);
	CHECK_EQ(w.a, 5 + 4 * LOCK_ITERS);
	CHECK_EQ(w.b, 6 + 8 * LOCK_ITERS);
	/* hash with a lock: F_LOCK updates an existing element in place */
	CHECK_EQ(b2n_map__update_elem(h, &k, 4, &v, 16, B2N_F_LOCK), 0);
	{
		struct locked_val *pv =
		    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(h), P(&k), 0, 0, 0);
		v.a = 99;
		CHECK_EQ(b2n_map__update_elem(h, &k, 4, &v, 16, B2N_F_LOCK | B2N_EXIST), 0);
		CHECK(pv && pv->a == 99);
		CHECK_EQ(b2n_map__lookup_and_delete_elem(h, &k, 4, &w, 16, B2N_F_LOCK), 0);
		CHECK(w.a == 99 && w.lock == 0);
		CHECK_EQ(b2n_map__lookup_and_delete_elem(h, &k, 4, &w, 16, 8), -EINVAL);
	}
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(h);
}

/* ---- per-CPU ------------------------------------------------------------- */

#define PCPU_ITERS 1000
struct pcpu_arg {
	struct b2n_map *m;
	int cpu;
};

static void *pcpu_worker(void *arg)
{
	struct pcpu_arg *a = arg;
	uint32_t k = 1;
	int i;
	a->cpu = b2n_rt_cpu();
	for (i = 0; i < PCPU_ITERS; i++) {
		uint32_t *v = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(a->m), P(&k), 0, 0, 0);
		if (v)
			(*v)++;
	}
	return NULL;
}

static void *pcpu_hash_worker(void *arg)
{
	struct pcpu_arg *a = arg;
	uint32_t k = 42, v;
	a->cpu = b2n_rt_cpu();
	v = 1000 + (uint32_t)a->cpu;
	b2n_h_map_update_elem(M(a->m), P(&k), P(&v), 0, 0);
	return NULL;
}

/* One CPU's value of a per-CPU map with value_size 4 on the user side. */
struct slot32 {
	uint32_t v, pad;
};

static void test_percpu(void)
{
	struct b2n_map *m = mk(B2N_MAP_PERCPU_ARRAY, 4, 4, 3, 0);
	struct b2n_map *h = mk(B2N_MAP_PERCPU_HASH, 4, 4, 8, 0);
	struct slot32 vals[4], out[4];
	struct pcpu_arg args[4];
	pthread_t t[4];
	uint32_t k = 1, small = 0;
	int i, seen[4] = {0, 0, 0, 0}, distinct = 1;
	if (!m || !h)
		return;
	memset(vals, 0, sizeof(vals));
	for (i = 0; i < 4; i++)
		vals[i].v = 100 + (uint32_t)i;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, vals, sizeof(vals), 0), 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &small, 4, 0), -EINVAL);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, &small, 4, 0), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, vals, sizeof(vals), B2N_F_LOCK), -EINVAL);
	memset(out, 0xff, sizeof(out));
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, out, sizeof(out), 0), 0);
	CHECK(out[0].v == 100 && out[1].v == 101 && out[2].v == 102 && out[3].v == 103);
	/* four new threads get four different slots */
	for (i = 0; i < 4; i++) {
		args[i].m = m;
		pthread_create(&t[i], NULL, pcpu_worker, &args[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++) {
		CHECK(args[i].cpu >= 0 && args[i].cpu < 4);
		if (args[i].cpu >= 0 && args[i].cpu < 4) {
			if (seen[args[i].cpu])
				distinct = 0;
			seen[args[i].cpu] = 1;
		}
	}
	CHECK(distinct);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, out, sizeof(out), 0), 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(out[i].v, 100 + i + PCPU_ITERS);
	/* this thread's slot, from the program side */
	{
		uint32_t *pv = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
		CHECK(pv && *pv == 100 + (uint32_t)b2n_rt_cpu() + PCPU_ITERS);
	}
	/* per-CPU hash: a program update creates the element with zeroes
	 * elsewhere, then each thread writes only its slot */
	{
		uint32_t key = 42, v = 7;
		int me = b2n_rt_cpu();
		CHECK(b2n_h_map_update_elem(M(h), P(&key), P(&v), 0, 0) == 0);
		CHECK_EQ(b2n_map__lookup_elem(h, &key, 4, out, sizeof(out), 0), 0);
		for (i = 0; i < 4; i++)
			CHECK_EQ(out[i].v, i == me ? 7 : 0);
		for (i = 0; i < 4; i++) {
			args[i].m = h;
			pthread_create(&t[i], NULL, pcpu_hash_worker, &args[i]);
		}
		for (i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		CHECK_EQ(b2n_map__lookup_elem(h, &key, 4, out, sizeof(out), 0), 0);
		for (i = 0; i < 4; i++)
			CHECK_EQ(out[i].v, 1000 + i);
		for (i = 0; i < 4; i++)
			vals[i].v = 5 * (uint32_t)i;
		CHECK_EQ(b2n_map__update_elem(h, &key, 4, vals, sizeof(vals), B2N_EXIST), 0);
		CHECK_EQ(b2n_map__update_elem(h, &key, 4, vals, sizeof(vals), B2N_F_LOCK), -EINVAL);
		{
			uint32_t *pv =
			    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(h), P(&key), 0, 0, 0);
			CHECK(pv && *pv == 5 * (uint32_t)me);
		}
		CHECK_EQ(b2n_map__lookup_and_delete_elem(h, &key, 4, out, sizeof(out), 0), 0);
		CHECK_EQ(out[3].v, 15);
		CHECK_EQ(b2n_map__lookup_elem(h, &key, 4, out, sizeof(out), 0), -ENOENT);
	}
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(h);
}

/* ---- hash ---------------------------------------------------------------- */

struct hkey {
	uint32_t a;
	uint16_t b;
	uint8_t c[6];
};

static struct hkey hk(uint32_t i)
{
	struct hkey k;
	memset(&k, 0, sizeof(k));
	k.a = i * 2654435761u;
	k.b = (uint16_t)i;
	k.c[5] = (uint8_t)(i >> 3);
	return k;
}

static void test_hash(uint32_t flags)
{
	struct b2n_map *m = mk(B2N_MAP_HASH, sizeof(struct hkey), 8, 16, flags);
	struct hkey k, nk;
	uint64_t v, w, *pv;
	int seen[16], i, n, ok;
	if (!m)
		return;
	for (i = 0; i < 16; i++) {
		k = hk((uint32_t)i);
		v = (uint64_t)i * 10;
		CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, B2N_NOEXIST), 0);
	}
	k = hk(16);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, B2N_ANY), -E2BIG);
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), 0, 0) == ERR(-E2BIG));
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, B2N_EXIST), -ENOENT);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, sizeof(k), &w, 8, 0), -ENOENT);
	CHECK_EQ(b2n_map__delete_elem(m, &k, sizeof(k), 0), -ENOENT);
	CHECK_EQ(b2n_map__delete_elem(m, &k, sizeof(k), 1), -EINVAL);
	k = hk(3);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, B2N_NOEXIST), -EEXIST);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, 3), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, 8), -EINVAL);
	/* an existing key can be replaced when the map is full */
	v = 333;
	pv = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
	CHECK(pv && *pv == 30);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, B2N_EXIST), 0);
	CHECK(pv && *pv == 30); /* the old element keeps the old value */
	pv = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
	CHECK(pv && *pv == 333);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, sizeof(k), &w, 8, 0), 0);
	CHECK_EQ(w, 333);
	/* get_next_key visits every key once */
	memset(seen, 0, sizeof(seen));
	n = 0;
	ok = 1;
	if (b2n_map__get_next_key(m, NULL, &nk, sizeof(nk)) == 0) {
		do {
			uint32_t idx = nk.b;
			k = hk(idx);
			if (idx >= 16 || memcmp(&k, &nk, sizeof(k)) || seen[idx]++)
				ok = 0;
			n++;
			k = nk;
		} while (n < 100 && b2n_map__get_next_key(m, &k, &nk, sizeof(nk)) == 0);
	}
	CHECK(ok);
	CHECK_EQ(n, 16);
	k = hk(16); /* missing key: restart at the first */
	CHECK_EQ(b2n_map__get_next_key(m, &k, &nk, sizeof(nk)), 0);
	CHECK_EQ(b2n_map__get_next_key(m, NULL, &k, sizeof(k)), 0);
	CHECK(!memcmp(&k, &nk, sizeof(k)));
	/* delete from the program side, lookup_and_delete from the user side */
	k = hk(5);
	CHECK(b2n_h_map_delete_elem(M(m), P(&k), 0, 0, 0) == 0);
	CHECK(b2n_h_map_delete_elem(M(m), P(&k), 0, 0, 0) == ERR(-ENOENT));
	CHECK(b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0) == 0);
	k = hk(6);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(m, &k, sizeof(k), &w, 8, 0), 0);
	CHECK_EQ(w, 60);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(m, &k, sizeof(k), &w, 8, 0), -ENOENT);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(m, &k, sizeof(k), &w, 8, B2N_F_LOCK), -EINVAL);
	/* room again for two new keys, not three */
	k = hk(20);
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), B2N_NOEXIST, 0) == 0);
	k = hk(21);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, 0), 0);
	k = hk(22);
	CHECK_EQ(b2n_map__update_elem(m, &k, sizeof(k), &v, 8, 0), -E2BIG);
	/* delete everything while walking */
	n = 0;
	while (b2n_map__get_next_key(m, NULL, &nk, sizeof(nk)) == 0 && n < 100) {
		CHECK_EQ(b2n_map__delete_elem(m, &nk, sizeof(nk), 0), 0);
		n++;
	}
	CHECK_EQ(n, 16);
	CHECK_EQ(b2n_map__get_next_key(m, NULL, &nk, sizeof(nk)), -ENOENT);
	b2n_rt_map_destroy(m);
}

/* ---- LRU ----------------------------------------------------------------- */

static int has(struct b2n_map *m, uint32_t k)
{
	uint64_t v[4];
	size_t vs = m->type == B2N_MAP_LRU_PERCPU_HASH ? sizeof(v) : 8;
	return b2n_map__lookup_elem(m, &k, 4, v, vs, 0) == 0;
}

static void test_lru(uint32_t type)
{
	struct b2n_map *m = mk(type, 4, 8, 4, 0);
	uint64_t v = 1;
	uint32_t k;
	if (!m)
		return;
	for (k = 1; k <= 4; k++)
		CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), 0, 0) == 0);
	k = 1;
	CHECK(b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0) != 0); /* 1 is now the most recent */
	k = 5;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), 0, 0) == 0); /* evicts 2 */
	CHECK(has(m, 1) && !has(m, 2) && has(m, 3) && has(m, 4) && has(m, 5));
	/* user lookups do not refresh: 3 is still the oldest */
	k = 6;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), B2N_NOEXIST, 0) == 0);
	CHECK(!has(m, 3) && has(m, 1) && has(m, 4) && has(m, 5) && has(m, 6));
	/* a program update refreshes: 4 survives the next insertion, 1 goes */
	k = 4;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), B2N_EXIST, 0) == 0);
	k = 7;
	if (type == B2N_MAP_LRU_PERCPU_HASH) {
		uint64_t all[4] = {1, 2, 3, 4};
		CHECK_EQ(b2n_map__update_elem(m, &k, 4, all, sizeof(all), 0), 0);
	} else {
		CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 8, 0), 0);
	}
	CHECK(!has(m, 1) && has(m, 4) && has(m, 5) && has(m, 6) && has(m, 7));
	/* flags still apply */
	k = 7;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), B2N_NOEXIST, 0) == ERR(-EEXIST));
	k = 8;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), B2N_EXIST, 0) == ERR(-ENOENT));
	b2n_rt_map_destroy(m);
	/* BPF_F_NO_COMMON_LRU rounds max_entries up to a multiple of the CPUs */
	m = mk(type, 4, 8, 5, B2N_F_NO_COMMON_LRU);
	if (m)
		CHECK_EQ(b2n_map__max_entries(m), 8);
	b2n_rt_map_destroy(m);
}

/* ---- concurrency ---------------------------------------------------------- */

#define CONC_KEYS 2000
struct conc_arg {
	struct b2n_map *m;
	uint32_t base;
	int errors;
};

static void *hash_insert_worker(void *arg)
{
	struct conc_arg *a = arg;
	uint32_t i;
	for (i = 0; i < CONC_KEYS; i++) {
		uint32_t k = a->base + i;
		uint64_t v = (uint64_t)k * 3;
		if (b2n_h_map_update_elem(M(a->m), P(&k), P(&v), B2N_NOEXIST, 0) != 0)
			a->errors++;
		if (i % 3 == 0) {
			uint64_t *p =
			    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(a->m), P(&k), 0, 0, 0);
			if (!p || *p != (uint64_t)k * 3)
				a->errors++;
		}
	}
	/* delete the odd keys again */
	for (i = 1; i < CONC_KEYS; i += 2) {
		uint32_t k = a->base + i;
		if (b2n_map__delete_elem(a->m, &k, 4, 0) != 0)
			a->errors++;
	}
	return NULL;
}

static void *hash_churn_worker(void *arg)
{
	struct conc_arg *a = arg;
	uint32_t i;
	for (i = 0; i < 20000; i++) {
		uint32_t k = (i * 7 + a->base) % 64;
		uint64_t v = k;
		switch (i % 4) {
		case 0:
			b2n_h_map_update_elem(M(a->m), P(&k), P(&v), 0, 0);
			break;
		case 1: {
			/* the element may be deleted and reused for another key
			 * meanwhile (as with the kernel's preallocated maps),
			 * but it always holds some key's value */
			uint64_t *p =
			    (void *)(uintptr_t)b2n_h_map_lookup_elem(M(a->m), P(&k), 0, 0, 0);
			if (p && *p >= 64)
				a->errors++;
			break;
		}
		case 2:
			b2n_h_map_delete_elem(M(a->m), P(&k), 0, 0, 0);
			break;
		default: {
			uint32_t nk;
			b2n_map__get_next_key(a->m, &k, &nk, 4);
			break;
		}
		}
	}
	return NULL;
}

static void *array_add_worker(void *arg)
{
	struct conc_arg *a = arg;
	uint32_t i;
	for (i = 0; i < 50000; i++) {
		uint32_t k = i % 8;
		uint64_t *p = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(a->m), P(&k), 0, 0, 0);
		if (!p)
			a->errors++;
		else
			__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_concurrency(void)
{
	struct b2n_map *m = mk(B2N_MAP_HASH, 4, 8, 4 * CONC_KEYS, 0);
	struct b2n_map *c = mk(B2N_MAP_HASH, 4, 8, 32, B2N_F_NO_PREALLOC);
	struct b2n_map *arr = mk(B2N_MAP_ARRAY, 4, 8, 8, 0);
	struct conc_arg args[4];
	pthread_t t[4];
	uint32_t i, k, nk;
	uint64_t v, total;
	int errors = 0, n;
	if (!m || !c || !arr)
		return;
	for (i = 0; i < 4; i++) {
		args[i] = (struct conc_arg){m, i * CONC_KEYS, 0};
		pthread_create(&t[i], NULL, hash_insert_worker, &args[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += args[i].errors;
	}
	CHECK_EQ(errors, 0);
	for (k = 0, n = 0; k < 4 * CONC_KEYS; k++) {
		int r = b2n_map__lookup_elem(m, &k, 4, &v, 8, 0);
		if ((k % CONC_KEYS) % 2 == 0 ? (r != 0 || v != (uint64_t)k * 3) : r != -ENOENT)
			errors++;
	}
	CHECK_EQ(errors, 0);
	n = 0;
	if (b2n_map__get_next_key(m, NULL, &nk, 4) == 0)
		do {
			n++;
			k = nk;
		} while (b2n_map__get_next_key(m, &k, &nk, 4) == 0);
	CHECK_EQ(n, 2 * CONC_KEYS);
	/* churn on a small map: updates, lookups, deletes and walks race;
	 * the map must stay consistent and never exceed max_entries */
	for (i = 0; i < 4; i++) {
		args[i] = (struct conc_arg){c, i * 13, 0};
		pthread_create(&t[i], NULL, hash_churn_worker, &args[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += args[i].errors;
	}
	CHECK_EQ(errors, 0);
	n = 0;
	if (b2n_map__get_next_key(c, NULL, &nk, 4) == 0)
		do {
			n++;
			k = nk;
			CHECK_EQ(b2n_map__lookup_elem(c, &k, 4, &v, 8, 0), 0);
			CHECK_EQ(v, k);
		} while (b2n_map__get_next_key(c, &k, &nk, 4) == 0 && n < 1000);
	CHECK(n <= 32);
	/* array values updated atomically by four threads */
	for (i = 0; i < 4; i++) {
		args[i] = (struct conc_arg){arr, 0, 0};
		pthread_create(&t[i], NULL, array_add_worker, &args[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += args[i].errors;
	}
	CHECK_EQ(errors, 0);
	for (k = 0, total = 0; k < 8; k++) {
		CHECK_EQ(b2n_map__lookup_elem(arr, &k, 4, &v, 8, 0), 0);
		CHECK_EQ(v, 4 * 50000 / 8);
		total += v;
	}
	CHECK_EQ(total, 4 * 50000);
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(c);
	b2n_rt_map_destroy(arr);
}

/* ---- queue / stack --------------------------------------------------------- */

static void test_queue_stack(void)
{
	struct b2n_map *q = mk(B2N_MAP_QUEUE, 0, 4, 3, 0);
	struct b2n_map *s = mk(B2N_MAP_STACK, 0, 4, 3, 0);
	uint32_t v, i, k = 0;
	if (!q || !s)
		return;
	CHECK(b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) == ERR(-ENOENT));
	CHECK(b2n_h_map_peek_elem(M(s), P(&v), 0, 0, 0) == ERR(-ENOENT));
	CHECK_EQ(b2n_map__lookup_elem(q, NULL, 0, &v, 4, 0), -ENOENT);
	for (i = 1; i <= 3; i++) {
		CHECK(b2n_h_map_push_elem(M(q), P(&i), 0, 0, 0) == 0);
		CHECK(b2n_h_map_push_elem(M(s), P(&i), 0, 0, 0) == 0);
	}
	v = 4;
	CHECK(b2n_h_map_push_elem(M(q), P(&v), 0, 0, 0) == ERR(-E2BIG));
	CHECK(b2n_h_map_push_elem(M(q), P(&v), B2N_NOEXIST, 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_push_elem(M(q), P(&v), 4, 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_push_elem(M(q), P(&v), B2N_EXIST, 0, 0) == 0); /* drops 1 */
	CHECK(b2n_h_map_push_elem(M(s), P(&v), B2N_EXIST, 0, 0) == 0); /* drops 1 */
	CHECK(b2n_h_map_peek_elem(M(q), P(&v), 0, 0, 0) == 0 && v == 2);
	CHECK(b2n_h_map_peek_elem(M(s), P(&v), 0, 0, 0) == 0 && v == 4);
	CHECK(b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) == 0 && v == 2);
	CHECK(b2n_h_map_pop_elem(M(s), P(&v), 0, 0, 0) == 0 && v == 4);
	CHECK(b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) == 0 && v == 3);
	CHECK(b2n_h_map_pop_elem(M(s), P(&v), 0, 0, 0) == 0 && v == 3);
	CHECK(b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) == 0 && v == 4);
	CHECK(b2n_h_map_pop_elem(M(s), P(&v), 0, 0, 0) == 0 && v == 2);
	CHECK(b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) == ERR(-ENOENT));
	CHECK(b2n_h_map_pop_elem(M(s), P(&v), 0, 0, 0) == ERR(-ENOENT));
	/* the program side has no element access */
	CHECK(b2n_h_map_lookup_elem(M(q), P(&k), 0, 0, 0) == 0);
	CHECK(b2n_h_map_update_elem(M(q), P(&k), P(&v), 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_delete_elem(M(s), P(&k), 0, 0, 0) == ERR(-EINVAL));
	/* user side: update = push, lookup = peek, lookup_and_delete = pop */
	for (i = 10; i < 13; i++) {
		CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &i, 4, 0), 0);
		CHECK_EQ(b2n_map__update_elem(s, NULL, 0, &i, 4, 0), 0);
	}
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &i, 4, 0), -E2BIG);
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &i, 4, B2N_NOEXIST), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(q, &k, 4, &i, 4, 0), -EINVAL); /* key size is 0 */
	CHECK_EQ(b2n_map__lookup_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 10);
	CHECK_EQ(b2n_map__lookup_elem(q, NULL, 0, &v, 4, B2N_F_LOCK), -EINVAL);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 10);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(s, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 12);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(s, NULL, 0, &v, 4, B2N_F_LOCK), -EINVAL);
	CHECK_EQ(b2n_map__delete_elem(q, NULL, 0, 0), -EINVAL);
	CHECK_EQ(b2n_map__get_next_key(q, NULL, &v, 0), -EINVAL);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 11);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 12);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), -ENOENT);
	/* wrap around many times */
	{
		int ok = 1;
		for (i = 0; i < 100; i++) {
			uint32_t a = i, b = i + 1000;
			if (b2n_h_map_push_elem(M(q), P(&a), 0, 0, 0) ||
			    b2n_h_map_push_elem(M(q), P(&b), 0, 0, 0))
				ok = 0;
			if (b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) || v != i)
				ok = 0;
			if (b2n_h_map_pop_elem(M(q), P(&v), 0, 0, 0) || v != i + 1000)
				ok = 0;
		}
		CHECK(ok);
	}
	b2n_rt_map_destroy(q);
	b2n_rt_map_destroy(s);
}

/* ---- LPM trie ------------------------------------------------------------- */

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t d[4];
};

static struct lpm_key4 lk(uint32_t plen, int a, int b, int c, int d)
{
	struct lpm_key4 k;
	k.prefixlen = plen;
	k.d[0] = (uint8_t)a;
	k.d[1] = (uint8_t)b;
	k.d[2] = (uint8_t)c;
	k.d[3] = (uint8_t)d;
	return k;
}

static void test_lpm(void)
{
	struct b2n_map *m = mk(B2N_MAP_LPM_TRIE, 8, 4, 8, B2N_F_NO_PREALLOC);
	struct b2n_map *t = mk(B2N_MAP_LPM_TRIE, 8, 4, 8, B2N_F_NO_PREALLOC);
	struct lpm_key4 k, nk;
	uint32_t v, *pv;
	if (!m || !t)
		return;
	k = lk(8, 10, 0, 0, 0), v = 1;
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), 0);
	k = lk(16, 10, 1, 0, 0), v = 2;
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), 0);
	k = lk(24, 10, 1, 1, 99), v = 3; /* bits past the prefix are ignored */
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, B2N_NOEXIST), 0);
	k = lk(16, 192, 168, 0, 0), v = 4;
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), 0, 0) == 0);
	k = lk(0, 0, 0, 0, 0), v = 5;
	k = lk(24, 10, 1, 1, 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, B2N_NOEXIST), -EEXIST);
	k = lk(33, 10, 1, 1, 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), -EINVAL);
	CHECK_EQ(b2n_map__delete_elem(m, &k, 8, 0), -EINVAL);
	k = lk(24, 10, 1, 1, 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 3), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, B2N_F_LOCK), -EINVAL);
	k = lk(24, 10, 9, 9, 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, B2N_EXIST), -ENOENT);
	/* longest-prefix lookups */
	k = lk(32, 10, 1, 1, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 3);
	k = lk(32, 10, 1, 2, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 2);
	k = lk(32, 10, 200, 2, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 1);
	k = lk(20, 10, 1, 1, 5); /* the key's own prefixlen limits the match */
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 2);
	k = lk(32, 11, 1, 1, 5);
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0), -ENOENT);
	k = lk(32, 192, 168, 7, 7);
	pv = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0);
	CHECK(pv && *pv == 4);
	k = lk(32, 192, 169, 7, 7);
	CHECK(b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0) == 0);
	/* delete the /16: 10.1.2.5 now matches the /8 */
	k = lk(16, 10, 1, 0, 0);
	CHECK(b2n_h_map_delete_elem(M(m), P(&k), 0, 0, 0) == 0);
	CHECK_EQ(b2n_map__delete_elem(m, &k, 8, 0), -ENOENT);
	k = lk(32, 10, 1, 2, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 1);
	k = lk(32, 10, 1, 1, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 3);
	/* a default route */
	k = lk(0, 0, 0, 0, 0), v = 9;
	CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), 0);
	k = lk(32, 11, 1, 1, 5);
	CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 9);
	/* full: -ENOSPC for a new prefix, replacing still works */
	{
		int i;
		for (i = 0; i < 4; i++) {
			k = lk(32, 1, 2, 3, i), v = 100 + (uint32_t)i;
			CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), 0);
		}
		k = lk(32, 1, 2, 3, 9);
		CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, 0), -ENOSPC);
		k = lk(32, 1, 2, 3, 0), v = 7;
		CHECK_EQ(b2n_map__update_elem(m, &k, 8, &v, 4, B2N_EXIST), 0);
		CHECK(b2n_map__lookup_elem(m, &k, 8, &v, 4, 0) == 0 && v == 7);
	}
	/* get_next_key order: the kernel's post-order example */
	{
		static const int order[][4] = {
		    {192, 168, 0, 24}, {192, 168, 1, 24}, {192, 168, 128, 24}, {192, 168, 0, 16}};
		static const int ins[] = {3, 1, 0, 2};
		int i, n = 0, ok = 1;
		for (i = 0; i < 4; i++) {
			const int *o = order[ins[i]];
			k = lk((uint32_t)o[3], o[0], o[1], o[2], 0), v = (uint32_t)ins[i];
			CHECK_EQ(b2n_map__update_elem(t, &k, 8, &v, 4, 0), 0);
		}
		k = lk(8, 9, 9, 9, 9); /* not in the map: first */
		if (b2n_map__get_next_key(t, &k, &nk, 8) == 0) {
			do {
				const int *o = order[n];
				if (n >= 4 || nk.prefixlen != (uint32_t)o[3] || nk.d[0] != o[0] ||
				    nk.d[1] != o[1] || nk.d[2] != o[2])
					ok = 0;
				n++;
				k = nk;
			} while (n < 10 && b2n_map__get_next_key(t, &k, &nk, 8) == 0);
		}
		CHECK(ok);
		CHECK_EQ(n, 4);
		CHECK_EQ(b2n_map__get_next_key(t, NULL, &nk, 8), 0);
		CHECK(nk.prefixlen == 24 && nk.d[2] == 0);
	}
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(t);
}

/* ---- prog_array ----------------------------------------------------------- */

static void test_prog_array(void)
{
	struct b2n_map *m = mk(B2N_MAP_PROG_ARRAY, 4, 4, 4, 0);
	struct b2n_map *other = mk(B2N_MAP_ARRAY, 4, 4, 1, 0);
	struct b2n_program p1, p2;
	uint32_t k, v;
	if (!m || !other)
		return;
	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	CHECK_EQ(b2n_rt_prog_register(&p1), 0);
	CHECK_EQ(b2n_rt_prog_register(&p2), 0);
	CHECK(p1.fd > 0 && p2.fd > 0 && p1.fd != p2.fd && p1.fd != b2n_map__fd(m));
	CHECK(b2n_rt_prog_by_fd(p1.fd) == &p1);
	CHECK(b2n_rt_map_by_fd(p1.fd) == NULL);
	k = 1, v = (uint32_t)p1.fd;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, 0), 0);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, B2N_NOEXIST), -EINVAL);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, B2N_EXIST), -EINVAL);
	k = 3, v = (uint32_t)p2.fd;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, 0), 0);
	k = 4;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, 0), -E2BIG);
	k = 0, v = 99999;
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, 0), -EBADF);
	v = (uint32_t)b2n_map__fd(other);
	CHECK_EQ(b2n_map__update_elem(m, &k, 4, &v, 4, 0), -EINVAL);
	k = 1;
	CHECK(b2n_map__lookup_elem(m, &k, 4, &v, 4, 0) == 0 && v == (uint32_t)p1.fd);
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(m, &k, 4, &v, 4, 0), -ENOENT);
	CHECK(b2n_rt_prog_array_get(m, 1) == &p1);
	CHECK(b2n_rt_prog_array_get(m, 3) == &p2);
	CHECK(b2n_rt_prog_array_get(m, 0) == NULL);
	CHECK(b2n_rt_prog_array_get(m, 4) == NULL);
	CHECK(b2n_rt_prog_array_get(other, 0) == NULL);
	k = 1;
	CHECK(b2n_h_map_lookup_elem(M(m), P(&k), 0, 0, 0) == 0);
	CHECK(b2n_h_map_update_elem(M(m), P(&k), P(&v), 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_delete_elem(M(m), P(&k), 0, 0, 0) == ERR(-EINVAL));
	CHECK_EQ(b2n_map__get_next_key(m, &k, &v, 4), 0);
	CHECK_EQ(v, 2);
	/* unregistering a program empties its slots */
	b2n_rt_prog_unregister(&p2);
	CHECK(b2n_rt_prog_array_get(m, 3) == NULL);
	CHECK(b2n_rt_prog_by_fd(p2.fd) == NULL);
	k = 1;
	CHECK_EQ(b2n_map__delete_elem(m, &k, 4, 0), 0);
	CHECK_EQ(b2n_map__delete_elem(m, &k, 4, 0), -ENOENT);
	k = 9;
	CHECK_EQ(b2n_map__delete_elem(m, &k, 4, 0), -E2BIG);
	b2n_rt_prog_unregister(&p1);
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(other);
}

/* ---- map in map ----------------------------------------------------------- */

static void test_map_in_map(void)
{
	struct b2n_map *tmpl = mk(B2N_MAP_ARRAY, 4, 8, 2, 0);
	struct b2n_map *in1 = mk(B2N_MAP_ARRAY, 4, 8, 2, 0);
	struct b2n_map *in2 = mk(B2N_MAP_ARRAY, 4, 8, 2, 0);
	struct b2n_map *bad_vs = mk(B2N_MAP_ARRAY, 4, 4, 2, 0);
	struct b2n_map *bad_max = mk(B2N_MAP_ARRAY, 4, 8, 3, 0);
	struct b2n_map *bad_type = mk(B2N_MAP_HASH, 4, 8, 2, 0);
	struct b2n_map *ftmpl = mk(B2N_MAP_ARRAY, 4, 8, 2, B2N_F_INNER_MAP);
	struct b2n_map *fin = mk(B2N_MAP_ARRAY, 4, 8, 7, B2N_F_INNER_MAP);
	struct b2n_map *htmpl = mk(B2N_MAP_HASH, 4, 8, 2, 0);
	struct b2n_map *hin = mk(B2N_MAP_HASH, 4, 8, 16, 0);
	struct b2n_map *aom = NULL, *hom = NULL, *aom2 = NULL, *homh = NULL, *inner;
	struct b2n_program prog;
	uint32_t k, v;
	uint64_t x = 77;
	if (!tmpl || !in1 || !in2 || !bad_vs || !bad_max || !bad_type || !ftmpl || !fin || !htmpl ||
	    !hin)
		return;
	CHECK_EQ(b2n_rt_map_create("aom", B2N_MAP_ARRAY_OF_MAPS, 4, 4, 3, 0, -1, tmpl, &aom), 0);
	CHECK_EQ(b2n_rt_map_create("hom", B2N_MAP_HASH_OF_MAPS, 4, 4, 3, 0, -1, tmpl, &hom), 0);
	CHECK_EQ(b2n_rt_map_create("aom2", B2N_MAP_ARRAY_OF_MAPS, 4, 4, 3, 0, -1, ftmpl, &aom2), 0);
	CHECK_EQ(b2n_rt_map_create("homh", B2N_MAP_HASH_OF_MAPS, 4, 4, 3, 0, -1, htmpl, &homh), 0);
	if (!aom || !hom || !aom2 || !homh)
		return;
	b2n_rt_map_destroy(tmpl); /* the outer maps keep their own copy */
	memset(&prog, 0, sizeof(prog));
	b2n_rt_prog_register(&prog);

	k = 0, v = (uint32_t)b2n_map__fd(in1);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), 0);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, B2N_NOEXIST), -EINVAL);
	k = 3;
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -E2BIG);
	k = 1, v = (uint32_t)b2n_map__fd(bad_vs);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL);
	v = (uint32_t)b2n_map__fd(bad_max);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL);
	v = (uint32_t)b2n_map__fd(bad_type);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL);
	v = (uint32_t)b2n_map__fd(fin);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL); /* flags differ */
	CHECK_EQ(b2n_map__update_elem(aom2, &k, 4, &v, 4, 0), 0);      /* INNER_MAP: any size */
	v = (uint32_t)prog.fd;
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL);
	v = 123456;
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EBADF);
	v = (uint32_t)b2n_map__fd(aom);
	CHECK_EQ(b2n_map__update_elem(aom, &k, 4, &v, 4, 0), -EINVAL);
	k = 0;
	CHECK(b2n_map__lookup_elem(aom, &k, 4, &v, 4, 0) == 0 && v == (uint32_t)b2n_map__fd(in1));
	k = 1;
	CHECK_EQ(b2n_map__lookup_elem(aom, &k, 4, &v, 4, 0), -ENOENT);
	/* program side: the lookup gives the inner map, used with helpers */
	k = 0;
	inner = (void *)(uintptr_t)b2n_h_map_lookup_elem(M(aom), P(&k), 0, 0, 0);
	CHECK(inner == in1);
	k = 1;
	CHECK(inner && b2n_h_map_update_elem(M(inner), P(&k), P(&x), 0, 0) == 0);
	CHECK(b2n_map__lookup_elem(in1, &k, 4, &x, 8, 0) == 0 && x == 77);
	CHECK(b2n_h_map_lookup_elem(M(aom), P(&k), 0, 0, 0) == 0);
	CHECK(b2n_h_map_update_elem(M(aom), P(&k), P(&v), 0, 0) == ERR(-EINVAL));
	CHECK(b2n_h_map_delete_elem(M(aom), P(&k), 0, 0, 0) == ERR(-EINVAL));
	CHECK_EQ(b2n_map__get_next_key(aom, NULL, &v, 4), 0);
	CHECK_EQ(v, 0);

	/* hash of maps */
	k = 1000, v = (uint32_t)b2n_map__fd(in2);
	CHECK_EQ(b2n_map__update_elem(hom, &k, 4, &v, 4, B2N_NOEXIST), 0);
	CHECK_EQ(b2n_map__update_elem(hom, &k, 4, &v, 4, B2N_NOEXIST), -EEXIST);
	k = 1001, v = (uint32_t)b2n_map__fd(in1);
	CHECK_EQ(b2n_map__update_elem(hom, &k, 4, &v, 4, B2N_EXIST), -ENOENT);
	CHECK_EQ(b2n_map__update_elem(hom, &k, 4, &v, 4, 0), 0);
	k = 1002, v = (uint32_t)b2n_map__fd(bad_max);
	CHECK_EQ(b2n_map__update_elem(hom, &k, 4, &v, 4, 0), -EINVAL);
	k = 1000;
	CHECK(b2n_map__lookup_elem(hom, &k, 4, &v, 4, 0) == 0 && v == (uint32_t)b2n_map__fd(in2));
	CHECK((void *)(uintptr_t)b2n_h_map_lookup_elem(M(hom), P(&k), 0, 0, 0) == in2);
	k = 5;
	CHECK(b2n_h_map_lookup_elem(M(hom), P(&k), 0, 0, 0) == 0);
	CHECK_EQ(b2n_map__lookup_and_delete_elem(hom, &k, 4, &v, 4, 0), -ENOTSUPP_K);
	/* hash inner maps may differ in max_entries */
	k = 1, v = (uint32_t)b2n_map__fd(hin);
	CHECK_EQ(b2n_map__update_elem(homh, &k, 4, &v, 4, 0), 0);
	/* destroying an inner map removes it from every outer map */
	b2n_rt_map_destroy(in1);
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(aom, &k, 4, &v, 4, 0), -ENOENT);
	k = 1001;
	CHECK_EQ(b2n_map__lookup_elem(hom, &k, 4, &v, 4, 0), -ENOENT);
	k = 1000;
	CHECK_EQ(b2n_map__lookup_elem(hom, &k, 4, &v, 4, 0), 0);
	CHECK_EQ(b2n_map__delete_elem(hom, &k, 4, 0), 0);
	CHECK_EQ(b2n_map__delete_elem(hom, &k, 4, 0), -ENOENT);
	k = 9;
	CHECK_EQ(b2n_map__delete_elem(aom, &k, 4, 0), -E2BIG);
	k = 2;
	CHECK_EQ(b2n_map__delete_elem(aom, &k, 4, 0), -ENOENT);
	b2n_rt_prog_unregister(&prog);
	b2n_rt_map_destroy(aom);
	b2n_rt_map_destroy(hom);
	b2n_rt_map_destroy(aom2);
	b2n_rt_map_destroy(homh);
	b2n_rt_map_destroy(in2);
	b2n_rt_map_destroy(bad_vs);
	b2n_rt_map_destroy(bad_max);
	b2n_rt_map_destroy(bad_type);
	b2n_rt_map_destroy(ftmpl);
	b2n_rt_map_destroy(fin);
	b2n_rt_map_destroy(htmpl);
	b2n_rt_map_destroy(hin);
}

/* ---- for_each_map_elem ---------------------------------------------------- */

struct fe_ctx {
	uint64_t sum;
	uint32_t stop_at;
	int calls;
	struct b2n_map *del;
};

static uint64_t fe_cb(uint64_t map, uint64_t key, uint64_t value, uint64_t ctx, uint64_t r5)
{
	struct fe_ctx *c = (void *)(uintptr_t)ctx;
	uint32_t k;
	uint64_t v;
	(void)map;
	(void)r5;
	memcpy(&k, (void *)(uintptr_t)key, 4);
	memcpy(&v, (void *)(uintptr_t)value, 8);
	c->sum += v;
	c->calls++;
	if (c->del)
		b2n_h_map_delete_elem(map, key, 0, 0, 0);
	return c->stop_at && k == c->stop_at;
}

static void test_for_each(void)
{
	struct b2n_map *a = mk(B2N_MAP_ARRAY, 4, 8, 6, 0);
	struct b2n_map *h = mk(B2N_MAP_HASH, 4, 8, 10, 0);
	struct b2n_map *pa = mk(B2N_MAP_PERCPU_ARRAY, 4, 8, 2, 0);
	struct b2n_map *q = mk(B2N_MAP_QUEUE, 0, 8, 2, 0);
	struct fe_ctx c;
	uint32_t k;
	uint64_t v, all[4] = {1, 2, 3, 4};
	if (!a || !h || !pa || !q)
		return;
	for (k = 0; k < 6; k++) {
		v = k + 1;
		b2n_map__update_elem(a, &k, 4, &v, 8, 0);
		b2n_map__update_elem(h, &k, 4, &v, 8, 0);
	}
	memset(&c, 0, sizeof(c));
	CHECK(b2n_h_for_each_map_elem(M(a), P(fe_cb), P(&c), 0, 0) == 6);
	CHECK(c.sum == 21 && c.calls == 6);
	memset(&c, 0, sizeof(c));
	c.stop_at = 2;
	CHECK(b2n_h_for_each_map_elem(M(a), P(fe_cb), P(&c), 0, 0) == 3);
	CHECK(c.sum == 6);
	CHECK(b2n_h_for_each_map_elem(M(a), P(fe_cb), P(&c), 1, 0) == ERR(-EINVAL));
	CHECK(b2n_h_for_each_map_elem(M(q), P(fe_cb), P(&c), 0, 0) == ERR(-EINVAL));
	memset(&c, 0, sizeof(c));
	CHECK(b2n_h_for_each_map_elem(M(h), P(fe_cb), P(&c), 0, 0) == 6);
	CHECK(c.sum == 21);
	memset(&c, 0, sizeof(c));
	c.stop_at = 4;
	{
		uint64_t n = b2n_h_for_each_map_elem(M(h), P(fe_cb), P(&c), 0, 0);
		CHECK(n >= 1 && n <= 6 && (int)n == c.calls);
	}
	/* the callback deletes every element it visits */
	memset(&c, 0, sizeof(c));
	c.del = h;
	CHECK(b2n_h_for_each_map_elem(M(h), P(fe_cb), P(&c), 0, 0) == 6);
	CHECK_EQ(b2n_map__get_next_key(h, NULL, &k, 4), -ENOENT);
	/* per-CPU: this thread's slot */
	k = 1;
	CHECK_EQ(b2n_map__update_elem(pa, &k, 4, all, sizeof(all), 0), 0);
	memset(&c, 0, sizeof(c));
	CHECK(b2n_h_for_each_map_elem(M(pa), P(fe_cb), P(&c), 0, 0) == 2);
	CHECK_EQ(c.sum, all[b2n_rt_cpu()]);
	b2n_rt_map_destroy(a);
	b2n_rt_map_destroy(h);
	b2n_rt_map_destroy(pa);
	b2n_rt_map_destroy(q);
}

/* ---- batch ----------------------------------------------------------------- */

static void test_batch_array(void)
{
	struct b2n_map *a = mk(B2N_MAP_ARRAY, 4, 8, 10, 0);
	struct b2n_map *pa = mk(B2N_MAP_PERCPU_ARRAY, 4, 4, 3, 0);
	struct b2n_map_batch_opts o = {sizeof(o), 0, 0};
	uint32_t keys[10], count, cursor, k, total = 0;
	uint64_t vals[10], v;
	int ret, rounds = 0, ok = 1;
	if (!a || !pa)
		return;
	for (k = 0; k < 10; k++) {
		v = 100 + k;
		b2n_map__update_elem(a, &k, 4, &v, 8, 0);
	}
	/* batches of 3 with the last-key cursor */
	do {
		count = 3;
		ret = b2n_map__lookup_batch(a, total ? &cursor : NULL, &cursor, keys + total,
		                            vals + total, &count, &o);
		total += count;
		rounds++;
	} while (ret == 0 && rounds < 10);
	CHECK_EQ(ret, -ENOENT);
	CHECK_EQ(total, 10);
	CHECK_EQ(rounds, 4);
	for (k = 0; k < 10 && k < total; k++)
		if (keys[k] != k || vals[k] != 100 + k)
			ok = 0;
	CHECK(ok);
	count = 0;
	CHECK_EQ(b2n_map__lookup_batch(a, NULL, &cursor, keys, vals, &count, &o), 0);
	CHECK_EQ(count, 0);
	count = 3;
	o.flags = 1; /* ignored by the generic (array) batch, as in the kernel */
	CHECK_EQ(b2n_map__lookup_batch(a, NULL, &cursor, keys, vals, &count, &o), 0);
	CHECK_EQ(count, 3);
	o.flags = 0;
	o.elem_flags = 2;
	CHECK_EQ(b2n_map__lookup_batch(a, NULL, &cursor, keys, vals, &count, &o), -EINVAL);
	o.elem_flags = B2N_F_LOCK; /* no spin lock in the value */
	CHECK_EQ(b2n_map__lookup_batch(a, NULL, &cursor, keys, vals, &count, &o), -EINVAL);
	o.elem_flags = 0;
	CHECK_EQ(b2n_map__lookup_and_delete_batch(a, NULL, &cursor, keys, vals, &count, &o),
	         -ENOTSUPP_K);
	CHECK_EQ(b2n_map__delete_batch(a, keys, &count, &o), -ENOTSUPP_K);
	/* update batch; the failing element stops it */
	for (k = 0; k < 4; k++) {
		keys[k] = k;
		vals[k] = 7 * k;
	}
	keys[2] = 50;
	count = 4;
	CHECK_EQ(b2n_map__update_batch(a, keys, vals, &count, &o), -E2BIG);
	CHECK_EQ(count, 2);
	CHECK(b2n_map__lookup_elem(a, &keys[1], 4, &v, 8, 0) == 0 && v == 7);
	o.elem_flags = B2N_NOEXIST; /* only BPF_F_LOCK is allowed in a batch */
	count = 4;
	CHECK_EQ(b2n_map__update_batch(a, keys, vals, &count, &o), -EINVAL);
	CHECK_EQ(count, 4);
	o.elem_flags = 0;
	/* per-CPU array: values are ncpus * round_up(4, 8) bytes */
	{
		struct slot32 pv[3][4];
		uint32_t pk[3];
		int i, j;
		for (k = 0; k < 3; k++) {
			struct slot32 all[4];
			memset(all, 0, sizeof(all));
			for (j = 0; j < 4; j++)
				all[j].v = k * 10 + (uint32_t)j;
			b2n_map__update_elem(pa, &k, 4, all, sizeof(all), 0);
		}
		count = 3;
		ret = b2n_map__lookup_batch(pa, NULL, &cursor, pk, pv, &count, &o);
		CHECK(ret == 0 || ret == -ENOENT);
		CHECK_EQ(count, 3);
		ok = 1;
		for (i = 0; i < 3; i++)
			for (j = 0; j < 4; j++)
				if (pv[i][j].v != (uint32_t)(i * 10 + j) || pk[i] != (uint32_t)i)
					ok = 0;
		CHECK(ok);
	}
	b2n_rt_map_destroy(a);
	b2n_rt_map_destroy(pa);
}

static void test_batch_hash(void)
{
	struct b2n_map *h = mk(B2N_MAP_HASH, 4, 8, 64, 0);
	struct b2n_map_batch_opts o = {sizeof(o), 0, 0};
	uint32_t keys[64], count, cursor, k, total = 0;
	uint64_t vals[64], v;
	int ret, rounds = 0, ok = 1, seen[64];
	if (!h)
		return;
	for (k = 0; k < 40; k++) {
		v = 1000 + k;
		b2n_map__update_elem(h, &k, 4, &v, 8, 0);
	}
	/* batches of (at least) 8: every bucket fits */
	do {
		count = 8;
		ret = b2n_map__lookup_batch(h, total ? &cursor : NULL, &cursor, keys + total,
		                            vals + total, &count, &o);
		total += count;
		rounds++;
	} while (ret == 0 && rounds < 100 && total <= 56);
	CHECK_EQ(ret, -ENOENT);
	CHECK_EQ(total, 40);
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < total && k < 64; k++)
		if (keys[k] >= 40 || seen[keys[k]]++ || vals[k] != 1000 + keys[k])
			ok = 0;
	CHECK(ok);
	/* after the end: -ENOENT at once with nothing */
	count = 8;
	CHECK_EQ(b2n_map__lookup_batch(h, &cursor, &cursor, keys, vals, &count, &o), -ENOENT);
	CHECK_EQ(count, 0);
	o.flags = 1;
	CHECK_EQ(b2n_map__lookup_batch(h, NULL, &cursor, keys, vals, &count, &o), -EINVAL);
	o.flags = 0;
	o.elem_flags = 1;
	CHECK_EQ(b2n_map__lookup_and_delete_batch(h, NULL, &cursor, keys, vals, &count, &o),
	         -EINVAL);
	o.elem_flags = 0;
	/* lookup_and_delete everything in one call */
	count = 64;
	CHECK_EQ(b2n_map__lookup_and_delete_batch(h, NULL, &cursor, keys, vals, &count, &o),
	         -ENOENT);
	CHECK_EQ(count, 40);
	CHECK_EQ(b2n_map__get_next_key(h, NULL, &k, 4), -ENOENT);
	/* update_batch / delete_batch */
	for (k = 0; k < 5; k++) {
		keys[k] = k;
		vals[k] = k * k;
	}
	count = 5;
	CHECK_EQ(b2n_map__update_batch(h, keys, vals, &count, &o), 0);
	CHECK_EQ(count, 5);
	o.elem_flags = B2N_NOEXIST;
	count = 5;
	CHECK_EQ(b2n_map__update_batch(h, keys, vals, &count, &o), -EINVAL);
	CHECK_EQ(count, 5);
	o.flags = 1;
	o.elem_flags = 0;
	CHECK_EQ(b2n_map__lookup_batch(h, NULL, &cursor, keys, vals, &count, &o), -EINVAL);
	o.flags = 0;
	keys[3] = 99;
	count = 5;
	CHECK_EQ(b2n_map__delete_batch(h, keys, &count, &o), -ENOENT);
	CHECK_EQ(count, 3);
	CHECK(b2n_map__lookup_elem(h, &keys[4], 4, &v, 8, 0) == 0 && v == 16);
	o.elem_flags = 2;
	CHECK_EQ(b2n_map__delete_batch(h, keys, &count, &o), -EINVAL);
	o.elem_flags = 0;
	b2n_rt_map_destroy(h);

	/* -ENOSPC: two keys in one bucket and room for one.  With two
	 * buckets, two of any three keys share one. */
	{
		int nospc = 0, a, b;
		for (a = 0; a < 3; a++)
			for (b = a + 1; b < 3; b++) {
				struct b2n_map *s = mk(B2N_MAP_HASH, 4, 8, 2, B2N_F_ZERO_SEED);
				uint32_t ka = (uint32_t)a, kb = (uint32_t)b;
				if (!s)
					continue;
				b2n_map__update_elem(s, &ka, 4, &v, 8, 0);
				b2n_map__update_elem(s, &kb, 4, &v, 8, 0);
				count = 1;
				ret =
				    b2n_map__lookup_batch(s, NULL, &cursor, keys, vals, &count, &o);
				if (ret == -ENOSPC && count == 0)
					nospc++;
				else
					CHECK(ret == 0 && count == 1);
				b2n_rt_map_destroy(s);
			}
		CHECK(nospc >= 1);
	}
}

static void test_misc_ops(void)
{
	/* ringbuf maps (ringbuf.c) have no element operations */
	struct b2n_map *rb = NULL;
	uint32_t k = 0, v = 0;
	int err = b2n_rt_map_create("rb", B2N_MAP_RINGBUF, 0, 0, 4096, 0, -1, NULL, &rb);
	if (err == 0) {
		CHECK_EQ(b2n_map__lookup_elem(rb, NULL, 0, &v, 0, 0), -ENOTSUPP_K);
		CHECK_EQ(b2n_map__update_elem(rb, NULL, 0, &v, 0, 0), -ENOTSUPP_K);
		CHECK(b2n_h_map_lookup_elem(M(rb), P(&k), 0, 0, 0) == 0);
		CHECK(b2n_h_map_update_elem(M(rb), P(&k), P(&v), 0, 0) == ERR(-EINVAL));
		b2n_rt_map_destroy(rb);
	} else {
		printf("note: ringbuf maps not available in this link (%d)\n", err);
	}
	CHECK_EQ(b2n_map__lookup_elem(NULL, &k, 4, &v, 4, 0), -EINVAL);
	/* pointers, as bpf() copies them: a NULL key or value is -EFAULT, a
	 * key for a map without keys -EINVAL; nothing is touched */
	{
		struct b2n_map *h = mk(B2N_MAP_HASH, 4, 4, 2, 0);
		struct b2n_map *q = mk(B2N_MAP_QUEUE, 0, 4, 2, 0);
		if (h && q) {
			CHECK_EQ(b2n_map__update_elem(h, &k, 4, &v, 4, 0), 0);
			CHECK_EQ(b2n_map__lookup_elem(h, NULL, 4, &v, 4, 0), -EFAULT);
			CHECK_EQ(b2n_map__lookup_elem(h, &k, 4, NULL, 4, 0), -EFAULT);
			CHECK_EQ(b2n_map__update_elem(h, NULL, 4, &v, 4, 0), -EFAULT);
			CHECK_EQ(b2n_map__delete_elem(h, NULL, 4, 0), -EFAULT);
			CHECK_EQ(b2n_map__lookup_and_delete_elem(h, &k, 4, NULL, 4, 0), -EFAULT);
			CHECK_EQ(b2n_map__get_next_key(h, NULL, NULL, 4), -EFAULT);
			CHECK_EQ(b2n_map__update_elem(q, &k, 0, &v, 4, 0), -EINVAL);
			CHECK_EQ(b2n_map__lookup_elem(q, &k, 0, &v, 4, 0), -EINVAL);
			CHECK_EQ(b2n_map__lookup_and_delete_elem(q, &k, 0, &v, 4, 0), -EINVAL);
			CHECK_EQ(b2n_map__get_next_key(q, &k, &v, 0), -EINVAL);
			CHECK_EQ(b2n_map__get_next_key(q, NULL, NULL, 0), -EINVAL);
			CHECK_EQ(b2n_map__lookup_elem(h, &k, 4, &v, 4, 0), 0);
			CHECK_EQ(b2n_map__get_next_key(h, NULL, &k, 4), 0);
		}
		b2n_rt_map_destroy(h);
		b2n_rt_map_destroy(q);
	}
	CHECK(b2n_map__data(NULL, NULL) == NULL);
}

int main(void)
{
	setenv("B2N_NR_CPUS", "4", 1);
	test_create();
	test_array();
	test_access_flags();
	test_spin_lock();
	test_percpu();
	test_hash(0);
	test_hash(B2N_F_NO_PREALLOC);
	test_hash(B2N_F_ZERO_SEED);
	test_lru(B2N_MAP_LRU_HASH);
	test_lru(B2N_MAP_LRU_PERCPU_HASH);
	test_concurrency();
	test_queue_stack();
	test_lpm();
	test_prog_array();
	test_map_in_map();
	test_for_each();
	test_batch_array();
	test_batch_hash();
	test_misc_ops();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
