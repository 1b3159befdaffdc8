/*
 * maps_special_test.c - driver of maps_special.bpf.c: queue and stack
 * (push/pop/peek from both sides, BPF_EXIST overwrite), lpm_trie (longest
 * match, deletes, walks), array_of_maps and hash_of_maps (initial .values,
 * slots set and cleared by the application), prog_array as a map (initial
 * slot, update/lookup/delete with program ids), bpf_loop and
 * bpf_for_each_map_elem results.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_maps_special __attribute__((weak));

#define E(x) (-(x))
static const struct prun runs[] = {
    /* queue (u32, 4 entries) */
    {"qs_op", {0, 0, 10, 0}, 0},
    {"qs_op", {0, 0, 11, 0}, 0},
    {"qs_op", {0, 0, 12, 0}, 0},
    {"qs_op", {0, 0, 13, 0}, 0},
    {"qs_op", {0, 0, 14, 0}, E(E2BIG)},
    {"qs_op", {0, 0, 15, T_EXIST}, 0},
    {"qs_op", {0, 2}, 11},
    {"qs_op", {0, 1}, 11},
    {"qs_op", {0, 0, 16, T_NOEXIST}, E(EINVAL)},
    /* stack (u64, 4 entries) */
    {"qs_op", {1, 0, 100, 0}, 0},
    {"qs_op", {1, 0, 101, 0}, 0},
    {"qs_op", {1, 2}, 101},
    {"qs_op", {1, 1}, 101},
    {"qs_op", {1, 1}, 100},
    {"qs_op", {1, 1}, E(ENOENT)},
    {"qs_op", {1, 2}, E(ENOENT)},
    {"qs_op", {1, 0, 102, 0}, 0},
    {"qs_op", {1, 0, 103, 0}, 0},
    /* lpm_trie */
    {"lpm_add", {8, 0x0a000000, 1}, 0},
    {"lpm_add", {16, 0x0a010000, 2}, 0},
    {"lpm_add", {24, 0x0a010200, 3}, 0},
    {"lpm_add", {0, 0, 9}, 0},
    {"lpm_match", {0x0a010203}, 3},
    {"lpm_match", {0x0a01ff01}, 2},
    {"lpm_match", {0x0a7f0000}, 1},
    {"lpm_match", {0x0b000001}, 9},
    {"lpm_add", {33, 0, 1}, E(EINVAL)},
    {"lpm_del", {16, 0x0a010000}, 0},
    {"lpm_match", {0x0a01ff01}, 1},
    {"lpm_del", {16, 0x0a010000}, E(ENOENT)},
    /* map in map */
    {"mim_add", {0, 0, 1, 5}, 5},
    {"mim_add", {0, 2, 1, 7}, 7},
    {"mim_add", {0, 1, 0, 1}, -1},
    {"mim_add", {1, 1, 1, 3}, 10},
    {"mim_add", {1, 0, 0, 1}, -1},
    {"mim_add", {0, 0, 4, 1}, -2},
    {"jmp_target", {5}, 1005},
    /* bpf_loop */
    {"loop", {1 << 24, 0, 0}, E(E2BIG)},
    {"loop", {5, 100, 1}, E(EINVAL)},
    {"loop", {10, 100, 0}, 10},
    {"loop", {10, 3, 0}, 4},
    {"loop0", {(1 << 23) + 1, 0}, E(E2BIG)},
    {"loop0", {0, 0}, 0},
    {"loop0", {10, 100}, 10},
    {"loop0", {10, 3}, 4},
    {"loop0", {10, 0}, 1},
    {"loop0", {1, 100}, 1},
    /* for_each_map_elem */
    {"fe_set", {0, 10}, 0},
    {"fe_set", {2, 20}, 0},
    {"fe_set", {5, 50}, 0},
    {"foreach", {0, 99}, 6},
    {"foreach", {0, 2}, 3},
    {"foreach", {1}, 3},
};

