/*
 * runner_main.c - the per-target main() of bpf2native-plugin.
 *
 * Built once per target with that target's (cross) gcc into runner-<t>.o.
 * The plugin links it with the program it just compiled (symbol
 * b2n_plugin__prog: object name "plugin", program "prog") and the target's
 * runtime library, and runs the result natively or under qemu-user:
 *     runner [MEM_HEX]
 * MEM_HEX holds hex bytes separated by white space ("aa bb 01"); without it
 * the program gets r1 = NULL, r2 = 0.  Otherwise r1 points to a writable
 * malloc'd copy and r2 is its length.  Helper 5 is the conformance suite's
 * "unwind" helper (returns r1).  Prints r0 as "%lx" and exits 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/runtime.h>

uint64_t b2n_plugin__prog(void *ctx, uint64_t r2);

static uint64_t unwind_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return r1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	unsigned char *mem = NULL;
	size_t len = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [MEM_HEX]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		const char *s = argv[1];
		mem = malloc(strlen(s) / 2 + 1);
		if (!mem) {
			perror("malloc");
			return 2;
		}
		while (*s) {
			if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
				s++;
				continue;
			}
			int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
			if (lo < 0) {
				fprintf(stderr, "runner: bad memory hex at '%.8s'\n", s);
				return 2;
			}
			mem[len++] = (unsigned char)(hi << 4 | lo);
			s += 2;
		}
		if (!len) {
			free(mem);
			mem = NULL;
		}
	}
	if (b2n_helper__register(5, unwind_helper)) {
		fprintf(stderr, "runner: cannot register helper 5\n");
		return 2;
	}
	uint64_t r0 = b2n_plugin__prog(mem, len);
	printf("%" PRIx64 "\n", r0);
	free(mem);
	return fflush(stdout) ? 2 : 0;
}
