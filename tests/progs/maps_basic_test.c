/*
 * maps_basic_test.c - driver of maps_basic.bpf.c: the run table (shared
 * with the kernel agreement test) and application-side checks of the six
 * plain map families and of global data: lookups, get_next_key walks,
 * batch operations, per-CPU values, LRU eviction, global data read and
 * written by the application (also .rodata before load), and bad-input
 * calls that must return the kernel's errno and leave the map intact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_maps_basic __attribute__((weak));

#define E(x) (-(x))
static const struct prun runs[] = {
    {"array_add", {1, 10}, 10},
    {"array_add", {1, 5}, 15},
    {"array_add", {8, 1}, -1},
    {"array_add", {6, 3}, 3},
    {"array_update", {2, 42, 0}, 0},
    {"array_update", {2, 43, 1}, E(EEXIST)},
    {"array_update", {9, 1, 0}, E(E2BIG)},
    {"array_update", {3, 1, 4}, E(EINVAL)},
    {"array_update", {3, 1, 8}, E(EINVAL)},
    {"percpu_array_add", {0, 4}, 4},
    {"percpu_array_add", {0, 4}, 8},
    {"percpu_array_add", {4, 1}, -1},
    {"hash_update", {1, 100, 0}, 0},
    {"hash_update", {1, 5, 1}, E(EEXIST)},
    {"hash_update", {2, 200, 2}, E(ENOENT)},
    {"hash_update", {2, 200, 0}, 0},
    {"hash_update", {3, 300, 0}, 0},
    {"hash_update", {4, 400, 0}, 0},
    {"hash_update", {5, 500, 0}, E(E2BIG)},
    {"hash_update", {4, 401, 2}, 0},
    {"hash_update", {4, 1, 8}, E(EINVAL)},
    {"hash_bump", {1, 7}, 107},
    {"hash_sum", {8}, 1008},
    {"hash_delete", {3}, 0},
    {"hash_delete", {3}, E(ENOENT)},
    {"hash_update", {5, 500, 1}, 0},
    {"hash_sum", {8}, 1208},
    {"hash_bump", {3, 1}, -2},
    {"percpu_hash_add", {7, 2}, 155},
    {"percpu_hash_add", {7, 1}, 279},
    {"percpu_hash_add", {1, 0}, 91},
    {"lru_set", {10, 20}, 41},
    {"lru_set", {11, 5}, 11},
    {"lru_set", {10, 1}, 3},
    {"lru_get", {11}, 5},
    {"lru_get", {12}, -2},
    {"globals", {1}, 2209},
    {"globals", {2}, 1216},
};

static void check_arrays(struct b2n_object *obj)
{
	struct b2n_map *arr = get_map(obj, "arr");
	struct b2n_map *pa = get_map(obj, "pcpu_arr");
	if (!arr || !pa)
		return;
	static const uint64_t want[8] = {0, 15, 42, 0, 0, 0, 3, 0};
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t v = 99;
		int err = b2n_map__lookup_elem(arr, &k, 4, &v, 8, 0);
		CHECK(err == 0 && v == want[k], "arr[%u]: err %d value %llu, want %llu", k, err,
		      (unsigned long long)v, (unsigned long long)want[k]);
	}
	/* Batch lookup of the whole array. */
	uint32_t keys[8], count = 8, out = 0;
	uint64_t vals[8];
	struct b2n_map_batch_opts bo = {.sz = sizeof(bo)};
	int err = b2n_map__lookup_batch(arr, NULL, &out, keys, vals, &count, &bo);
	CHECK((err == 0 || err == -ENOENT) && count == 8, "arr lookup_batch: err %d count %u", err,
	      count);
	for (uint32_t i = 0; i < count && i < 8; i++)
		CHECK(keys[i] < 8 && vals[i] == want[keys[i]], "arr batch[%u]: key %u value %llu",
		      i, keys[i], (unsigned long long)vals[i]);
	/* get_next_key on an array: 0..7, then -ENOENT. */
	CHECK_EQ(count_keys(arr), 8, "arr get_next_key walk");
	uint32_t k7 = 7, nk;
	CHECK_EQ(b2n_map__get_next_key(arr, &k7, &nk, 4), -ENOENT, "arr next of last key");

	/* Per-CPU: one slot per CPU, 8 bytes each. */
	uint32_t k0 = 0;
	CHECK_EQ(percpu_sum(pa, &k0, &err), 8, "pcpu_arr[0] summed over CPUs");
	CHECK_EQ(err, 0, "pcpu_arr lookup");
	uint64_t one;
	CHECK_EQ(b2n_map__lookup_elem(pa, &k0, 4, &one, 8, 0) == 0 && user_ncpus() > 1, 0,
	         "per-CPU lookup with a one-CPU buffer must fail when there are several CPUs");

	/* Bad inputs: the kernel's errno, and the map left intact. */
	uint64_t big[2] = {1, 2};
	uint64_t kk = 1;
	CHECK_EQ(b2n_map__lookup_elem(arr, &kk, 8, &one, 8, 0), -EINVAL, "arr lookup key_sz 8");
	CHECK_EQ(b2n_map__update_elem(arr, &k0, 4, big, 16, 0), -EINVAL, "arr update value_sz 16");
	CHECK_EQ(b2n_map__update_elem(arr, &k0, 4, big, 8, 8), -EINVAL, "arr update flags 8");
	CHECK_EQ(b2n_map__update_elem(arr, &k0, 4, big, 8, T_F_LOCK), -EINVAL,
	         "arr update BPF_F_LOCK without a lock");
	uint32_t k9 = 9;
	CHECK_EQ(b2n_map__update_elem(arr, &k9, 4, big, 8, 0), -E2BIG, "arr update key 9");
	CHECK_EQ(b2n_map__lookup_elem(arr, &k9, 4, &one, 8, 0), -ENOENT, "arr lookup key 9");
	CHECK_EQ(b2n_map__update_elem(arr, &k0, 4, big, 8, 1), -EEXIST, "arr update NOEXIST");
	CHECK_EQ(b2n_map__delete_elem(arr, &k0, 4, 0), -EINVAL, "arr delete");
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t v = 99;
		b2n_map__lookup_elem(arr, &k, 4, &v, 8, 0);
		CHECK(v == want[k], "arr[%u] after bad calls: %llu", k, (unsigned long long)v);
	}
	/* Application writes, program reads. */
	uint32_t k5 = 5;
	uint64_t v1000 = 1000, ret = 0;
	CHECK_EQ(b2n_map__update_elem(arr, &k5, 4, &v1000, 8, 2), 0, "arr update EXIST");
	CHECK_EQ(run_prog(obj, "array_add", (uint64_t[8]){5, 1}, &ret), 0, "run array_add");
	CHECK_EQ(ret, 1001, "array_add after an application update");
}

