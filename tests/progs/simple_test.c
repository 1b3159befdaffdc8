/*
 * simple_test.c - driver of simple.bpf.c, compiled twice: by clang (object
 * name "simple") and by gcc-bpf (object name "simple_gcc"); both must give
 * the same results.
 */
#include <errno.h>
#include <stdio.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_simple __attribute__((weak));
extern const struct b2n_abi_object b2n_object_simple_gcc __attribute__((weak));

static const struct prun runs[] = {
    {"simple_add", {1, 2, 0}, 15}, {"simple_add", {1, 1, 0}, 23},
    {"simple_add", {3, 0, 0}, 3},  {"simple_add", {4, 1, 0}, -1},
    {"simple_add", {3, 0, 1}, 0},  {"simple_add", {3, 0, 1}, -ENOENT},
};

static void check(struct b2n_object *obj)
{
	struct b2n_map *a = get_map(obj, "s_arr"), *h = get_map(obj, "s_hash");
	if (!a || !h)
		return;
	static const uint64_t want[4] = {0, 23, 0, 3};
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t v = 99;
		b2n_map__lookup_elem(a, &k, 4, &v, 8, 0);
		CHECK(v == want[k], "s_arr[%u] = %llu, want %llu", k, (unsigned long long)v,
		      (unsigned long long)want[k]);
	}
	CHECK_EQ(count_keys(h), 1, "s_hash keys");
	uint32_t k = 1, c = 0;
	CHECK_EQ(b2n_map__lookup_elem(h, &k, 4, &c, 4, 0), 0, "s_hash[1]");
	CHECK_EQ(c, 2, "s_hash[1] value");
	size_t sz;
	struct s_data *d = get_data(obj, ".data", &sz);
	if (d) {
		CHECK_EQ(d->calls, 103, "sd.calls (.data)");
		CHECK_EQ(d->mult, 7, "sd.mult (.data)");
	}
	uint64_t *last = get_data(obj, ".bss", &sz);
	if (last)
		CHECK_EQ(*last, 3, "s_last (.bss)");
}

const struct group group_simple = {
    .name = "simple",
    .src = "simple",
    .desc = &b2n_object_simple,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};

const struct group group_simple_gcc = {
    .name = "simple_gcc",
    .src = "simple_gcc",
    .desc = &b2n_object_simple_gcc,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};
