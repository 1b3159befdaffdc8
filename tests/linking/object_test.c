/*
 * object_test.c - the loader (runtime/object.c) against hand-made
 * descriptors, as the compiler would emit them (abi.h): programs are C
 * functions that reach their maps and global data only through the
 * descriptor's slot arrays, as compiled code does.
 *
 * Checks: open (maps usable and global data initialised before load,
 * inner-map templates hidden), load (slots filled, value slot = element 0,
 * prog_array and map-in-map initial slots, program ids), run, iteration,
 * errors with their messages (ABI version, byte order, missing helper
 * -ENOENT until the application registers it, second load of a descriptor
 * -EBUSY, run before load, bad shared object), close (slots cleared) and
 * reopen (fresh initial data).  Runs on every target.
 * Prints "N passed, M failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/libb2n.h>

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static char last_msg[1024];
static int nmsgs;

static int capture(enum b2n_rt_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_RT_DEBUG)
		return 0;
	nmsgs++;
	return vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
}

#define BE (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

enum { M_TPL, M_OUTER, M_DATA, M_INNER, M_JMP, M_BSS, M_HASH, NMAPS };
static void *map_slots[NMAPS], *value_slots[NMAPS];

/* a: increments the first u64 of .data and returns it; b: stores ctx's
 * value into .bss and returns the .data map handle's non-NULLness. */
static uint64_t prog_a(void *ctx, uint64_t r2)
{
	uint64_t *v = value_slots[M_DATA];
	(void)ctx;
	(void)r2;
	return v ? ++*v : 999;
}

static uint64_t prog_b(void *ctx, uint64_t r2)
{
	uint64_t *bss = value_slots[M_BSS];
	(void)r2;
	if (!bss || !map_slots[M_HASH])
		return 999;
	bss[1] = *(uint64_t *)ctx;
	return 7;
}

static uint64_t helper211(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1 + r2 + r3 + r4 + r5;
}

static const uint64_t data_init[2] = {41, 0x1122334455667788ull};
static const struct b2n_abi_slot_init outer_init[] = {{1, M_INNER}};
static const struct b2n_abi_slot_init jmp_init[] = {{0, 1}};
static const struct b2n_abi_map maps[NMAPS] = {
    [M_TPL] = {"tpl", 2, 4, 8, 1, 0, -1, B2N_MAPF_INNER_TEMPLATE, 0, NULL, NULL, 0, -1},
    [M_OUTER] = {"outer", 12, 4, 4, 4, 0, M_TPL, 0, 0, NULL, outer_init, 1, -1},
    [M_DATA] = {".data", 2, 4, 16, 1, 0, -1, B2N_MAPF_DATA, 16, data_init, NULL, 0, -1},
    [M_INNER] = {"inner", 2, 4, 8, 1, 0, -1, 0, 0, NULL, NULL, 0, -1},
    [M_JMP] = {"jmp", 3, 4, 4, 2, 0, -1, 0, 0, NULL, jmp_init, 1, -1},
    [M_BSS] = {".bss", 2, 4, 16, 1, 0, -1, B2N_MAPF_BSS, 0, NULL, NULL, 0, -1},
    [M_HASH] = {"h", 1, 4, 8, 8, 0, -1, 0, 0, NULL, NULL, 0, -1},
};
static const struct b2n_abi_prog progs[] = {
    {"a", "xdp", prog_a, NULL, 0, 0},
    {"b", "tc", prog_b, NULL, 0, 0},
};
static const uint32_t helpers_ok[] = {1, 2};
static const uint32_t helpers_missing[] = {1, 211};

static const struct b2n_abi_object desc = {B2N_ABI_VERSION, BE, "t",   "GPL",     maps,
                                           NMAPS,           2,  progs, map_slots, value_slots,
                                           helpers_ok,      2,  0};