static void check_hashes(struct b2n_object *obj)
{
	struct b2n_map *h = get_map(obj, "hash");
	struct b2n_map *ph = get_map(obj, "pcpu_hash");
	if (!h || !ph)
		return;
	static const struct {
		uint32_t key;
		struct mb_hval v;
	} want[] = {{1, {107, 1, 0}}, {2, {200, 2, 0}}, {4, {401, 4, 2}}, {5, {500, 5, 1}}};
	int seen = 0;
	uint32_t cur, next;
	const void *curp = NULL;
	while (b2n_map__get_next_key(h, curp, &next, 4) == 0 && seen < 10) {
		struct mb_hval v;
		int found = 0;
		seen++;
		CHECK_EQ(b2n_map__lookup_elem(h, &next, 4, &v, sizeof(v), 0), 0, "hash lookup");
		for (size_t i = 0; i < 4; i++)
			if (want[i].key == next) {
				found = 1;
				CHECK(!memcmp(&v, &want[i].v, sizeof(v)),
				      "hash[%u] = {%llu, %u, %u}, want {%llu, %u, %u}", next,
				      (unsigned long long)v.count, v.key, v.flags,
				      (unsigned long long)want[i].v.count, want[i].v.key,
				      want[i].v.flags);
			}
		CHECK(found, "unexpected hash key %u", next);
		cur = next;
		curp = &cur;
	}
	CHECK_EQ(seen, 4, "hash keys");
	/* Missing key: get_next_key restarts from the first key, like the kernel. */
	uint32_t missing = 77;
	CHECK_EQ(b2n_map__get_next_key(h, &missing, &next, 4), 0, "hash next of a missing key");

	/* Batch lookup two at a time: cursor semantics (a hash bucket comes
	 * whole or not at all: -ENOSPC asks for a larger count). */
	uint32_t keys[4], count, total = 0, cin = 0, cout = 0, want_n = 2;
	struct mb_hval vals[4];
	struct b2n_map_batch_opts bo = {.sz = sizeof(bo)};
	int err = 0, started = 0;
	for (int round = 0; round < 8 && total < 4; round++) {
		count = want_n < 4 - total ? want_n : 4 - total;
		err = b2n_map__lookup_batch(h, started ? &cin : NULL, &cout, keys + total,
		                            vals + total, &count, &bo);
		if (err == -ENOSPC && want_n < 4) {
			want_n = 4; /* retry from the same cursor */
			continue;
		}
		CHECK(err == 0 || err == -ENOENT, "hash lookup_batch round %d: %d", round, err);
		total += count;
		if (err)
			break;
		cin = cout;
		started = 1;
	}
	CHECK_EQ(total, 4, "hash entries returned by lookup_batch");
	for (uint32_t i = 0; i < total && i < 4; i++)
		CHECK(vals[i].key == keys[i], "batch value of key %u has key %u", keys[i],
		      vals[i].key);

	/* Bad inputs on the hash. */
	struct mb_hval nv = {1, 1, 1};
	uint32_t k1 = 1, k9 = 9;
	CHECK_EQ(b2n_map__update_elem(h, &k1, 4, &nv, sizeof(nv), 1), -EEXIST, "hash NOEXIST");
	CHECK_EQ(b2n_map__update_elem(h, &k9, 4, &nv, sizeof(nv), 0), -E2BIG, "hash full");
	CHECK_EQ(b2n_map__update_elem(h, &k9, 4, &nv, sizeof(nv), 2), -ENOENT, "hash EXIST");
	CHECK_EQ(b2n_map__update_elem(h, &k1, 4, &nv, sizeof(nv), 3), -EINVAL, "hash flags 3");
	CHECK_EQ(b2n_map__update_elem(h, &k1, 4, &nv, sizeof(nv), T_F_LOCK), -EINVAL,
	         "hash BPF_F_LOCK without a lock");
	CHECK_EQ(b2n_map__update_elem(h, &k1, 2, &nv, sizeof(nv), 0), -EINVAL, "hash key_sz 2");
	CHECK_EQ(b2n_map__update_elem(h, &k1, 4, &nv, 8, 0), -EINVAL, "hash value_sz 8");
	CHECK_EQ(b2n_map__delete_elem(h, &k9, 4, 0), -ENOENT, "hash delete missing");
	CHECK_EQ(b2n_map__delete_elem(h, &k1, 8, 0), -EINVAL, "hash delete key_sz 8");
	CHECK_EQ(count_keys(h), 4, "hash keys after bad calls");
	struct mb_hval v;
	CHECK_EQ(b2n_map__lookup_elem(h, &k1, 4, &v, sizeof(v), 0), 0, "hash[1] lookup");
	CHECK_EQ(v.count, 107, "hash[1] unchanged");
	/* lookup_and_delete, then batch update and batch delete. */
	uint32_t k2 = 2;
	CHECK_EQ(b2n_map__lookup_and_delete_elem(h, &k2, 4, &v, sizeof(v), 0), 0,
	         "hash lookup_and_delete");
	CHECK_EQ(v.count, 200, "hash[2] value of lookup_and_delete");
	CHECK_EQ(count_keys(h), 3, "hash keys after lookup_and_delete");
	uint32_t bk[1] = {6};
	struct mb_hval bv[1] = {{600, 6, 0}};
	count = 1;
	CHECK_EQ(b2n_map__update_batch(h, bk, bv, &count, &bo), 0, "hash update_batch");
	uint64_t ret = 0;
	CHECK_EQ(run_prog(obj, "hash_bump", (uint64_t[8]){6, 1}, &ret), 0, "run hash_bump");
	CHECK_EQ(ret, 601, "hash_bump of a key added by update_batch");
	count = 1;
	CHECK_EQ(b2n_map__delete_batch(h, bk, &count, &bo), 0, "hash delete_batch");
	CHECK_EQ(count_keys(h), 3, "hash keys after delete_batch");

	/* Per-CPU hash. */
	uint64_t k7 = 7, k1_64 = 1;
	CHECK_EQ(percpu_sum(ph, &k7, &err), 279, "pcpu_hash[7] summed");
	CHECK_EQ(percpu_sum(ph, &k1_64, &err), 91, "pcpu_hash[1] summed");
	CHECK_EQ(count_keys(ph), 2, "pcpu_hash keys");
	/* User update of a per-CPU hash sets every CPU's slot. */
	int n = user_ncpus();
	uint64_t *pv = calloc((size_t)n, 8);
	for (int i = 0; i < n; i++)
		pv[i] = (uint64_t)i + 1;
	uint64_t k3 = 3;
	CHECK_EQ(b2n_map__update_elem(ph, &k3, 8, pv, (size_t)n * 8, 0), 0, "pcpu_hash update");
	CHECK_EQ(percpu_sum(ph, &k3, &err), (uint64_t)n * (n + 1) / 2, "pcpu_hash[3] summed");
	free(pv);
}

