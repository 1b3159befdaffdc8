/*
 * main.c - example (c): two separately compiled objects, ingress and
 * egress, linked into one application with their skeletons (generated with
 * --types, so each header is self-contained).  Their programs, maps and
 * globals share names but nothing else.  The two programs run concurrently
 * in two threads; then the application checks each object's maps and
 * globals, that a compiled object can be loaded only once at a time
 * (-EBUSY), and that reopening it starts from its initial data.
 * Prints "N passed, M failed".
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "egress.skel.h"
#include "ingress.skel.h"

#define RUNS 20000

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

struct job {
	const struct b2n_program *prog;
	uint64_t expect;
	int bad; /* runs that failed or returned something else */
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < RUNS; i++) {
		uint64_t r0 = 0;
		if (b2n_program__run(j->prog, NULL, &r0) || r0 != j->expect)
			j->bad++;
	}
	return NULL;
}

int main(void)
{
	struct ingress *in = ingress__open_and_load(), *again;
	struct egress *eg = egress__open_and_load();
	struct job jobs[2];
	pthread_t th[2];
	unsigned long long sum = 0, v;
	unsigned int key = 0, next;
	b2n_rt_print_fn old;
	int err, n = 0;

	CHECK(in && eg, "open_and_load: errno %d", errno);
	if (!in || !eg)
		goto out;
	CHECK(in->data->id == 1 && eg->data->id == 2, "ids %u %u", in->data->id, eg->data->id);
	jobs[0] = (struct job){in->progs.handle, 1, 0};
	jobs[1] = (struct job){eg->progs.handle, 2, 0};
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0, "pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(jobs[0].bad == 0 && jobs[1].bad == 0, "bad runs: %d %d", jobs[0].bad, jobs[1].bad);
	CHECK(in->bss->events == RUNS, "ingress events %llu", (unsigned long long)in->bss->events);
	CHECK(eg->bss->events == RUNS, "egress events %llu", (unsigned long long)eg->bss->events);
	err = b2n_map__lookup_elem(in->maps.hits, &key, sizeof(key), &v, sizeof(v), 0);
	CHECK(err == 0 && v == RUNS, "ingress hits %llu (err %d)", v, err);
	for (err = b2n_map__get_next_key(eg->maps.hits, NULL, &next, sizeof(next)); !err;
	     err = b2n_map__get_next_key(eg->maps.hits, &key, &next, sizeof(next))) {
		key = next;
		if (!b2n_map__lookup_elem(eg->maps.hits, &key, sizeof(key), &v, sizeof(v), 0))
			sum += v;
		n++;
	}
	CHECK(n == 4 && sum == RUNS, "egress hits: %d buckets, sum %llu", n, sum);
	CHECK(b2n_map__key_size(in->maps.hits) == 4 && b2n_map__type(in->maps.hits) == 2 &&
	          b2n_map__type(eg->maps.hits) == 1,
	      "map attributes");

	/* one loaded object per compiled object */
	old = b2n_rt_set_print(quiet);
	again = ingress__open();
	CHECK(again == NULL && errno == EBUSY, "second open while loaded: errno %d", errno);
	b2n_rt_set_print(old);
	ingress__destroy(again);
	ingress__destroy(in);
	in = ingress__open_and_load();
	CHECK(in != NULL, "reopen: errno %d", errno);
	if (in) {
		uint64_t r0 = 0;
		CHECK(in->bss->events == 0, "fresh .bss after reopen: %llu",
		      (unsigned long long)in->bss->events);
		key = 0;
		err = b2n_map__lookup_elem(in->maps.hits, &key, sizeof(key), &v, sizeof(v), 0);
		CHECK(err == 0 && v == 0, "fresh map after reopen: %llu", v);
		CHECK(b2n_program__run(in->progs.handle, NULL, &r0) == 0 && r0 == 1, "run");
		CHECK(in->bss->events == 1 && eg->bss->events == RUNS, "independent objects");
	}
out:
	ingress__destroy(in);
	egress__destroy(eg);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;
}
