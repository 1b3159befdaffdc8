/*
 * legacy_test.c - driver of legacy.bpf.c: maps defined in the legacy
 * "maps" section work like BTF-defined ones (the kernel test reports that
 * libbpf 1.x refuses such objects).
 */
#include <errno.h>
#include <stdio.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_legacy __attribute__((weak));

static const struct prun runs[] = {
    {"legacy_add", {1, 5}, 5},
    {"legacy_add", {1, 6}, 11},
    {"legacy_add", {2, 1}, 1},
};

static void check(struct b2n_object *obj)
{
	struct b2n_map *h = get_map(obj, "legacy_hash"), *a = get_map(obj, "legacy_arr");
	if (!h || !a)
		return;
	CHECK_EQ(b2n_map__type(h), 1, "legacy_hash type");
	CHECK_EQ(b2n_map__key_size(h), 4, "legacy_hash key size");
	CHECK_EQ(b2n_map__value_size(h), 8, "legacy_hash value size");
	CHECK_EQ(b2n_map__max_entries(h), 8, "legacy_hash max_entries");
	CHECK_EQ(b2n_map__type(a), 2, "legacy_arr type");
	CHECK_EQ(count_keys(h), 2, "legacy_hash keys");
	uint32_t k = 1, z = 0, calls = 0;
	uint64_t v = 0;
	CHECK_EQ(b2n_map__lookup_elem(h, &k, 4, &v, 8, 0), 0, "legacy_hash[1]");
	CHECK_EQ(v, 11, "legacy_hash[1] value");
	CHECK_EQ(b2n_map__lookup_elem(a, &z, 4, &calls, 4, 0), 0, "legacy_arr[0]");
	CHECK_EQ(calls, 3, "legacy_arr[0] value");
}

const struct group group_legacy = {
    .name = "legacy",
    .src = "legacy",
    .desc = &b2n_object_legacy,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};
