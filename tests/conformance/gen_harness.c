/*
 * gen_harness.c - host tool behind the conformance tests.
 *
 * Reads bpf_conformance .data files: the "-- asm" section goes through the
 * frontend's assembler (b2n_asm__parse), "-- mem" is whitespace separated
 * hex bytes and "-- result" the expected r0.  Every program is run by the
 * host reference interpreter twice, emulating a little-endian and a
 * big-endian machine, each on a fresh writable copy of the memory; a test
 * whose two results agree is "byte-order independent", so big-endian
 * targets must reproduce the file's result for it.
 *
 * Two modes:
 *   gen_harness [--skips F] -o OUT.c FILE.data...
 *       write the case table (harness.h) for harness_main.c;
 *   gen_harness --check [--skips F] FILE.data...
 *       the host-only test: the little-endian interpreter against
 *       "-- result", one line per failure and a summary; exit 1 on failure.
 * Skips come only from skips.txt (target<TAB>test<TAB>reason, '*' = all
 * targets); --check uses the target name "interp".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/runtime.h>

#include "frontend/frontend.h"

struct tcase {
	char *path, *name;
	struct b2n_insn *insns;
	size_t ninsns;
	unsigned char *mem;
	size_t mem_len;
	int has_mem;
	uint64_t expected;
	int le_rc, be_rc;
	uint64_t le, be;
};

struct skip {
	char *target, *test, *reason;
};

static struct skip *skips;
static size_t nskips;
static struct tcase *tc; /* global, so that leak checkers see it reachable */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		perror("strdup");
		exit(2);
	}
	return d;
}

static uint64_t unwind_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return r1;
}

/* File stem with everything outside [A-Za-z0-9_] replaced by '_', the
 * driver's default object name. */
static char *stem_of(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *s = xstrdup(b);
	char *dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = 0;
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	return s;
}

/* Find the body of section "-- NAME" in text: returns a pointer to the line
 * after the marker, and *len up to the next "-- " line. */
static const char *section(const char *text, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *next = eol ? eol + 1 : p + strlen(p);
		if (!strncmp(p, "-- ", 3) && !strncmp(p + 3, name, nl) &&
		    (p[3 + nl] == '\n' || p[3 + nl] == '\r' || p[3 + nl] == ' ' || !p[3 + nl])) {
			const char *q = next;
			while (*q && strncmp(q, "-- ", 3)) {
				const char *e = strchr(q, '\n');
				q = e ? e + 1 : q + strlen(q);
			}
			*len = (size_t)(q - next);
			return next;
		}
		p = next;
	}
	return NULL;
}

