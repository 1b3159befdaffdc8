/*
 * fuzz_seeds.c - build-time tool: the seed corpus of one fuzz target from
 * the project's own test inputs (tests/fuzz/CMakeLists.txt runs it).
 *
 *   fuzz_seeds elf|asm|raw|compile OUTDIR FILE...
 *
 * FILE is a BPF ELF object (by its magic) or assembly text (conformance
 * .data files, the .asm files of tests/ctx/asm).  Each seed is written in the input
 * format of its target (fuzz.h): ELF objects as they are; asm text after
 * a flags byte whose program type comes from the file name (xdp_, tc_,
 * act_, sock_ prefixes, as in tests/ctx/asm), else none with
 * --allow-uninit; raw bytecode assembled here (b2n_asm__parse, so that
 * programs the verifier refuses still give seeds) in both byte orders;
 * and for the compile target, each of those behind a selector byte that
 * spreads the files over -O0/-O2 and x86_64/sparcv9.  Seeds are named
 * after their source file.  Exit status 0, or 1 on an I/O error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static const char *outdir;

static int quiet(enum b2n_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void put(const char *name, const char *suffix, const unsigned char *hdr, size_t nhdr,
                const void *data, size_t len)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s%s", outdir, name, suffix);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(hdr, 1, nhdr, f) != nhdr || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(p);
		exit(1);
	}
}

/* "dir_base" of path, [A-Za-z0-9_.-] only. */
static void seed_name(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	const char *dir = base;
	while (dir && dir > path && dir[-1] != '/')
		dir--;
	snprintf(out, n, "%.*s%s", dir ? (int)(base - dir) : 0, dir ? dir : "", base ? base : path);
	for (char *q = out; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '.' || *q == '-'))
			*q = '_';
}

static uint8_t type_flags(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	unsigned t = !strncmp(base, "xdp_", 4)                               ? 1
	             : !strncmp(base, "tc_", 3) || !strncmp(base, "act_", 4) ? 2
	             : !strncmp(base, "sock_", 5)                            ? 3
	                                                                     : 0;
	return t ? (uint8_t)(t << FUZZ_F_TYPE_SHIFT) : FUZZ_F_ALLOW_UNINIT;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fuzz_seeds elf|asm|raw|compile OUTDIR FILE...\n");
		return 1;
	}
	const char *kind = argv[1];
	outdir = argv[2];
	b2n_set_print(quiet);
	for (int i = 3; i < argc; i++) {
		unsigned char *buf;
		size_t len;
		char name[512];
		if (b2n_read_file(argv[i], &buf, &len)) {
			fprintf(stderr, "fuzz_seeds: cannot read %s\n", argv[i]);
			return 1;
		}
		seed_name(argv[i], name, sizeof(name));
		int elf = len >= 4 && !memcmp(buf, "\177ELF", 4);
		uint8_t f = type_flags(argv[i]);
		/* compile: alternate -O0/-O2 and, for asm/raw, x86_64/sparcv9 */
		uint8_t osel = (uint8_t)((i & 1) ? 4 : 0) | (uint8_t)((i & 2) ? 8 : 0);
		if (!strcmp(kind, "elf")) {
			if (elf)
				put(name, "", NULL, 0, buf, len);
		} else if (elf) {
			if (!strcmp(kind, "compile"))
				put(name, "", (unsigned char[]){0, osel & 4}, 2, buf, len);
		} else if (!strcmp(kind, "asm")) {
			put(name, "", &f, 1, buf, len);
		} else {
			struct b2n_insn *insns = NULL;
			size_t n = 0;
			if (!strcmp(kind, "compile"))
				put(name, ".s", (unsigned char[]){f, (uint8_t)(2 | osel)}, 2, buf,
				    len);
			if (!b2n_asm__parse(argv[i], (const char *)buf, &insns, &n) && n) {
				unsigned char *raw = b2n_xcalloc(n, 8);
				for (int be = 0; be < 2; be++) {
					for (size_t k = 0; k < n; k++)
						b2n_insn_encode(&insns[k], raw + 8 * k, be);
					uint8_t rf = (uint8_t)(f | (be ? FUZZ_F_BIG_ENDIAN : 0));
					if (!strcmp(kind, "raw"))
						put(name, be ? ".eb" : ".el", &rf, 1, raw, 8 * n);
					else if (!be)
						put(name, ".bin",
						    (unsigned char[]){rf,
						                      (uint8_t)(1 | (osel ^ 4))},
						    2, raw, 8 * n);
				}
				free(raw);
			}
			free(insns);
		}
		free(buf);
	}
	return 0;
}