static void *slots2[NMAPS], *vslots2[NMAPS];
static const struct b2n_abi_object desc_missing = {B2N_ABI_VERSION, BE, "needs211", "GPL",  maps,
                                                   NMAPS,           2,  progs,      slots2, vslots2,
                                                   helpers_missing, 2,  0};
static const struct b2n_abi_object desc_abi = {
    B2N_ABI_VERSION + 1, BE, "future", "GPL", NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0};
static const struct b2n_abi_object desc_endian = {
    B2N_ABI_VERSION, !BE, "other", "GPL", NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0};

int main(int argc, char **argv)
{
	struct b2n_object *obj, *obj2;
	struct b2n_program *a, *b;
	struct b2n_map *m, *data, *bss;
	uint64_t r0 = 0, ctxv = 0xabcdef, *d;
	uint32_t key, val;
	size_t sz = 0;
	int n, err;

	b2n_rt_set_print(capture);

	obj = b2n_object__open(&desc, NULL);
	CHECK(obj != NULL, "open: errno %d %s", errno, last_msg);
	if (!obj)
		goto out;
	CHECK(!strcmp(b2n_object__name(obj), "t"), "name");
	CHECK(b2n_object__find_map_by_name(obj, "tpl") == NULL && errno == ENOENT,
	      "templates are not maps of the object");
	n = 0;
	for (m = b2n_object__next_map(obj, NULL); m; m = b2n_object__next_map(obj, m))
		n++;
	CHECK(n == NMAPS - 1, "next_map: %d maps", n);
	n = 0;
	for (a = b2n_object__next_program(obj, NULL); a; a = b2n_object__next_program(obj, a))
		n++;
	CHECK(n == 2, "next_program: %d", n);
	a = b2n_object__find_program_by_name(obj, "a");
	b = b2n_object__find_program_by_name(obj, "b");
	CHECK(a && b && !strcmp(b2n_program__section_name(b), "tc") &&
	          !strcmp(b2n_program__name(a), "a"),
	      "programs");
	CHECK(b2n_object__find_program_by_name(obj, "zz") == NULL && errno == ENOENT, "no zz");
	data = b2n_object__find_map_by_name(obj, ".data");
	bss = b2n_object__find_map_by_name(obj, ".bss");
	d = data ? b2n_map__data(data, &sz) : NULL;
	CHECK(d && sz == 16 && d[0] == 41 && d[1] == data_init[1], "data before load");
	CHECK(map_slots[M_DATA] == NULL, "slots are filled by load, not open");
	nmsgs = 0;
	CHECK(b2n_program__run(a, NULL, &r0) == -EINVAL && nmsgs == 1, "run before load");
	CHECK(b2n_program__fd(a) < 0, "no program id before load");
	if (d)
		d[0] = 100; /* written before load, seen after */

	err = b2n_object__load(obj);
	CHECK(err == 0, "load: %d %s", err, last_msg);
	if (err)
		goto out;
	CHECK(b2n_object__load(obj) == -EINVAL, "second load of the same object");
	for (int i = 0; i < NMAPS; i++)
		CHECK(map_slots[i] != NULL, "map slot %d", i);
	CHECK(map_slots[M_DATA] == data && value_slots[M_DATA] == d, "data slots");
	CHECK(value_slots[M_HASH] == NULL && value_slots[M_JMP] == NULL,
	      "value slots only for arrays");
	CHECK(b2n_program__run(a, NULL, &r0) == 0 && r0 == 101, "run a: %llu",
	      (unsigned long long)r0);
	CHECK(b2n_program__run(a, NULL, &r0) == 0 && r0 == 102 && d[0] == 102, "run a again");
	CHECK(b2n_program__run(b, &ctxv, &r0) == 0 && r0 == 7, "run b");
	d = bss ? b2n_map__data(bss, NULL) : NULL;
	CHECK(d && d[0] == 0 && d[1] == 0xabcdef, "bss");
	CHECK(b2n_program__fd(a) > 0 && b2n_program__fd(b) > 0 &&
	          b2n_program__fd(a) != b2n_program__fd(b),
	      "program ids");
	key = 0;
	val = 0;
	m = b2n_object__find_map_by_name(obj, "jmp");
	err = m ? b2n_map__lookup_elem(m, &key, 4, &val, 4, 0) : -1;
	CHECK(err == 0 && (int)val == b2n_program__fd(b), "prog_array slot 0: err %d val %u", err,
	      val);
	key = 1;
	m = b2n_object__find_map_by_name(obj, "outer");
	err = m ? b2n_map__lookup_elem(m, &key, 4, &val, 4, 0) : -1;
	CHECK(err == 0 && (int)val == b2n_map__fd(b2n_object__find_map_by_name(obj, "inner")),
	      "map-in-map slot 1: err %d val %u", err, val);
	key = 0;
	err = m ? b2n_map__lookup_elem(m, &key, 4, &val, 4, 0) : -1;
	CHECK(err == -ENOENT, "map-in-map slot 0 empty: %d", err);

	/* one loaded object per descriptor */
	nmsgs = 0;
	obj2 = b2n_object__open(&desc, NULL);
	CHECK(obj2 == NULL && errno == EBUSY && nmsgs == 1, "open while loaded: errno %d", errno);
	b2n_object__close(obj2);

	/* missing helper */
	obj2 = b2n_object__open(&desc_missing, NULL);
	CHECK(obj2 != NULL, "open needs211: %s", last_msg);
	nmsgs = 0;
	err = b2n_object__load(obj2);
	CHECK(err == -ENOENT && nmsgs == 1 &&
	          strstr(last_msg, "object needs211: program needs helper 211, which is not "
	                           "registered"),
	      "missing helper: %d '%s'", err, last_msg);
	CHECK(slots2[M_DATA] == NULL, "failed load leaves no slot");
	/* resolved when the application registers it: load again */
	CHECK(b2n_helper__register(211, helper211) == 0, "register 211");
	err = b2n_object__load(obj2);
	CHECK(err == 0 && slots2[M_DATA] != NULL, "load after registering helper 211: %d", err);
	b2n_object__close(obj2);
	b2n_helper__register(211, NULL);

	/* bad descriptors */
	nmsgs = 0;
	CHECK(b2n_object__open(&desc_abi, NULL) == NULL && errno == EINVAL && nmsgs == 1 &&
	          strstr(last_msg, "ABI version"),
	      "abi version: %s", last_msg);
	CHECK(b2n_object__open(&desc_endian, NULL) == NULL && errno == EINVAL &&
	          strstr(last_msg, "endian"),
	      "byte order: %s", last_msg);
	CHECK(b2n_object__open(NULL, NULL) == NULL && errno == EINVAL, "NULL descriptor");
	/* a file that is not a shared object, and a missing file */
	CHECK(b2n_object__open_file(argv[0], NULL) == NULL && errno != 0, "open_file(argv[0])");
	CHECK(b2n_object__open_file("/nonexistent/x.so", NULL) == NULL && errno == ENOENT,
	      "open_file missing: errno %d", errno);

	/* close clears the slots; reopen starts from the initial data */
	b2n_object__close(obj);
	obj = NULL;
	CHECK(map_slots[M_DATA] == NULL && value_slots[M_DATA] == NULL, "slots cleared");
	obj = b2n_object__open(&desc, NULL);
	CHECK(obj != NULL, "reopen: %s", last_msg);
	if (obj) {
		d = b2n_map__data(b2n_object__find_map_by_name(obj, ".data"), NULL);
		CHECK(d && d[0] == 41, "fresh data after reopen");
		CHECK(b2n_object__load(obj) == 0, "reload");
		CHECK(b2n_program__run(b2n_object__find_program_by_name(obj, "a"), NULL, &r0) ==
		              0 &&
		          r0 == 42,
		      "run after reload: %llu", (unsigned long long)r0);
	}
out:
	b2n_object__close(obj);
	(void)argc;
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;
}