static int parse_case(const char *path, struct tcase *tc)
{
	unsigned char *buf;
	size_t blen;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	long fl = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (fl < 0) {
		fclose(f);
		return -1;
	}
	blen = (size_t)fl;
	buf = xrealloc(NULL, blen + 1);
	if (fread(buf, 1, blen, f) != blen) {
		fprintf(stderr, "%s: error: short read\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[blen] = 0;
	const char *text = (const char *)buf;

	memset(tc, 0, sizeof(*tc));
	tc->path = xstrdup(path);
	tc->name = stem_of(path);
	if (b2n_asm__parse(path, text, &tc->insns, &tc->ninsns) < 0) {
		fprintf(stderr, "%s: error: the assembler rejected the program\n", path);
		free(buf);
		return -1;
	}

	size_t len;
	const char *s = section(text, "mem", &len);
	if (s) {
		tc->has_mem = 1;
		char *copy = xrealloc(NULL, len + 1);
		memcpy(copy, s, len);
		copy[len] = 0;
		for (char *tok = strtok(copy, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
			char *end;
			unsigned long v = strtoul(tok, &end, 16);
			if (*end || v > 0xff || end - tok > 2) {
				fprintf(stderr, "%s: error: bad byte '%s' in -- mem\n", path, tok);
				free(copy);
				free(buf);
				return -1;
			}
			tc->mem = xrealloc(tc->mem, tc->mem_len + 1);
			tc->mem[tc->mem_len++] = (unsigned char)v;
		}
		free(copy);
	}
	s = section(text, "result", &len);
	if (!s) {
		fprintf(stderr, "%s: error: no -- result section\n", path);
		free(buf);
		return -1;
	}
	char *end;
	errno = 0;
	tc->expected = strtoull(s, &end, 0);
	if (end == s || errno) {
		fprintf(stderr, "%s: error: bad -- result\n", path);
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

static void run_interp(struct tcase *tc, int big_endian, int *rc, uint64_t *r0)
{
	struct b2n_interp_opts o;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.big_endian = big_endian;
	unsigned char *copy = NULL;
	if (tc->has_mem) {
		copy = xrealloc(NULL, tc->mem_len);
		memcpy(copy, tc->mem, tc->mem_len);
	}
	*r0 = 0;
	*rc = b2n_interp__run(tc->insns, tc->ninsns, copy, tc->has_mem ? tc->mem_len : 0, &o, r0);
	free(copy);
}

static int load_skips(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2 || !t2[1]) {
			fprintf(stderr, "%s:%d: error: expected target<TAB>test<TAB>reason\n", path,
			        lineno);
			fclose(f);
			return -1;
		}
		*t1 = *t2 = 0;
		skips = xrealloc(skips, (nskips + 1) * sizeof(*skips));
		skips[nskips].target = xstrdup(line);
		skips[nskips].test = xstrdup(t1 + 1);
		skips[nskips].reason = xstrdup(t2 + 1);
		nskips++;
	}
	fclose(f);
	return 0;
}

static const char *skip_reason(const char *target, const char *test)
{
	for (size_t i = 0; i < nskips; i++)
		if ((!strcmp(skips[i].target, "*") || !strcmp(skips[i].target, target)) &&
		    !strcmp(skips[i].test, test))
			return skips[i].reason;
	return NULL;
}

static void c_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20)
			fprintf(out, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static int emit(const char *outpath, struct tcase *tc, size_t n)
{
	FILE *out = fopen(outpath, "w");
	if (!out) {
		fprintf(stderr, "%s: error: %s\n", outpath, strerror(errno));
		return -1;
	}
	fprintf(out, "/* Generated by gen_harness from %zu conformance files; do not edit. */\n", n);
	fprintf(out, "#include \"harness.h\"\n\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "/* %s */\n", tc[i].path);
		fprintf(out, "extern uint64_t b2n_%s__prog(void *ctx, uint64_t r2) "
		             "__attribute__((weak));\n",
		        tc[i].name);
		if (tc[i].has_mem && tc[i].mem_len) {
			fprintf(out, "static const unsigned char mem_%zu[] = {", i);
			for (size_t j = 0; j < tc[i].mem_len; j++)
				fprintf(out, "%s0x%02x", j == 0 ? "\n\t" : j % 12 ? ", " : ",\n\t",
				        tc[i].mem[j]);
			fprintf(out, "};\n");
		}
		fprintf(out, "static const struct b2n_insn insns_%zu[] = {", i);
		for (size_t j = 0; j < tc[i].ninsns; j++) {
			const struct b2n_insn *in = &tc[i].insns[j];
			fprintf(out, "\n\t{0x%02x, %u, %u, %d, %" PRId32 "},", in->code, in->dst, in->src,
			        in->off, in->imm);
		}
		fprintf(out, "\n};\n\n");
	}
	fprintf(out, "const struct conf_case conf_cases[] = {\n");
	for (size_t i = 0; i < n; i++) {
		int indep = !tc[i].le_rc && !tc[i].be_rc && tc[i].le == tc[i].be;
		fprintf(out, "\t{\"%s\", b2n_%s__prog, ", tc[i].name, tc[i].name);
		if (tc[i].has_mem && tc[i].mem_len)
			fprintf(out, "mem_%zu, %zu, ", i, tc[i].mem_len);
		else
			fprintf(out, "NULL, 0, ");
		fprintf(out, "0x%" PRIx64 "ull, insns_%zu, %zu, %d, 0x%" PRIx64 "ull, 0x%" PRIx64 "ull},\n",
		        tc[i].expected, i, tc[i].ninsns, indep, tc[i].le, tc[i].be);
	}
	fprintf(out, "};\nconst size_t conf_ncases = %zu;\n\n", n);
	fprintf(out, "const struct conf_skip conf_skips[] = {\n");
	for (size_t i = 0; i < nskips; i++) {
		fprintf(out, "\t{");
		c_string(out, skips[i].target);
		fprintf(out, ", ");
		c_string(out, skips[i].test);
		fprintf(out, ", ");
		c_string(out, skips[i].reason);
		fprintf(out, "},\n");
	}
	fprintf(out, "\t{NULL, NULL, NULL}\n};\nconst size_t conf_nskips = %zu;\n", nskips);
	if (fclose(out)) {
		fprintf(stderr, "%s: error: %s\n", outpath, strerror(errno));
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_harness [--skips FILE] -o OUT.c FILE.data...\n"
	                "       gen_harness --check [--skips FILE] FILE.data...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *outpath = NULL, *skips_path = NULL;
	int check = 0;
	size_t n = 0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--check"))
			check = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outpath = argv[++i];
		else if (!strcmp(argv[i], "--skips") && i + 1 < argc)
			skips_path = argv[++i];
		else
			usage();
	}
	if (i >= argc || (!check && !outpath))
		usage();
	if (skips_path && load_skips(skips_path))
		return 2;
	if (b2n_helper__register(5, unwind_helper)) {
		fprintf(stderr, "gen_harness: error: cannot register helper 5\n");
		return 2;
	}

	int bad = 0;
	for (; i < argc; i++) {
		tc = xrealloc(tc, (n + 1) * sizeof(*tc));
		if (parse_case(argv[i], &tc[n])) {
			bad++;
			continue;
		}
		run_interp(&tc[n], 0, &tc[n].le_rc, &tc[n].le);
		run_interp(&tc[n], 1, &tc[n].be_rc, &tc[n].be);
		n++;
	}
	/* A skip entry must name a real test: the list stays honest. */
	for (size_t s = 0; s < nskips; s++) {
		size_t k;
		for (k = 0; k < n && strcmp(tc[k].name, skips[s].test); k++)
			;
		if (k == n && !bad) {
			fprintf(stderr, "%s: error: skip entry for unknown test '%s'\n", skips_path,
			        skips[s].test);
			bad++;
		}
	}
	if (bad && !check)
		return 1;

	if (!check)
		return emit(outpath, tc, n) ? 1 : 0;

	size_t pass = 0, fail = 0, skipped = 0;
	for (size_t k = 0; k < n; k++) {
		const char *why = skip_reason("interp", tc[k].name);
		if (why) {
			printf("SKIP %s: %s\n", tc[k].name, why);
			skipped++;
		} else if (tc[k].le_rc) {
			printf("FAIL %s: interpreter error %d (%s), expected 0x%" PRIx64 "\n",
			       tc[k].name, tc[k].le_rc, strerror(-tc[k].le_rc), tc[k].expected);
			fail++;
		} else if (tc[k].le != tc[k].expected) {
			printf("FAIL %s: interpreter 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
			       tc[k].name, tc[k].le, tc[k].expected);
			fail++;
		} else {
			pass++;
		}
	}
	size_t indep = 0;
	for (size_t k = 0; k < n; k++)
		indep += !tc[k].le_rc && !tc[k].be_rc && tc[k].le == tc[k].be;
	printf("(%zu of %zu programs give the same result in both byte orders)\n", indep, n);
	printf("conformance[interp]: %zu passed, %zu failed, %zu skipped\n", pass, fail + (size_t)bad,
	       skipped);
	return fail || bad ? 1 : 0;
}
