/*
 * e2e_main.c - application side of e2e.bpf.c (one target): open and load
 * the compiled object through libb2n.h, set a .bss global before running,
 * run the programs and check return values, the hash and array contents
 * and the globals read back with b2n_map__data.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bpf2native/libb2n.h>

extern const struct b2n_abi_object b2n_object_e2e;

static int passed, failed;
#define CHECK(c, ...)                                                                              \
	do {                                                                                       \
		if (c)                                                                             \
			passed++;                                                                  \
		else {                                                                             \
			failed++;                                                                  \
			printf("FAIL: ");                                                          \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

struct ctx {
	uint64_t a[2];
};

static uint64_t run(struct b2n_program *p, uint64_t k, uint64_t amount)
{
	struct ctx c = {{k, amount}};
	uint64_t r = 0;
	int err = b2n_program__run(p, &c, &r);
	CHECK(err == 0, "run: %d", err);
	return (uint32_t)r;
}

static void *section(struct b2n_object *o, const char *name, size_t want)
{
	struct b2n_map *m = b2n_object__find_map_by_name(o, name);
	size_t sz = 0;
	void *d = m ? b2n_map__data(m, &sz) : NULL;
	CHECK(d && sz >= want, "global data %s: %p, %zu bytes", name, d, sz);
	return d && sz >= want ? d : NULL;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "e2e";
	struct b2n_object *o = b2n_object__open(&b2n_object_e2e, NULL);
	CHECK(o != NULL, "open: %s", strerror(errno));
	if (!o)
		goto out;
	int err = b2n_object__load(o);
	CHECK(err == 0, "load: %d", err);
	if (err)
		goto out;
	struct b2n_program *add = b2n_object__find_program_by_name(o, "e2e_add");
	struct b2n_program *calls = b2n_object__find_program_by_name(o, "e2e_calls");
	struct b2n_map *hash = b2n_object__find_map_by_name(o, "hash");
	struct b2n_map *arr = b2n_object__find_map_by_name(o, "arr");
	CHECK(add && calls && hash && arr, "programs or maps missing");
	if (!add || !calls || !hash || !arr)
		goto out;
	CHECK(b2n_map__key_size(hash) == 4 && b2n_map__value_size(hash) == 8 &&
	          b2n_map__max_entries(hash) == 8 && b2n_map__type(hash) == 1,
	      "hash attributes");
	CHECK(b2n_map__key_size(arr) == 4 && b2n_map__value_size(arr) == 4 &&
	          b2n_map__max_entries(arr) == 4 && b2n_map__type(arr) == 2,
	      "arr attributes");

	uint64_t *data = section(o, ".data", 16), *ro = section(o, ".rodata", 8);
	uint64_t *bss = section(o, ".bss", 16);
	if (!data || !ro || !bss)
		goto out;
	CHECK(*ro == 3, ".rodata g_scale = %llu", (unsigned long long)*ro);
	/* where the compiler put each global is its choice: find them by
	 * value (g_total is the .data word equal to 1000) */
	uint64_t *total = data[0] == 1000 ? &data[0] : data[1] == 1000 ? &data[1] : NULL;
	CHECK(total != NULL, ".data g_total = 1000 not found");

	CHECK(run(add, 1, 10) == 30, "add(1, 10)");
	CHECK(run(add, 1, 2) == 36, "add(1, 2)");
	CHECK(run(add, 6, 1) == 3, "add(6, 1)");
	/* the application writes a global: g_bias (.bss, zero so far, the word
	 * that is not s_calls == 3) */
	uint64_t *bias = bss[0] == 3 ? &bss[1] : bss[1] == 3 ? &bss[0] : NULL;
	CHECK(bias != NULL && *bias == 0, ".bss: s_calls = 3 not found");
	if (bias)
		*bias = 100;
	CHECK(run(add, 6, 2) == 109, "add(6, 2) with g_bias = 100");
	CHECK(run(calls, 0, 0) == 4, "calls");
	if (total)
		CHECK(*total == 1015, "g_total = %llu", (unsigned long long)*total);

	uint32_t k = 1;
	uint64_t v = 0;
	CHECK(b2n_map__lookup_elem(hash, &k, 4, &v, 8, 0) == 0 && v == 36, "hash[1] = %llu",
	      (unsigned long long)v);
	k = 6;
	CHECK(b2n_map__lookup_elem(hash, &k, 4, &v, 8, 0) == 0 && v == 9, "hash[6] = %llu",
	      (unsigned long long)v);
	k = 2;
	CHECK(b2n_map__lookup_elem(hash, &k, 4, &v, 8, 0) == -ENOENT, "hash[2] exists");
	static const uint32_t want_arr[4] = {0, 2, 2, 0};
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t c = 99;
		CHECK(b2n_map__lookup_elem(arr, &i, 4, &c, 4, 0) == 0 && c == want_arr[i],
		      "arr[%u] = %u, want %u", i, c, want_arr[i]);
	}
out:
	if (o)
		b2n_object__close(o);
	printf("%s: %d passed, %d failed\n", what, passed, failed);
	return failed || !passed ? 1 : 0;
}