static void check_lru(struct b2n_object *obj)
{
	struct b2n_map *l = get_map(obj, "lru");
	struct b2n_map *lp = get_map(obj, "lru_pcpu");
	if (!l || !lp)
		return;
	uint32_t k10 = 10, k11 = 11;
	uint64_t v;
	int err;
	CHECK_EQ(b2n_map__lookup_elem(l, &k10, 4, &v, 8, 0), 0, "lru[10] lookup");
	CHECK_EQ(v, 1, "lru[10]");
	CHECK_EQ(percpu_sum(lp, &k11, &err), 6, "lru_pcpu[11] summed");
	/* Eviction: 300 more keys into 128 entries.  The map stays bounded
	 * and the most recent keys are present. */
	uint64_t ret;
	int bad = 0;
	for (uint64_t k = 1000; k < 1300; k++) {
		if (run_prog(obj, "lru_set", (uint64_t[8]){k, k}, &ret) ||
		    (uint32_t)ret != 2 * k + 1)
			bad++;
	}
	CHECK_EQ(bad, 0, "lru_set runs that failed while evicting");
	int n = count_keys(l);
	CHECK(n <= 128 && n >= 64, "lru holds %d keys after 302 inserts (max 128)", n);
	n = count_keys(lp);
	CHECK(n <= 128 && n >= 64, "lru_pcpu holds %d keys after 302 inserts (max 128)", n);
	CHECK_EQ(run_prog(obj, "lru_get", (uint64_t[8]){1299}, &ret), 0, "run lru_get");
	CHECK_EQ((int32_t)ret, 1299, "most recent lru key present");
	CHECK_EQ(run_prog(obj, "lru_get", (uint64_t[8]){11}, &ret), 0, "run lru_get");
	CHECK_EQ((int32_t)ret, -2, "least recently used lru key evicted");
	/* LRU maps refuse BPF_NOEXIST for an existing key like a hash. */
	uint32_t k1299 = 1299;
	CHECK_EQ(b2n_map__update_elem(l, &k1299, 4, &v, 8, 1), -EEXIST, "lru NOEXIST");
}

