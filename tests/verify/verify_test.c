/*
 * verify_test.c - host tests of the analysis pass (frontend/verify.c).
 *
 * Every input goes through the real frontend (b2n_input__open, which runs
 * b2n_prog__check) and then b2n_prog__verify; diagnostics are captured.
 *   verify_test depths MANIFEST DIR   each line "FILE PROG D0,D1,.. CHAIN0
 *                                      [tail=F,..]": the derived depth of
 *                                      every function (in start order), the
 *                                      chain depth of the entry and the
 *                                      functions with a tail call must be
 *                                      exactly those
 *   verify_test reject FILE REGEX     opening+verifying must fail with
 *                                      exactly one diagnostic line, which
 *                                      matches the extended regex
 *   verify_test conformance DIR       every *.data verifies; programs that
 *                                      need allow_uninit are counted/listed
 *   verify_test fuzz DIR ITERS SEED   mutate the conformance programs
 *                                      (random opcodes, registers, offsets,
 *                                      immediates) and check + verify them:
 *                                      must not crash or hang (run it under
 *                                      ASan: B2N_SANITIZE=ON)
 *   verify_test show FILE...          print every function's figures
 * Prints each failure and a summary; exits 1 on any failure.
 */
#include <dirent.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"
#include "vt_open.h"

static char diag[8192];
static size_t diag_len;
static int diag_lines;

static int capture(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	int n = vsnprintf(diag + diag_len, sizeof(diag) - diag_len, fmt, ap);
	if (n > 0) {
		for (size_t i = diag_len; i < sizeof(diag) && diag[i]; i++)
			diag_lines += diag[i] == '\n';
		diag_len += (size_t)n;
		if (diag_len >= sizeof(diag))
			diag_len = sizeof(diag) - 1;
	}
	return n;
}

static void reset_diag(void)
{
	diag[0] = 0;
	diag_len = 0;
	diag_lines = 0;
}

/* Open (vt_open.h: ELF through b2n_input__open, which already verifies,
 * with allow_uninit so that the choice stays ours; .asm with one prog_array
 * map) and verify every program again with the requested options; returns
 * the first error.  Either way a refused input prints one diagnostic. */
static int open_verify(const char *path, int allow_uninit, struct b2n_input **out)
{
	struct b2n_verify_opts vo = {.sz = sizeof(vo), .allow_uninit = allow_uninit};
	struct b2n_input *obj = NULL;
	int err = vt_open(path, allow_uninit, &obj);
	*out = NULL;
	if (err)
		return err;
	for (size_t p = 0; p < obj->nprogs; p++) {
		err = b2n_prog__verify(obj, &obj->progs[p], &vo);
		if (err) {
			b2n_input__free(obj);
			return err;
		}
	}
	*out = obj;
	return 0;
}

static int do_show(int argc, char **argv)
{
	int bad = 0;
	for (int a = 0; a < argc; a++) {
		struct b2n_input *obj;
		reset_diag();
		if (open_verify(argv[a], 0, &obj)) {
			printf("%s: REJECTED: %s", argv[a], diag);
			bad = 1;
			continue;
		}
		for (size_t p = 0; p < obj->nprogs; p++) {
			struct b2n_prog *pr = &obj->progs[p];
			printf("%s %s", argv[a], pr->name);
			for (size_t k = 0; k < pr->nfuncs; k++)
				printf("%s%u", k ? "," : " ", pr->funcs[k].stack_depth);
			printf(" %u  (", pr->funcs[0].chain_depth);
			for (size_t k = 0; k < pr->nfuncs; k++)
				printf("%s%s@%zu chain=%u%s", k ? " " : "", pr->funcs[k].name,
				       pr->funcs[k].start, pr->funcs[k].chain_depth,
				       pr->funcs[k].calls_tail ? " tail" : "");
			printf(")\n");
		}
		b2n_input__free(obj);
	}
	return bad;
}

static int do_depths(const char *manifest, const char *dir)
{
	FILE *f = fopen(manifest, "r");
	char line[1024];
	int pass = 0, fail = 0;
	if (!f) {
		perror(manifest);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char file[256], prog[128], depths[256], path[1024], tail[128] = "tail=";
		unsigned chain;
		struct b2n_input *obj;
		int nf =
		    sscanf(line, "%255s %127s %255s %u %127s", file, prog, depths, &chain, tail);
		if (line[0] == '#' || nf < 4)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		reset_diag();
		if (open_verify(path, 0, &obj)) {
			printf("FAIL %s %s: rejected: %s", file, prog, diag);
			fail++;
			continue;
		}
		struct b2n_prog *pr = NULL;
		for (size_t p = 0; p < obj->nprogs; p++)
			if (!strcmp(obj->progs[p].name, prog))
				pr = &obj->progs[p];
		if (!pr) {
			printf("FAIL %s: no program %s\n", file, prog);
			fail++;
			b2n_input__free(obj);
			continue;
		}
		char got[256] = "";
		size_t gl = 0;
		for (size_t k = 0; k < pr->nfuncs; k++)
			gl += (size_t)snprintf(got + gl, sizeof(got) - gl, "%s%u", k ? "," : "",
			                       pr->funcs[k].stack_depth);
		char gtail[128] = "tail=";
		size_t tl = strlen(gtail);
		for (size_t k = 0; k < pr->nfuncs; k++)
			if (pr->funcs[k].calls_tail)
				tl += (size_t)snprintf(gtail + tl, sizeof(gtail) - tl, "%s%zu",
				                       gtail[tl - 1] == '=' ? "" : ",", k);
		if (strcmp(got, depths) || pr->funcs[0].chain_depth != chain ||
		    strcmp(gtail, tail)) {
			printf("FAIL %s %s: depths %s chain %u %s, expected %s chain %u %s\n", file,
			       prog, got, pr->funcs[0].chain_depth, gtail, depths, chain, tail);
			fail++;
		} else {
			printf("ok   %s %s: depths %s chain %u\n", file, prog, got, chain);
			pass++;
		}
		b2n_input__free(obj);
	}
	fclose(f);
	printf("depths: %d passed, %d failed\n", pass, fail);
	return fail != 0 || pass == 0;
}

