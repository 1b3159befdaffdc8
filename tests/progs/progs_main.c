/*
 * progs_main.c - the native driver of tests/progs for one target: for every
 * group of PROGS_GROUPS, open and load the compiled object (its descriptor
 * is linked in), replay the run table checking each return value, make the
 * group's application-side checks, close, and print "N passed, M failed".
 * A group whose object bpf2native could not compile counts as a failure
 * (its descriptor is a weak reference, NULL when absent).
 *
 * usage: progs-<target> [GROUP...]   (default: every group)
 */
#include <stdio.h>
#include <string.h>

#include "progs_test.h"

static const struct group *const groups[] = {
#define X(g) &group_##g,
    PROGS_GROUPS(X)
#undef X
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("progs: %d possible CPUs\n", b2n_num_possible_cpus());
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct group *g = groups[i];
		if (argc > 1) {
			int want = 0;
			for (int a = 1; a < argc; a++)
				want |= !strcmp(argv[a], g->name);
			if (!want)
				continue;
		}
		int p0 = t_pass, f0 = t_fail;
		t_where = g->name;
		if (g->before)
			g->before(g);
		struct b2n_object *obj = open_group(g);
		if (obj) {
			run_table(obj, g);
			if (g->check)
				g->check(obj);
			b2n_object__close(obj);
			if (g->after_close)
				g->after_close(g);
		}
		printf("%-14s %d passed, %d failed\n", g->name, t_pass - p0, t_fail - f0);
	}
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
