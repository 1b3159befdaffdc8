/*
 * main.c - example (a): the native object compiled from counter.bpf.c and
 * the runtime are linked statically into this application, which drives the
 * object through its generated skeleton (counter.skel.h): it sets .rodata
 * before load, runs the program on a few packets, and checks the maps and
 * the global variables from the application side.  Prints each failed check
 * and "N passed, M failed"; exits 0 only if every check passed.
 */
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

static unsigned long long run(struct counter *skel, unsigned int flow, unsigned int len)
{
	struct pkt p = {flow, len};
	uint64_t r0 = ~0ULL;
	int err = b2n_program__run(skel->progs.count, &p, &r0);
	CHECK(err == 0, "run: %d", err);
	return r0;
}

int main(void)
{
	struct counter *skel = counter__open();
	struct flow_stats st;
	unsigned long long total;
	unsigned int key, next, n;
	int err;

	CHECK(skel != NULL, "open failed");
	if (!skel)
		goto out;
	/* initial global data, from the object */
	CHECK(skel->rodata->max_len == 1500, "max_len %u", skel->rodata->max_len);
	CHECK(skel->data->scale == 1, "scale %u", skel->data->scale);
	CHECK(!strcmp(skel->data->tag, "counter"), "tag %.8s", skel->data->tag);
	CHECK(skel->bss->calls == 0, "calls %llu", skel->bss->calls);
	/* configuration before load, as with libbpf */
	skel->rodata->max_len = 1000;
	err = counter__load(skel);
	CHECK(err == 0, "load: %d", err);
	if (err)
		goto out;

	CHECK(run(skel, 1, 100) == 1, "pass");
	CHECK(run(skel, 2, 200) == 1, "pass");
	CHECK(run(skel, 1, 300) == 1, "pass");
	CHECK(run(skel, 3, 1200) == 0, "drop: longer than max_len");
	CHECK(run(skel, 0, 10) == 0, "drop: flow 0");
	skel->data->scale = 10; /* the program sees the application's write */
	CHECK(run(skel, 1, 5) == 1, "pass");

	/* maps, from the application side */
	key = 1;
	err = b2n_map__lookup_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st), 0);
	CHECK(err == 0 && st.packets == 3 && st.bytes == 100 + 300 + 50,
	      "flow 1: err %d packets %llu bytes %llu", err, st.packets, st.bytes);
	key = 2;
	err = b2n_map__lookup_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st), 0);
	CHECK(err == 0 && st.packets == 1 && st.bytes == 200, "flow 2: err %d packets %llu", err,
	      st.packets);
	key = 3;
	err = b2n_map__lookup_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st), 0);
	CHECK(err == -ENOENT, "flow 3 (dropped) must be absent: %d", err);
	n = 0;
	for (err = b2n_map__get_next_key(skel->maps.flows, NULL, &next, sizeof(next)); !err;
	     err = b2n_map__get_next_key(skel->maps.flows, &key, &next, sizeof(next))) {
		CHECK(next == 1 || next == 2, "unexpected key %u", next);
		key = next;
		n++;
	}
	CHECK(n == 2 && err == -ENOENT, "iterated %u keys, end %d", n, err);
	key = TOTAL_PACKETS;
	err = b2n_map__lookup_elem(skel->maps.totals, &key, sizeof(key), &total, sizeof(total), 0);
	CHECK(err == 0 && total == 4, "total packets %llu (err %d)", total, err);
	key = TOTAL_BYTES;
	err = b2n_map__lookup_elem(skel->maps.totals, &key, sizeof(key), &total, sizeof(total), 0);
	CHECK(err == 0 && total == 650, "total bytes %llu (err %d)", total, err);
	key = TOTAL_DROPS;
	err = b2n_map__lookup_elem(skel->maps.totals, &key, sizeof(key), &total, sizeof(total), 0);
	CHECK(err == 0 && total == 1, "drops %llu (err %d)", total, err);
	/* an update from the application is seen by the program */
	key = 2;
	st.packets = 41;
	st.bytes = 0;
	err = b2n_map__update_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st),
	                           2 /* BPF_EXIST */);
	CHECK(err == 0, "update: %d", err);
	CHECK(run(skel, 2, 7) == 1, "pass");
	err = b2n_map__lookup_elem(skel->maps.flows, &key, sizeof(key), &st, sizeof(st), 0);
	CHECK(err == 0 && st.packets == 42 && st.bytes == 70, "flow 2: packets %llu bytes %llu",
	      st.packets, st.bytes);

	/* global data, from the application side */
	CHECK(skel->bss->calls == 7, "calls %llu", skel->bss->calls);
	CHECK(skel->bss->last_len == 7, "last_len %llu", skel->bss->last_len);
	CHECK(skel->bss->biggest_flow == 2 && skel->bss->biggest.packets == 42,
	      "biggest flow %u packets %llu", skel->bss->biggest_flow, skel->bss->biggest.packets);
	CHECK(skel->rodata->max_len == 1000, "max_len %u", skel->rodata->max_len);
	CHECK(!strcmp(b2n_object__name(skel->obj), "counter"), "name %s",
	      b2n_object__name(skel->obj));
	CHECK(!strcmp(b2n_program__section_name(skel->progs.count), "socket"), "section %s",
	      b2n_program__section_name(skel->progs.count));
out:
	counter__destroy(skel);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;
}