static void check_globals(struct b2n_object *obj)
{
	size_t sz = 0;
	uint64_t *counter = get_data(obj, ".data", &sz);
	if (counter) {
		CHECK_EQ(sz, 8, ".data size");
		CHECK_EQ(*counter, 9, "counter (.data)");
	}
	struct mb_stats *st = get_data(obj, ".bss", &sz);
	if (st) {
		CHECK_EQ(sz, sizeof(*st), ".bss size");
		CHECK_EQ(st->total, 84 + 1001 * 3, "stats.total (.bss)");
		CHECK(st->hist[0] == 0 && st->hist[1] == 13 && st->hist[2] == 11 &&
		          st->hist[3] == 0,
		      "stats.hist = {%u, %u, %u, %u}", st->hist[0], st->hist[1], st->hist[2],
		      st->hist[3]);
	}
	struct mb_ro *ro = get_data(obj, ".rodata", &sz);
	if (ro) {
		CHECK_EQ(ro->scale, 3, "cfg.scale (.rodata)");
		CHECK(!strcmp(ro->greeting, "hello, maps"), "cfg.greeting = %.12s", ro->greeting);
	}
	uint64_t *cv = get_data(obj, ".data.custom", &sz);
	if (cv)
		CHECK_EQ(*cv, 93, "custom_val (.data.custom)");
	uint32_t *cr = get_data(obj, ".rodata.custom", &sz);
	if (cr)
		CHECK(cr[0] == 1000 && cr[1] == 2000, "custom_ro = {%u, %u}", cr[0], cr[1]);
	/* The application writes .data and .bss; the program sees it. */
	if (counter && st && cv) {
		uint64_t ret = 0;
		*counter = 100;
		st->hist[3] = 5;
		*cv = 0;
		CHECK_EQ(run_prog(obj, "globals", (uint64_t[8]){3}, &ret), 0, "run globals");
		/* counter 100 + scale 3 + custom 100 + custom_ro[1] 2000 + 'e' + hist 15 */
		CHECK_EQ(ret, 100 + 3 + 100 + 2000 + 'e' + 15, "globals after application writes");
	}
}

