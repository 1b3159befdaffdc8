/*
 * e2e_main.c - end-to-end check of programs read from BPF ELF objects.
 *
 * Linked (statically, for one target) with: the object bpf2native made from
 * a BPF ELF object of progs.c (--object-name progs), the same progs.c
 * compiled natively by the target's gcc, and the runtime.  Every program is
 * run on several contexts and must return exactly what the native C
 * functions return.  Prints one summary line; exit status 1 on a mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "progs.h"

#define X(name, sec, nf)                                                                           \
	long name(struct elf_ctx *c);                                                              \
	uint64_t b2n_progs__##name(void *ctx, uint64_t r2);
ELF_TEST_PROGS(X)
#undef X

static const struct {
	const char *name;
	long (*c_fn)(struct elf_ctx *c);
	uint64_t (*bpf_fn)(void *ctx, uint64_t r2);
} progs[] = {
#define X(name, sec, nf) {#name, name, b2n_progs__##name},
    ELF_TEST_PROGS(X)
#undef X
};

static uint64_t state;
static uint64_t rng(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static void fill_ctx(struct elf_ctx *c, unsigned seed)
{
	state = 0x9e3779b97f4a7c15ULL * (seed + 1);
	for (int i = 0; i < 16; i++)
		c->w[i] = seed == 0 ? (unsigned)i : (unsigned)rng();
	for (int i = 0; i < 8; i++)
		c->q[i] = seed == 0 ? (uint64_t)i * 0x100000001ULL : rng();
	for (int i = 0; i < 64; i++)
		c->b[i] = (unsigned char)(seed == 0 ? (uint64_t)i : rng());
}

int main(int argc, char **argv)
{
	const char *label = argc > 1 ? argv[1] : "e2e";
	size_t n = sizeof(progs) / sizeof(progs[0]), runs = 0;
	int bad = 0;

	for (unsigned seed = 0; seed < 8; seed++) {
		for (size_t k = 0; k < n; k++) {
			struct elf_ctx a, b;
			fill_ctx(&a, seed);
			memcpy(&b, &a, sizeof(b));
			uint64_t want = (uint64_t)progs[k].c_fn(&a);
			uint64_t got = progs[k].bpf_fn(&b, 0);
			runs++;
			if (got != want) {
				printf("%s: %s: seed %u: compiled 0x%llx, C 0x%llx\n", label,
				       progs[k].name, seed, (unsigned long long)got,
				       (unsigned long long)want);
				bad++;
			}
		}
	}
	printf("%s: %zu programs x 8 contexts: %zu runs, %d mismatches\n", label, n, runs, bad);
	return bad ? 1 : 0;
}