static int do_reject(const char *path, const char *re)
{
	regex_t rx;
	struct b2n_input *obj;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		printf("FAIL bad regex %s\n", re);
		return 1;
	}
	reset_diag();
	int err = open_verify(path, 0, &obj);
	int ok = 1;
	if (!err) {
		printf("FAIL %s: accepted, expected a diagnostic matching /%s/\n", path, re);
		b2n_input__free(obj);
		ok = 0;
	} else if (diag_lines != 1) {
		printf("FAIL %s: %d diagnostic lines, expected 1:\n%s", path, diag_lines, diag);
		ok = 0;
	} else if (regexec(&rx, diag, 0, NULL, 0)) {
		printf("FAIL %s: diagnostic does not match /%s/:\n%s", path, re, diag);
		ok = 0;
	} else {
		printf("ok   %s", diag);
	}
	regfree(&rx);
	return !ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_conformance(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[1024];
	size_t nn = 0;
	int ok = 0, need = 0, bad = 0;
	if (!d) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) && nn < 1024) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".data"))
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t k = 0; k < nn; k++) {
		char path[1024];
		struct b2n_input *obj;
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		reset_diag();
		if (!open_verify(path, 0, &obj)) {
			ok++;
			b2n_input__free(obj);
		} else {
			char first[sizeof(diag)];
			snprintf(first, sizeof(first), "%s", diag);
			reset_diag();
			if (!open_verify(path, 1, &obj)) {
				need++;
				printf("needs allow_uninit: %s", first);
				b2n_input__free(obj);
			} else {
				bad++;
				printf("FAIL %s", diag);
			}
		}
		free(names[k]);
	}
	printf("conformance: %zu programs: %d verify as they are, %d need allow_uninit, %d "
	       "rejected\n",
	       nn, ok, need, bad);
	return bad != 0 || nn == 0;
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static int do_fuzz(const char *dir, long iters, unsigned long seed)
{
	static const int16_t offs[] = {0, -1, -3, -8, -16, -256, -504, -512, -520, 8, 1, 600};
	DIR *d = opendir(dir);
	struct dirent *e;
	struct b2n_insn *progs[512];
	size_t lens[512], np = 0;
	long ok = 0, refused = 0;
	if (!d) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) && np < 512) {
		size_t l = strlen(e->d_name);
		char path[1024];
		unsigned char *buf;
		size_t len;
		if (l < 6 || strcmp(e->d_name + l - 5, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (b2n_read_file(path, &buf, &len))
			continue;
		if (!b2n_asm__parse(path, (const char *)buf, &progs[np], &lens[np]))
			np++;
		free(buf);
	}
	closedir(d);
	rng_state = seed;
	for (long it = 0; it < iters && np; it++) {
		size_t k = rnd() % np, n = lens[k];
		struct b2n_insn *in = b2n_xcalloc(n, sizeof(*in));
		memcpy(in, progs[k], n * sizeof(*in));
		for (int m = 1 + (int)(rnd() % 3); m > 0; m--) {
			struct b2n_insn *x = &in[rnd() % n];
			switch (rnd() % 5) {
			case 0:
				x->code = (uint8_t)rnd();
				break;
			case 1:
				x->dst = (uint8_t)(rnd() % 11);
				break;
			case 2:
				x->src = (uint8_t)(rnd() % 11);
				break;
			case 3:
				x->off = offs[rnd() % B2N_ARRAY_LEN(offs)];
				break;
			default:
				x->imm = (int32_t)(rnd() % 2 ? rnd() % 64 - 16 : rnd());
				break;
			}
		}
		struct b2n_input *obj = b2n_xcalloc(1, sizeof(*obj));
		obj->path = b2n_strdup("fuzz");
		obj->name = b2n_strdup("fuzz");
		obj->progs = b2n_xcalloc(1, sizeof(*obj->progs));
		obj->nprogs = 1;
		obj->progs[0].name = b2n_strdup("prog");
		obj->progs[0].insns = in;
		obj->progs[0].ninsns = n;
		struct b2n_verify_opts vo = {.sz = sizeof(vo), .allow_uninit = (int)(rnd() % 2)};
		reset_diag();
		int err = b2n_prog__check(obj, &obj->progs[0]);
		if (!err)
			err = b2n_prog__verify(obj, &obj->progs[0], &vo);
		if (err)
			refused++;
		else
			ok++;
		b2n_input__free(obj);
	}
	for (size_t k = 0; k < np; k++)
		free(progs[k]);
	printf("fuzz: %ld mutated programs: %ld verified, %ld refused\n", ok + refused, ok,
	       refused);
	return np == 0;
}

int main(int argc, char **argv)
{
	b2n_set_print(capture);
	if (argc >= 4 && !strcmp(argv[1], "depths"))
		return do_depths(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "reject"))
		return do_reject(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "conformance"))
		return do_conformance(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "fuzz"))
		return do_fuzz(argv[2], strtol(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	if (argc >= 3 && !strcmp(argv[1], "show"))
		return do_show(argc - 2, argv + 2);
	fprintf(stderr, "usage: verify_test depths MANIFEST DIR | reject FILE REGEX | "
	                "conformance DIR | show FILE...\n");
	return 2;
}