/* .rodata set by the application between open and load (the const
 * volatile pattern), in a fresh instance of the object. */
static void check_rodata_before_load(const struct group *g)
{
	struct b2n_object *obj = b2n_object__open(g->desc, NULL);
	CHECK(obj != NULL, "second open of %s", g->name);
	if (!obj)
		return;
	size_t sz;
	struct mb_ro *ro = get_data(obj, ".rodata", &sz);
	if (ro) {
		CHECK_EQ(ro->scale, 3, ".rodata before load");
		ro->scale = 10;
	}
	CHECK_EQ(b2n_object__load(obj), 0, "second load");
	uint64_t ret = 0;
	CHECK_EQ(run_prog(obj, "array_add", (uint64_t[8]){0, 2}, &ret), 0, "run array_add");
	struct mb_stats *st = get_data(obj, ".bss", &sz);
	if (st && ro)
		CHECK_EQ(st->total, 20, "stats.total with scale set before load");
	/* A fresh instance starts from the initial data again. */
	uint64_t *counter = get_data(obj, ".data", &sz);
	if (counter)
		CHECK_EQ(*counter, 6, "counter of a fresh instance");
	b2n_object__close(obj);
}

static void check(struct b2n_object *obj)
{
	check_arrays(obj);
	check_hashes(obj);
	check_lru(obj);
	check_globals(obj);
}

const struct group group_maps_basic = {
    .name = "maps_basic",
    .src = "maps_basic",
    .desc = &b2n_object_maps_basic,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
    .after_close = check_rodata_before_load,
};
