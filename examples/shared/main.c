/*
 * main.c - example (b): the native object compiled from
 * examples/static/counter.bpf.c, linked into a shared object with
 * `ld.lld -shared`, is loaded at run time with b2n_object__open_file.  The
 * application links the runtime (whole archive, exported with -rdynamic:
 * the shared object's code calls the helper table of the application's
 * runtime) but not the object.  It uses the generic API (find by name,
 * iterate, b2n_map__data) and then the skeleton's __open_file for typed
 * access.  usage: app PATH/counter.so.  Prints "N passed, M failed".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "counter.h"
#include "counter.skel.h"

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

static int quiet(enum b2n_rt_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static unsigned long long run(const struct b2n_program *prog, unsigned int flow, unsigned int len)
{
	struct pkt p = {flow, len};
	uint64_t r0 = ~0ULL;
	int err = b2n_program__run(prog, &p, &r0);
	CHECK(err == 0, "run: %d", err);
	return r0;
}

/* The generic API: no skeleton, names only. */
static void generic(const char *path)
{
	struct b2n_object *obj = b2n_object__open_file(path, NULL);
	struct b2n_program *prog;
	struct b2n_map *m, *bss;
	struct flow_stats st;
	unsigned int key = 7, nmaps = 0;
	size_t sz = 0;
	int err;

	CHECK(obj != NULL, "open_file %s: errno %d", path, errno);
	if (!obj)
		return;
	CHECK(!strcmp(b2n_object__name(obj), "counter"), "name %s", b2n_object__name(obj));
	prog = b2n_object__find_program_by_name(obj, "count");
	CHECK(prog != NULL, "no program count");
	CHECK(b2n_object__find_program_by_name(obj, "account") == NULL && errno == ENOENT,
	      "a subprogram is not a program");
	for (m = b2n_object__next_map(obj, NULL); m; m = b2n_object__next_map(obj, m))
		nmaps++;
	CHECK(nmaps == 5, "maps: %u (flows, totals, .rodata, .data, .bss)", nmaps);
	bss = b2n_object__find_map_by_name(obj, ".bss");
	CHECK(bss != NULL, "no .bss map");
	err = b2n_object__load(obj);
	CHECK(err == 0, "load: %d", err);
	if (err || !prog || !bss)
		goto out;
	CHECK(run(prog, 7, 64) == 1, "pass");
	CHECK(run(prog, 7, 2000) == 0, "drop");
	err = b2n_map__lookup_elem(b2n_object__find_map_by_name(obj, "flows"), &key, sizeof(key),
	                           &st, sizeof(st), 0);
	CHECK(err == 0 && st.packets == 1 && st.bytes == 64, "flow 7: err %d packets %llu", err,
	      st.packets);
	{
		/* the layout of .bss comes from the skeleton's type */
		unsigned char *b = b2n_map__data(bss, &sz);
		unsigned long long calls = 0;
		if (b && sz >= sizeof(struct counter__bss))
			memcpy(&calls, b + offsetof(struct counter__bss, calls), sizeof(calls));
		CHECK(b && calls == 2, "calls %llu", calls);
	}
out:
	b2n_object__close(obj);
}

int main(int argc, char **argv)
{
	struct b2n_object_open_opts opts = {sizeof(opts), "nosuchobject"};
	struct counter *skel;
	b2n_rt_print_fn old;
	unsigned int key = 5;
	struct flow_stats st;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/counter.so\n", argv[0]);
		return 2;
	}
	generic(argv[1]);

	/* errors: a missing file, a missing descriptor */
	old = b2n_rt_set_print(quiet);
	CHECK(b2n_object__open_file("/nonexistent/counter.so", NULL) == NULL && errno == ENOENT,
	      "missing file: errno %d", errno);
	CHECK(b2n_object__open_file(argv[1], &opts) == NULL && errno == ENOENT,
	      "missing descriptor: errno %d", errno);
	b2n_rt_set_print(old);

	/* the skeleton, opened from the shared object: typed global data */
	skel = counter__open_file(argv[1]);
	CHECK(skel != NULL, "skeleton open_file: errno %d", errno);
	if (!skel)
		goto out;
	CHECK(skel->rodata->max_len == 1500 && skel->data->scale == 1 && skel->bss->calls == 0,
	      "fresh globals after reopen: max_len %u scale %u calls %llu", skel->rodata->max_len,
	      skel->data->scale, skel->bss->calls);
	skel->data->scale = 2;
	err = counter__load(skel);
	CHECK(err == 0, "load: %d", err);
	if (err)
		goto out;
	CHECK(run(skel->progs.count, 5, 1400) == 1, "pass");
	CHECK(run(skel->progs.count, 5, 100) == 1, "pass");
	err = b2n_map__lookup_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st), 0);
	CHECK(err == 0 && st.packets == 2 && st.bytes == 3000, "flow 5: packets %llu bytes %llu",
	      st.packets, st.bytes);
	CHECK(skel->bss->calls == 2 && skel->bss->last_len == 100 && skel->bss->biggest_flow == 5,
	      "calls %llu last_len %llu biggest %u", skel->bss->calls, skel->bss->last_len,
	      skel->bss->biggest_flow);
out:
	counter__destroy(skel);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;
}
