/*
 * lock_test.c - driver of lock.bpf.c: spin-locked values in an array and a
 * hash map (single-threaded results, then several threads running the
 * programs at once: the lock must keep a and b = 2a consistent and lose no
 * update), BPF_F_LOCK lookups and updates from the application, and the
 * xdp/socket programs' results and counters.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_lock __attribute__((weak));

/* a[0..4] are cb[0..4] of the __sk_buff context. */
static const struct prun runs[] = {
    {"lock_array", {1, 5}, 5}, {"lock_array", {1, 7}, 12}, {"lock_array", {4, 1}, -1},
    {"lock_hash", {3, 4}, 4},  {"lock_hash", {3, 6}, 10},  {"xdp_count", {0}, 2},
    {"xdp_count", {0}, 2},     {"xdp_count", {0}, 1},      {"sock_keep", {0, 0, 0x12345}, 0x2345},
    {"tc_coarse", {0}, 1},
};

#define NTHREADS 4
#define NITER 20000

struct worker {
	struct b2n_object *obj;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t ret;
	for (int i = 0; i < NITER; i++) {
		if (run_prog(w->obj, "lock_array", (uint64_t[8]){0, 1}, &ret))
			w->errors++;
		if (run_prog(w->obj, "lock_hash", (uint64_t[8]){5, 1}, &ret))
			w->errors++;
	}
	return NULL;
}

static void check(struct b2n_object *obj)
{
	struct b2n_map *la = get_map(obj, "lk_arr"), *lh = get_map(obj, "lk_hash");
	struct b2n_map *pc = get_map(obj, "pkt_count");
	if (!la || !lh || !pc)
		return;
	struct lk_val_user v;
	uint32_t k = 1;
	memset(&v, 0xff, sizeof(v));
	CHECK_EQ(b2n_map__lookup_elem(la, &k, 4, &v, sizeof(v), 0), 0, "lk_arr[1]");
	CHECK(v.a == 12 && v.b == 24, "lk_arr[1] = {%llu, %llu}", (unsigned long long)v.a,
	      (unsigned long long)v.b);
	CHECK_EQ(v.lock, 0, "lock word copied out as zero");
	memset(&v, 0xff, sizeof(v));
	CHECK_EQ(b2n_map__lookup_elem(la, &k, 4, &v, sizeof(v), T_F_LOCK), 0, "lk_arr[1] F_LOCK");
	CHECK(v.a == 12 && v.b == 24, "lk_arr[1] (BPF_F_LOCK) = {%llu, %llu}",
	      (unsigned long long)v.a, (unsigned long long)v.b);
	k = 3;
	CHECK_EQ(b2n_map__lookup_elem(lh, &k, 4, &v, sizeof(v), 0), 0, "lk_hash[3]");
	CHECK(v.a == 10 && v.b == 20, "lk_hash[3] = {%llu, %llu}", (unsigned long long)v.a,
	      (unsigned long long)v.b);
	uint32_t pk = 0;
	uint64_t c = 0;
	CHECK_EQ(b2n_map__lookup_elem(pc, &pk, 4, &c, 8, 0), 0, "pkt_count[0]");
	CHECK_EQ(c, 3, "xdp calls");
	pk = 1;
	CHECK_EQ(b2n_map__lookup_elem(pc, &pk, 4, &c, 8, 0), 0, "pkt_count[1]");
	CHECK_EQ(c, 1, "socket calls");
	CHECK_EQ(b2n_map__lookup_elem(pc, &pk, 4, &c, 8, T_F_LOCK), -EINVAL,
	         "BPF_F_LOCK lookup on a map without a lock");

	/* Application updates under the lock. */
	struct lk_val_user nv = {.lock = 0x1234, .a = 50, .b = 100};
	k = 2;
	CHECK_EQ(b2n_map__update_elem(la, &k, 4, &nv, sizeof(nv), T_F_LOCK), 0, "lk_arr F_LOCK");
	uint64_t ret = 0;
	CHECK_EQ(run_prog(obj, "lock_array", (uint64_t[8]){2, 1}, &ret), 0, "run lock_array");
	CHECK_EQ(ret, 51, "lock_array after an F_LOCK update (lock word from the user ignored)");
	k = 6;
	CHECK_EQ(b2n_map__update_elem(lh, &k, 4, &nv, sizeof(nv), T_F_LOCK | T_NOEXIST), 0,
	         "hash F_LOCK|NOEXIST on a missing key inserts it");
	CHECK_EQ(b2n_map__update_elem(lh, &k, 4, &nv, sizeof(nv), T_F_LOCK | T_NOEXIST), -EEXIST,
	         "hash F_LOCK|NOEXIST on an existing key");
	k = 7;
	CHECK_EQ(b2n_map__update_elem(lh, &k, 4, &nv, sizeof(nv), T_F_LOCK | T_EXIST), -ENOENT,
	         "hash F_LOCK|EXIST on a missing key");

	/* Threads. */
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i].obj = obj;
		w[i].errors = 0;
		CHECK_EQ(pthread_create(&th[i], NULL, work, &w[i]), 0, "pthread_create");
	}
	int errors = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		errors += w[i].errors;
	}
	CHECK_EQ(errors, 0, "failed runs in threads");
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(la, &k, 4, &v, sizeof(v), T_F_LOCK), 0, "lk_arr[0]");
	CHECK(v.a == NTHREADS * NITER && v.b == 2 * v.a, "lk_arr[0] after threads = {%llu, %llu}",
	      (unsigned long long)v.a, (unsigned long long)v.b);
	k = 5;
	CHECK_EQ(b2n_map__lookup_elem(lh, &k, 4, &v, sizeof(v), T_F_LOCK), 0, "lk_hash[5]");
	CHECK(v.a == NTHREADS * NITER && v.b == 2 * v.a, "lk_hash[5] after threads = {%llu, %llu}",
	      (unsigned long long)v.a, (unsigned long long)v.b);
}

const struct group group_lock = {
    .name = "lock",
    .src = "lock",
    .desc = &b2n_object_lock,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};