static void check_queue_stack(struct b2n_object *obj)
{
	struct b2n_map *q = get_map(obj, "queue"), *s = get_map(obj, "stack");
	if (!q || !s)
		return;
	uint32_t v = 0;
	/* queue holds 12, 13, 15: peek, then pop from the application. */
	CHECK_EQ(b2n_map__lookup_elem(q, NULL, 0, &v, 4, 0), 0, "queue peek (lookup)");
	CHECK_EQ(v, 12, "queue peek value");
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), 0, "queue pop");
	CHECK_EQ(v, 12, "queue pop value");
	uint32_t nv = 20;
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &nv, 4, 0), 0, "queue push (update)");
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &nv, 2, 0), -EINVAL, "queue push value_sz 2");
	CHECK_EQ(b2n_map__update_elem(q, NULL, 0, &nv, 4, 8), -EINVAL, "queue push flags 8");
	uint32_t k = 0;
	CHECK_EQ(b2n_map__delete_elem(q, &k, 4, 0), -EINVAL, "queue delete");
	uint64_t ret;
	static const uint32_t order[] = {13, 15, 20};
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(run_prog(obj, "qs_op", (uint64_t[8]){0, 1}, &ret), 0, "run qs_op");
		CHECK_EQ(ret, order[i], "queue order");
	}
	CHECK_EQ(b2n_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), -ENOENT, "pop empty queue");

	/* stack holds 102, 103 (top). */
	uint64_t w = 0;
	CHECK_EQ(b2n_map__lookup_and_delete_elem(s, NULL, 0, &w, 8, 0), 0, "stack pop");
	CHECK_EQ(w, 103, "stack pop value");
	uint64_t nw = 104;
	CHECK_EQ(b2n_map__update_elem(s, NULL, 0, &nw, 8, 0), 0, "stack push");
	CHECK_EQ(run_prog(obj, "qs_op", (uint64_t[8]){1, 1}, &ret), 0, "run qs_op");
	CHECK_EQ(ret, 104, "stack top after application push");
	CHECK_EQ(b2n_map__lookup_elem(s, NULL, 0, &w, 8, 0), 0, "stack peek");
	CHECK_EQ(w, 102, "stack peek value");
}

static void check_lpm(struct b2n_object *obj)
{
	struct b2n_map *l = get_map(obj, "lpm");
	if (!l)
		return;
	struct lpm_key4 k = {32, {10, 1, 2, 3}};
	uint32_t v = 0;
	CHECK_EQ(b2n_map__lookup_elem(l, &k, sizeof(k), &v, 4, 0), 0, "lpm lookup 10.1.2.3");
	CHECK_EQ(v, 3, "lpm 10.1.2.3");
	struct lpm_key4 k2 = {32, {10, 1, 9, 9}};
	CHECK_EQ(b2n_map__lookup_elem(l, &k2, sizeof(k2), &v, 4, 0), 0, "lpm lookup 10.1.9.9");
	CHECK_EQ(v, 1, "lpm 10.1.9.9 (the /16 was deleted)");
	CHECK_EQ(count_keys(l), 3, "lpm prefixes");
	struct lpm_key4 k3 = {12, {10, 16, 0, 0}};
	uint32_t nv = 12;
	CHECK_EQ(b2n_map__update_elem(l, &k3, sizeof(k3), &nv, 4, 0), 0, "lpm add 10.16/12");
	uint64_t ret;
	CHECK_EQ(run_prog(obj, "lpm_match", (uint64_t[8]){0x0a1f0001}, &ret), 0, "run lpm_match");
	CHECK_EQ(ret, 12, "program sees the application's prefix");
	struct lpm_key4 bad = {40, {0}};
	CHECK_EQ(b2n_map__update_elem(l, &bad, sizeof(bad), &nv, 4, 0), -EINVAL,
	         "lpm prefixlen 40");
	CHECK_EQ(b2n_map__update_elem(l, &k3, sizeof(k3), &nv, 4, T_NOEXIST), -EEXIST,
	         "lpm NOEXIST");
	CHECK_EQ(b2n_map__update_elem(l, &k3, 4, &nv, 4, 0), -EINVAL, "lpm key_sz 4");
	CHECK_EQ(count_keys(l), 4, "lpm prefixes after bad calls");
}

static void check_map_in_map(struct b2n_object *obj)
{
	struct b2n_map *oa = get_map(obj, "outer_arr"), *oh = get_map(obj, "outer_hash");
	struct b2n_map *ia = get_map(obj, "inner_a"), *ib = get_map(obj, "inner_b");
	if (!oa || !oh || !ia || !ib)
		return;
	uint32_t k, id = 0;
	uint64_t v = 0, ret;
	k = 1;
	CHECK_EQ(b2n_map__lookup_elem(ia, &k, 4, &v, 8, 0), 0, "inner_a[1]");
	CHECK_EQ(v, 5, "inner_a[1] value");
	CHECK_EQ(b2n_map__lookup_elem(ib, &k, 4, &v, 8, 0), 0, "inner_b[1]");
	CHECK_EQ(v, 10, "inner_b[1] value");
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(oa, &k, 4, &id, 4, 0), 0, "outer_arr[0] lookup");
	CHECK_EQ(id, b2n_map__fd(ia), "outer_arr[0] holds inner_a's id");
	k = 1;
	CHECK_EQ(b2n_map__lookup_elem(oa, &k, 4, &id, 4, 0), -ENOENT, "outer_arr[1] empty");
	CHECK_EQ(b2n_map__lookup_elem(oh, &k, 4, &id, 4, 0), 0, "outer_hash[1] lookup");
	CHECK_EQ(id, b2n_map__fd(ib), "outer_hash[1] holds inner_b's id");
	/* The application fills outer_arr[1] and outer_hash[3] with inner_a. */
	int fd = b2n_map__fd(ia);
	k = 1;
	CHECK_EQ(b2n_map__update_elem(oa, &k, 4, &fd, 4, 0), 0, "outer_arr[1] = inner_a");
	k = 3;
	CHECK_EQ(b2n_map__update_elem(oh, &k, 4, &fd, 4, 0), 0, "outer_hash[3] = inner_a");
	CHECK_EQ(run_prog(obj, "mim_add", (uint64_t[8]){0, 1, 1, 1}, &ret), 0, "run mim_add");
	CHECK_EQ(ret, 6, "inner_a[1] through outer_arr[1]");
	CHECK_EQ(run_prog(obj, "mim_add", (uint64_t[8]){1, 3, 1, 1}, &ret), 0, "run mim_add");
	CHECK_EQ(ret, 7, "inner_a[1] through outer_hash[3]");
	int bad = 123456;
	CHECK(b2n_map__update_elem(oa, &k, 4, &bad, 4, 0) < 0, "outer_arr accepts a bad map id");
	k = 1;
	CHECK_EQ(b2n_map__delete_elem(oa, &k, 4, 0), 0, "outer_arr[1] delete");
	CHECK_EQ(run_prog(obj, "mim_add", (uint64_t[8]){0, 1, 1, 1}, &ret), 0, "run mim_add");
	CHECK_EQ((int32_t)ret, -1, "outer_arr[1] empty after delete");
	k = 9;
	CHECK_EQ(b2n_map__update_elem(oa, &k, 4, &fd, 4, 0), -E2BIG, "outer_arr[9]");
}

