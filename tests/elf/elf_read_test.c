/*
 * elf_read_test.c - host test of the ELF reader (frontend/elf.c).
 *
 * Modes, each taking BPF objects built from the sources of this folder:
 *   progs OBJ...        objects of progs.c: b2n_input__open must find exactly
 *                       the programs of ELF_TEST_PROGS with their sections,
 *                       native symbols and number of functions; every local
 *                       call must land on a function start (the instruction
 *                       before it ends a function); and each program, run by
 *                       the reference interpreter (b2n_interp__run, in the
 *                       object's byte order) on several contexts, must return
 *                       what the same C compiled natively returns.
 *   nosym OBJ...        objects of nosym.s (no function symbols): one program
 *                       named after its section, checked against a formula.
 *   error TEXT OBJ      opening must fail with exactly one line containing
 *                       TEXT.
 *   fuzz OBJ...         truncations and random byte corruptions of valid
 *                       objects: b2n_elf__read (then b2n_prog__check) must
 *                       never crash, and must report exactly one line when
 *                       it fails.  Best run in the sanitizer build.
 *                       B2N_FUZZ_ITERS (10000), B2N_FUZZ_SEED, and
 *                       B2N_FUZZ_VERIFY=1 (also b2n_prog__verify) tune it.
 * Exit status 0 on success, 1 on failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/runtime.h>

#include "frontend/frontend.h"
#include "progs.h"

#define X(name, sec, nf) long name(struct elf_ctx *c);
ELF_TEST_PROGS(X)
#undef X

static const struct expect {
	const char *name, *section;
	size_t nfuncs;
	long (*fn)(struct elf_ctx *c);
} expected[] = {
#define X(name, sec, nf) {#name, sec, nf, name},
    ELF_TEST_PROGS(X)
#undef X
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static int failures;
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "FAIL: " __VA_ARGS__);                                             \
		fputc('\n', stderr);                                                               \
		failures++;                                                                        \
	} while (0)

/* ---- captured diagnostics ----------------------------------------------- */

static char captured[8192];
static size_t captured_len;

static int capture(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	int n = vsnprintf(captured + captured_len, sizeof(captured) - captured_len, fmt, ap);
	if (n > 0)
		captured_len += (size_t)n;
	if (captured_len >= sizeof(captured))
		captured_len = sizeof(captured) - 1;
	return n;
}

static size_t captured_lines(void)
{
	size_t n = 0;
	for (size_t i = 0; i < captured_len; i++)
		n += captured[i] == '\n';
	return n;
}

/* ---- helpers ------------------------------------------------------------ */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;
static unsigned long long rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_ctx(struct elf_ctx *c, unsigned seed)
{
	rng_state = 0x9e3779b97f4a7c15ULL * (seed + 1);
	for (int i = 0; i < 16; i++)
		c->w[i] = seed == 0 ? (unsigned)i : (unsigned)rng();
	for (int i = 0; i < 8; i++)
		c->q[i] = seed == 0 ? (unsigned long long)i * 0x100000001ULL : rng();
	for (int i = 0; i < 64; i++)
		c->b[i] = (unsigned char)(seed == 0 ? (uint64_t)i : rng());
}

/* The context as a big-endian machine lays it out. */
static void swap_ctx(struct elf_ctx *c)
{
	for (int i = 0; i < 16; i++)
		c->w[i] = __builtin_bswap32(c->w[i]);
	for (int i = 0; i < 8; i++)
		c->q[i] = __builtin_bswap64(c->q[i]);
}

static int open_obj(const char *path, struct b2n_input **obj)
{
	/* progs.c's programs take a made-up context (struct elf_ctx) in "xdp",
	 * "socket" and "tc" sections: no context rules for them. */
	struct b2n_open_opts o = {
	    .sz = sizeof(o), .kind = B2N_IN_AUTO, .force_prog_type = 1, .prog_type = 0};
	/* Known false refusal of the safety pass (README): clang -O0 reloads
	 * bubble's loop index from the stack after its bounds check, and the
	 * pass does not yet link a spilled copy to the register the check
	 * refined (the kernel's find_equal_scalars).  This test is about
	 * reading objects: the -O0 object is opened as trusted code. */
	o.unsafe = strstr(path, "clang_O0") != NULL;
	captured_len = 0;
	captured[0] = 0;
	int err = b2n_input__open(path, &o, obj);
	if (err)
		FAIL("%s: open failed (%d): %s", path, err, captured);
	return err;
}