static void check_prog_array(struct b2n_object *obj)
{
	struct b2n_map *j = get_map(obj, "jmp");
	struct b2n_program *t = b2n_object__find_program_by_name(obj, "jmp_target");
	CHECK(t != NULL, "program jmp_target");
	if (!j || !t)
		return;
	uint32_t k = 1, id = 0;
	CHECK_EQ(b2n_map__lookup_elem(j, &k, 4, &id, 4, 0), 0, "jmp[1] (initial .values)");
	CHECK_EQ(id, b2n_program__fd(t), "jmp[1] holds jmp_target");
	k = 0;
	CHECK_EQ(b2n_map__lookup_elem(j, &k, 4, &id, 4, 0), -ENOENT, "jmp[0] empty");
	int fd = b2n_program__fd(t);
	k = 2;
	CHECK_EQ(b2n_map__update_elem(j, &k, 4, &fd, 4, 0), 0, "jmp[2] = jmp_target");
	CHECK_EQ(b2n_map__lookup_elem(j, &k, 4, &id, 4, 0), 0, "jmp[2] lookup");
	CHECK_EQ(id, fd, "jmp[2] value");
	int bad = 987654;
	k = 3;
	CHECK(b2n_map__update_elem(j, &k, 4, &bad, 4, 0) < 0, "jmp accepts a bad program id");
	k = 4;
	CHECK_EQ(b2n_map__update_elem(j, &k, 4, &fd, 4, 0), -E2BIG, "jmp[4]");
	k = 2;
	CHECK_EQ(b2n_map__delete_elem(j, &k, 4, 0), 0, "jmp[2] delete");
	CHECK_EQ(b2n_map__delete_elem(j, &k, 4, 0), -ENOENT, "jmp[2] delete again");
}

static void check_iter(struct b2n_object *obj)
{
	size_t sz;
	struct ms_res *r = get_data(obj, ".bss", &sz);
	if (r) {
		CHECK_EQ(r->loop_sum, 18, "loop_sum");
		CHECK_EQ(r->fe_sum, 80, "fe_sum (fe_hash)");
		CHECK_EQ(r->fe_keys, 10, "fe_keys (fe_hash)");
	}
	struct b2n_map *fa = get_map(obj, "fe_arr");
	if (fa) {
		static const uint64_t want[6] = {12, 2, 22, 1, 1, 51};
		for (uint32_t k = 0; k < 6; k++) {
			uint64_t v = 0;
			b2n_map__lookup_elem(fa, &k, 4, &v, 8, 0);
			CHECK(v == want[k], "fe_arr[%u] = %llu, want %llu", k,
			      (unsigned long long)v, (unsigned long long)want[k]);
		}
	}
	uint64_t ret;
	CHECK_EQ(run_prog(obj, "loop", (uint64_t[8]){0, 0, 0}, &ret), 0, "run loop");
	CHECK_EQ(ret, 0, "bpf_loop of 0 iterations");
	CHECK_EQ(run_prog(obj, "loop", (uint64_t[8]){1 << 23, 1 << 23, 0}, &ret), 0, "run loop");
	CHECK_EQ(ret, 1 << 23, "bpf_loop of BPF_MAX_LOOPS iterations");
}

static void check(struct b2n_object *obj)
{
	check_queue_stack(obj);
	check_lpm(obj);
	check_map_in_map(obj);
	check_prog_array(obj);
	check_iter(obj);
}

const struct group group_maps_special = {
    .name = "maps_special",
    .src = "maps_special",
    .desc = &b2n_object_maps_special,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};