static int is_function_end(const struct b2n_prog *p, size_t t)
{
	struct b2n_form f;
	if (t == 0)
		return 1;
	/* t - 1 must be a whole instruction (not the second slot of an lddw)
	 * that cannot fall through. */
	for (size_t i = 0; i < p->ninsns; i++) {
		if (b2n_isa_classify(&p->insns[i], &f))
			return 0;
		size_t next = i + (size_t)f.slots;
		if (next == t)
			return f.family == B2N_F_EXIT || f.family == B2N_F_JA;
		if (next > t)
			return 0;
		i = next - 1;
	}
	return 0;
}

static void check_calls(const char *path, const struct b2n_prog *p)
{
	for (size_t i = 0; i < p->ninsns; i++) {
		struct b2n_form f;
		if (b2n_isa_classify(&p->insns[i], &f))
			continue;
		if (f.family != B2N_F_CALL_LOCAL)
			continue;
		long t = (long)i + 1 + p->insns[i].imm;
		if (t < 0 || t >= (long)p->ninsns)
			FAIL("%s: %s: call at %zu goes to %ld, outside [0, %zu)", path, p->name, i,
			     t, p->ninsns);
		else if (!is_function_end(p, (size_t)t))
			FAIL("%s: %s: call at %zu lands on %ld, which is not a function start",
			     path, p->name, i, t);
	}
}

static uint64_t interp(const struct b2n_input *obj, const struct b2n_prog *p,
                       const struct elf_ctx *c, int *err)
{
	struct elf_ctx copy = *c;
	struct b2n_interp_opts o = {.sz = sizeof(o), .big_endian = obj->big_endian};
	uint64_t r0 = 0;
	if (obj->big_endian)
		swap_ctx(&copy);
	*err = b2n_interp__run(p->insns, p->ninsns, &copy, 0, &o, &r0);
	return r0;
}

/* ---- modes -------------------------------------------------------------- */

static void test_progs(const char *path)
{
	struct b2n_input *obj;
	size_t runs = 0;
	if (open_obj(path, &obj))
		return;
	if (obj->nprogs != NEXPECTED)
		FAIL("%s: %zu programs, expected %zu", path, obj->nprogs, NEXPECTED);
	for (size_t k = 0; k < NEXPECTED; k++) {
		const struct expect *e = &expected[k];
		const struct b2n_prog *p = NULL;
		char sym[256];
		for (size_t i = 0; i < obj->nprogs; i++)
			if (!strcmp(obj->progs[i].name, e->name))
				p = &obj->progs[i];
		if (!p) {
			FAIL("%s: program %s not found", path, e->name);
			continue;
		}
		if (!p->section || strcmp(p->section, e->section))
			FAIL("%s: %s: section %s, expected %s", path, e->name,
			     p->section ? p->section : "(null)", e->section);
		snprintf(sym, sizeof(sym), "b2n_%s__%s", obj->name, e->name);
		if (strcmp(p->symbol, sym))
			FAIL("%s: %s: symbol %s, expected %s", path, e->name, p->symbol, sym);
		if (p->nfuncs != e->nfuncs)
			FAIL("%s: %s: %zu functions, expected %zu", path, e->name, p->nfuncs,
			     e->nfuncs);
		/* .BTF.ext line info: clang -g objects have it, -g0 ones not */
		if (strstr(path, "clang_g.o") &&
		    (!p->lines || !p->lines[0] || strncmp(p->lines[0], "progs.c:", 8)))
			FAIL("%s: %s: no progs.c line for the entry (%s)", path, e->name,
			     p->lines && p->lines[0] ? p->lines[0] : "NULL");
		if (strstr(path, "_clang_v") && p->lines)
			FAIL("%s: %s: lines without BTF", path, e->name);
		check_calls(path, p);
		for (unsigned seed = 0; seed < 6; seed++) {
			struct elf_ctx c;
			int err;
			fill_ctx(&c, seed);
			uint64_t want = (uint64_t)e->fn(&c);
			uint64_t got = interp(obj, p, &c, &err);
			runs++;
			if (err)
				FAIL("%s: %s: interpreter error %d (seed %u)", path, e->name, err,
				     seed);
			else if (got != want)
				FAIL("%s: %s: seed %u: interpreter 0x%llx, native 0x%llx", path,
				     e->name, seed, (unsigned long long)got,
				     (unsigned long long)want);
		}
	}
	printf("%s: %zu programs (%s), %zu interpreter runs compared\n", path, obj->nprogs,
	       obj->big_endian ? "big-endian" : "little-endian", runs);
	b2n_input__free(obj);
}

static void test_nosym(const char *path)
{
	struct b2n_input *obj;
	if (open_obj(path, &obj))
		return;
	if (obj->nprogs != 1) {
		FAIL("%s: %zu programs, expected 1", path, obj->nprogs);
		b2n_input__free(obj);
		return;
	}
	const struct b2n_prog *p = &obj->progs[0];
	char sym[256];
	snprintf(sym, sizeof(sym), "b2n_%s__socket_raw", obj->name);
	if (strcmp(p->name, "socket/raw") || strcmp(p->section, "socket/raw") ||
	    strcmp(p->symbol, sym))
		FAIL("%s: program %s (%s) -> %s, expected socket/raw (socket/raw) -> %s", path,
		     p->name, p->section, p->symbol, sym);
	if (p->nfuncs != 4)
		FAIL("%s: %zu functions, expected 4", path, p->nfuncs);
	check_calls(path, p);
	for (unsigned seed = 0; seed < 4; seed++) {
		struct elf_ctx c;
		int err;
		fill_ctx(&c, seed);
		/* 3*w0 + (((w1 + 5) << 2) + 7), see nosym.s */
		uint64_t want = 3ULL * c.w[0] + (((uint64_t)c.w[1] + 5) << 2) + 7;
		uint64_t got = interp(obj, p, &c, &err);
		if (err || got != want)
			FAIL("%s: seed %u: interpreter %d/0x%llx, expected 0x%llx", path, seed, err,
			     (unsigned long long)got, (unsigned long long)want);
	}
	printf("%s: program %s ok\n", path, p->name);
	b2n_input__free(obj);
}

static void test_error(const char *text, const char *path)
{
	struct b2n_input *obj = NULL;
	captured_len = 0;
	captured[0] = 0;
	int err = b2n_input__open(path, NULL, &obj);
	if (!err) {
		FAIL("%s: opened, expected an error containing \"%s\"", path, text);
		b2n_input__free(obj);
		return;
	}
	if (captured_lines() != 1 || !strstr(captured, text))
		FAIL("%s: diagnostic \"%s\" is not one line containing \"%s\"", path, captured,
		     text);
	else
		printf("%s: %s", path, captured);
	if (obj)
		FAIL("%s: *out set on failure", path);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf;
	if (b2n_read_file(path, &buf, len))
		return NULL;
	return buf;
}

static int fuzz_verify;

/* One reading of a (possibly corrupt) image.  Returns 0 if it was accepted. */
static int read_image(const unsigned char *buf, size_t len, int *bad)
{
	struct b2n_input *obj = b2n_xcalloc(1, sizeof(*obj));
	obj->path = b2n_strdup("fuzz.o");
	obj->name = b2n_strdup("fuzz");
	obj->kind = B2N_IN_ELF;
	obj->big_endian = -1;
	captured_len = 0;
	captured[0] = 0;
	int err = b2n_elf__read(obj, buf, len);
	for (size_t i = 0; !err && i < obj->nprogs; i++)
		err = b2n_prog__check(obj, &obj->progs[i]);
	/* B2N_FUZZ_VERIFY=1: run the analysis pass on what was accepted too. */
	for (size_t i = 0; !err && fuzz_verify && i < obj->nprogs; i++) {
		struct b2n_verify_opts vo = {.sz = sizeof(vo), .allow_uninit = 1};
		err = b2n_prog__verify(obj, &obj->progs[i], &vo);
	}
	if (err && captured_lines() != 1) {
		*bad = 1;
		fprintf(stderr, "FAIL: error %d with %zu diagnostic lines: %s", err,
		        captured_lines(), captured);
	}
	if (!err && captured_lines() != 0) {
		*bad = 1;
		fprintf(stderr, "FAIL: success with diagnostics: %s", captured);
	}
	if (err > 0) {
		*bad = 1;
		fprintf(stderr, "FAIL: positive error %d\n", err);
	}
	b2n_input__free(obj);
	return err;
}

static void test_fuzz(const char *path)
{
	size_t len, accepted = 0, rejected = 0;
	unsigned char *orig = slurp(path, &len);
	if (!orig) {
		FAIL("%s: cannot read", path);
		return;
	}
	unsigned char *buf = malloc(len ? len : 1);
	int bad = 0;

	/* The intact object must be accepted. */
	if (read_image(orig, len, &bad))
		FAIL("%s: intact object rejected: %s", path, captured);
	/* Every truncation. */
	for (size_t n = 0; n < len; n++) {
		memcpy(buf, orig, n);
		if (read_image(buf, n, &bad))
			rejected++;
		else
			accepted++;
	}
	/* Random corruption of 1 to 8 bytes, half of them in the ELF header
	 * or the last third of the file (where both compilers put the
	 * symbol table, relocations and section headers).  B2N_FUZZ_ITERS
	 * and B2N_FUZZ_SEED allow longer runs. */
	const char *env = getenv("B2N_FUZZ_VERIFY");
	fuzz_verify = env && atoi(env);
	env = getenv("B2N_FUZZ_ITERS");
	long iters = env ? atol(env) : 10000;
	env = getenv("B2N_FUZZ_SEED");
	rng_state = env ? strtoull(env, NULL, 0) * 0x9e3779b97f4a7c15ULL + 1 : 12345;
	for (long it = 0; it < iters; it++) {
		memcpy(buf, orig, len);
		int nb = 1 + (int)(rng() % 8);
		for (int k = 0; k < nb; k++) {
			size_t at = (size_t)(rng() % len);
			if (rng() % 2)
				at = rng() % 4 ? len - 1 - (size_t)(rng() % (len / 3 + 1))
				               : (size_t)(rng() % 64);
			if (at >= len)
				at = len - 1;
			switch (rng() % 4) {
			case 0:
				buf[at] = (unsigned char)rng();
				break;
			case 1:
				buf[at] ^= (unsigned char)(1u << (rng() % 8));
				break;
			case 2:
				buf[at] = 0xff;
				break;
			default:
				buf[at] = 0;
				break;
			}
		}
		if (read_image(buf, len, &bad))
			rejected++;
		else
			accepted++;
	}
	/* Wrong class and machine are -ENOEXEC. */
	memcpy(buf, orig, len);
	buf[4] = 1; /* ELFCLASS32 */
	struct b2n_input o = {.path = "class.o", .name = "x"};
	captured_len = 0;
	if (b2n_elf__read(&o, buf, len) != -ENOEXEC || captured_lines() != 1)
		FAIL("%s: ELFCLASS32 not refused with -ENOEXEC: %s", path, captured);
	memcpy(buf, orig, len);
	buf[18] = buf[5] == 1 ? 62 : 0; /* e_machine = EM_X86_64 */
	buf[19] = buf[5] == 1 ? 0 : 62;
	captured_len = 0;
	if (b2n_elf__read(&o, buf, len) != -ENOEXEC || captured_lines() != 1 ||
	    !strstr(captured, "not a valid BPF ELF object: ELF machine 62"))
		FAIL("%s: EM_X86_64 not refused with -ENOEXEC: %s", path, captured);
	if (bad)
		failures++;
	printf("%s: fuzz: %zu corrupt images accepted, %zu rejected, %s\n", path, accepted,
	       rejected, bad ? "FAILED" : "all handled");
	free(buf);
	free(orig);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s progs|nosym|fuzz OBJ... | error TEXT OBJ\n", argv[0]);
		return 2;
	}
	b2n_set_print(capture);
	const char *mode = argv[1];
	if (!strcmp(mode, "error")) {
		if (argc != 4) {
			fprintf(stderr, "usage: %s error TEXT OBJ\n", argv[0]);
			return 2;
		}
		test_error(argv[2], argv[3]);
	} else {
		for (int i = 2; i < argc; i++) {
			if (!strcmp(mode, "progs"))
				test_progs(argv[i]);
			else if (!strcmp(mode, "nosym"))
				test_nosym(argv[i]);
			else if (!strcmp(mode, "fuzz"))
				test_fuzz(argv[i]);
			else {
				fprintf(stderr, "unknown mode %s\n", mode);
				return 2;
			}
		}
	}
	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
