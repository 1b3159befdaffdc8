/*
 * asm_test.c - unit tests of the assembler and disassembler (frontend/asm.c,
 * frontend/disasm.c).
 *
 * Usage: asm_test DATA_DIR.  For every *.data file of DATA_DIR: assemble it,
 * disassemble every instruction with b2n_disasm__insn, re-assemble that text
 * and compare the bytes; do the same with b2n_disasm__prog(with_labels=1);
 * when the file has a "-- raw" section (one little-endian 64-bit word per
 * instruction) compare the assembled bytes with it.  Then targeted checks:
 * exact encodings written down by hand from RFC 9669 (one per family), label
 * rules, error cases (each must return -EINVAL and name path:line), and the
 * disassembler's .invalid / truncated-lddw output.  Prints each failure, then
 * "N passed, M failed"; exits non-zero on any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

static int passed, failed;

static void fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed++;
}

/* Diagnostics are captured (not printed) so that error cases stay quiet. */
static char last_diag[1024];
static int quiet_print(enum b2n_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vsnprintf(last_diag, sizeof(last_diag), fmt, ap);
}

static void to_bytes(const struct b2n_insn *in, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++)
		b2n_insn_encode(&in[i], out + 8 * i, 0);
}

static int same_bytes(const struct b2n_insn *a, size_t na, const struct b2n_insn *b, size_t nb)
{
	unsigned char *ba, *bb;
	int same;

	if (na != nb)
		return 0;
	ba = malloc(8 * na + 1);
	bb = malloc(8 * nb + 1);
	to_bytes(a, na, ba);
	to_bytes(b, nb, bb);
	same = memcmp(ba, bb, 8 * na) == 0;
	free(ba);
	free(bb);
	return same;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)len + 1);
	if (fread(s, 1, (size_t)len, f) != (size_t)len) {
		free(s);
		fclose(f);
		return NULL;
	}
	s[len] = 0;
	fclose(f);
	return s;
}

/* Compare with the "-- raw" section, if any.  Returns -1 without one. */
static int check_raw(const char *text, const struct b2n_insn *insns, size_t n, const char *name)
{
	const char *p = strstr(text, "\n-- raw\n");
	size_t i = 0;

	if (!p)
		return -1;
	p += 8;
	while (*p && strncmp(p, "-- ", 3)) {
		char *end;
		unsigned long long w = strtoull(p, &end, 0);
		if (end != p) {
			unsigned char want[8], got[8];
			for (int b = 0; b < 8; b++)
				want[b] = (unsigned char)(w >> (8 * b));
			if (i >= n) {
				fail(name, "raw section longer than assembled program (%zu)", n);
				return 0;
			}
			b2n_insn_encode(&insns[i], got, 0);
			if (memcmp(want, got, 8)) {
				fail(name, "raw word %zu: want 0x%016llx", i, w);
				return 0;
			}
			i++;
			p = end;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	if (i != n) {
		fail(name, "raw section has %zu words, assembled %zu", i, n);
		return 0;
	}
	return 1;
}

/* Disassemble insn by insn into one text (skipping lddw second slots). */
static char *disasm_flat(const struct b2n_insn *insns, size_t n, const char *name)
{
	size_t cap = 64 * n + 64, pos = 0;
	char *s = malloc(cap);

	s[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char line[256];
		struct b2n_form f;
		int len = b2n_disasm__insn(insns, n, i, line, sizeof(line));
		if (len < 0 || (size_t)len != strlen(line)) {
			fail(name, "insn %zu: return %d != strlen %zu", i, len, strlen(line));
		}
		if (pos + strlen(line) + 2 > cap) {
			cap = 2 * cap + strlen(line);
			s = realloc(s, cap);
		}
		pos += (size_t)sprintf(s + pos, "%s\n", line);
		if (!b2n_isa_classify(&insns[i], &f) && f.slots == 2)
			i++;
	}
	return s;
}

static char *disasm_labels(const struct b2n_insn *insns, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	b2n_disasm__prog(insns, n, f, 1);
	fclose(f);
	return s;
}

static int roundtrip(const char *name, const char *kind, const char *text,
                     const struct b2n_insn *insns, size_t n)
{
	struct b2n_insn *again = NULL;
	size_t nagain = 0;
	int rc = b2n_asm__parse(name, text, &again, &nagain);

	if (rc) {
		fail(name, "%s disassembly does not re-assemble (%s):\n%s", kind, last_diag, text);
		return 0;
	}
	if (!same_bytes(insns, n, again, nagain)) {
		size_t i = 0;
		unsigned char a[8] = {0}, b[8] = {0};
		for (; i < n && i < nagain; i++) {
			b2n_insn_encode(&insns[i], a, 0);
			b2n_insn_encode(&again[i], b, 0);
			if (memcmp(a, b, 8))
				break;
		}
		fail(name,
		     "%s round trip differs at slot %zu of %zu/%zu: %02x %02x %02x%02x "
		     "%02x%02x%02x%02x != %02x %02x %02x%02x %02x%02x%02x%02x:\n%s",
		     kind, i, n, nagain, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1],
		     b[2], b[3], b[4], b[5], b[6], b[7], text);
		free(again);
		return 0;
	}
	free(again);
	return 1;
}

static void test_file(const char *dir, const char *file)
{
	char path[4096];
	char *text, *flat, *lab;
	struct b2n_insn *insns = NULL;
	size_t n = 0;
	int ok = 1, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = read_text(path);
	if (!text) {
		fail(file, "cannot read %s", path);
		return;
	}
	rc = b2n_asm__parse(path, text, &insns, &n);
	if (rc) {
		fail(file, "does not assemble: %s", last_diag);
		free(text);
		return;
	}
	flat = disasm_flat(insns, n, file);
	if (strstr(flat, ".invalid")) {
		fail(file, "disassembly holds .invalid:\n%s", flat);
		ok = 0;
	}
	ok &= roundtrip(file, "flat", flat, insns, n);
	lab = disasm_labels(insns, n);
	ok &= roundtrip(file, "labelled", lab, insns, n);
	if (check_raw(text, insns, n, file) == 0)
		ok = 0;
	if (ok)
		passed++;
	free(flat);
	free(lab);
	free(insns);
	free(text);
}

/* ---- targeted checks ---------------------------------------------------- */

struct enc_case {
	const char *src;
	size_t nbytes;
	unsigned char bytes[16];
};

/* Bytes derived by hand from RFC 9669 section 3 (little-endian encoding:
 * opcode, src:4|dst:4, off le16, imm le32). */
static const struct enc_case enc_cases[] = {
    /* BPF_ALU64|BPF_K|BPF_MOV = 0x07|0x00|0xb0; imm -1 */
    {"mov %r0, -1", 8, {0xb7, 0x00, 0, 0, 0xff, 0xff, 0xff, 0xff}},
    /* BPF_ALU|BPF_K|BPF_MOV, unsigned hex keeps its bits */
    {"mov32 %r1, 0xffffffff", 8, {0xb4, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff}},
    /* BPF_ALU|BPF_K|BPF_DIV = 0x34, off 1 = signed */
    {"sdiv32 %r1, -3", 8, {0x34, 0x01, 0x01, 0x00, 0xfd, 0xff, 0xff, 0xff}},
    /* BPF_ALU64|BPF_X|BPF_MOV = 0xbf, off 32 = movsx from 32 bits */
    {"movsx3264 %r1, %r2", 8, {0xbf, 0x21, 0x20, 0x00, 0, 0, 0, 0}},
    /* BPF_ALU|BPF_X|BPF_MOV = 0xbc, off 8 */
    {"movsx832 %r3, %r4", 8, {0xbc, 0x43, 0x08, 0x00, 0, 0, 0, 0}},
    /* BPF_ALU|BPF_NEG = 0x84 */
    {"neg32 %r3", 8, {0x84, 0x03, 0, 0, 0, 0, 0, 0}},
    /* BPF_ALU64|BPF_X|BPF_ADD = 0x0f */
    {"add %r9, %r10", 8, {0x0f, 0xa9, 0, 0, 0, 0, 0, 0}},
    /* BPF_ALU|BPF_TO_LE|BPF_END = 0xd4, imm = width */
    {"le16 %r5", 8, {0xd4, 0x05, 0, 0, 0x10, 0, 0, 0}},
    /* BPF_ALU|BPF_TO_BE|BPF_END = 0xdc */
    {"be32 %r5", 8, {0xdc, 0x05, 0, 0, 0x20, 0, 0, 0}},
    /* BPF_ALU64|BPF_END = 0xd7 (bswap), and the swap alias */
    {"bswap64 %r6", 8, {0xd7, 0x06, 0, 0, 0x40, 0, 0, 0}},
    {"swap16 %r6", 8, {0xd7, 0x06, 0, 0, 0x10, 0, 0, 0}},
    /* BPF_JMP32|BPF_JA = 0x06, offset in imm */
    {"ja32 +5", 8, {0x06, 0x00, 0, 0, 0x05, 0, 0, 0}},
    /* BPF_JMP|BPF_JA = 0x05, offset in off */
    {"ja -2", 8, {0x05, 0x00, 0xfe, 0xff, 0, 0, 0, 0}},
    /* BPF_JMP|BPF_K|BPF_JEQ = 0x15 */
    {"jeq %r1, 0x80000000, +1", 8, {0x15, 0x01, 0x01, 0x00, 0, 0, 0, 0x80}},
    /* BPF_JMP32|BPF_X|BPF_JSGT = 0x06|0x08|0x60 = 0x6e */
    {"jsgt32 %r1, %r2, -3", 8, {0x6e, 0x21, 0xfd, 0xff, 0, 0, 0, 0}},
    /* BPF_JMP|BPF_CALL = 0x85, src 0 = helper */
    {"call 5", 8, {0x85, 0x00, 0, 0, 0x05, 0, 0, 0}},
    {"call helper 7", 8, {0x85, 0x00, 0, 0, 0x07, 0, 0, 0}},
    /* src 1 = local call, imm = relative target */
    {"call local +3", 8, {0x85, 0x10, 0, 0, 0x03, 0, 0, 0}},
    /* BPF_JMP|BPF_X|BPF_CALL = 0x8d, register in dst */
    {"call %r2", 8, {0x8d, 0x02, 0, 0, 0, 0, 0, 0}},
    /* BPF_JMP|BPF_EXIT = 0x95 */
    {"exit", 8, {0x95, 0, 0, 0, 0, 0, 0, 0}},
    /* BPF_LDX|BPF_MEM|BPF_B = 0x71, no offset */
    {"ldxb %r0, [%r1]", 8, {0x71, 0x10, 0, 0, 0, 0, 0, 0}},
    /* BPF_LDX|BPF_MEM|BPF_DW = 0x79 */
    {"ldxdw %r2, [%r10-16]", 8, {0x79, 0xa2, 0xf0, 0xff, 0, 0, 0, 0}},
    /* BPF_LDX|BPF_MEMSX|BPF_H = 0x01|0x80|0x08 = 0x89 */
    {"ldxsh %r3, [%r4-2]", 8, {0x89, 0x43, 0xfe, 0xff, 0, 0, 0, 0}},
    /* BPF_ST|BPF_MEM|BPF_B = 0x72 */
    {"stb [%r1+3], 0xff", 8, {0x72, 0x01, 0x03, 0x00, 0xff, 0, 0, 0}},
    /* BPF_STX|BPF_MEM|BPF_DW = 0x7b */
    {"stxdw [%r10-8], %r9", 8, {0x7b, 0x9a, 0xf8, 0xff, 0, 0, 0, 0}},
    /* BPF_STX|BPF_ATOMIC|BPF_DW = 0xdb, imm BPF_ADD|BPF_FETCH = 0x01 */
    {"lock fetch add [%r10-8], %r1", 8, {0xdb, 0x1a, 0xf8, 0xff, 0x01, 0, 0, 0}},
    /* BPF_STX|BPF_ATOMIC|BPF_W = 0xc3, imm BPF_OR = 0x40 */
    {"lock or32 [%r1+8], %r2", 8, {0xc3, 0x21, 0x08, 0x00, 0x40, 0, 0, 0}},
    /* BPF_CMPXCHG = 0xf0|BPF_FETCH */
    {"lock cmpxchg32 [%r2+4], %r3", 8, {0xc3, 0x32, 0x04, 0x00, 0xf1, 0, 0, 0}},
    /* BPF_XCHG = 0xe0|BPF_FETCH */
    {"lock xchg [%r1], %r2", 8, {0xdb, 0x21, 0, 0, 0xe1, 0, 0, 0}},
    /* BPF_LD|BPF_IMM|BPF_DW = 0x18, two slots, low word first */
    {"lddw %r0, 0x1122334455667788",
     16,
     {0x18, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11}},
    {"lddw %r3, -2",
     16,
     {0x18, 0x03, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}},
    /* %r11..%r15 are encoded as is (invalid programs for the checker) */
    {"mov %r15, %r11", 8, {0xbf, 0xbf, 0, 0, 0, 0, 0, 0}},
    /* comment glued to an operand */
    {"mov %r0, 0x1#comment", 8, {0xb7, 0, 0, 0, 1, 0, 0, 0}},
};

static void test_encodings(void)
{
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *e = &enc_cases[i];
		struct b2n_insn *insns = NULL;
		unsigned char got[16];
		size_t n = 0;

		if (b2n_asm__parse("enc.s", e->src, &insns, &n)) {
			fail(e->src, "does not assemble: %s", last_diag);
			continue;
		}
		if (n * 8 != e->nbytes) {
			fail(e->src, "%zu slots, want %zu", n, e->nbytes / 8);
			free(insns);
			continue;
		}
		to_bytes(insns, n, got);
		if (memcmp(got, e->bytes, e->nbytes)) {
			fail(e->src, "wrong encoding");
			for (size_t b = 0; b < e->nbytes; b++)
				fprintf(stderr, " %02x/%02x", got[b], e->bytes[b]);
			fputc('\n', stderr);
		} else {
			passed++;
		}
		free(insns);
	}
}

/* Programs whose assembled form is checked field by field. */
static void expect_prog(const char *what, const char *src, const struct b2n_insn *want,
                        size_t nwant)
{
	struct b2n_insn *insns = NULL;
	size_t n = 0;

	if (b2n_asm__parse("prog.s", src, &insns, &n)) {
		fail(what, "does not assemble: %s", last_diag);
		return;
	}
	if (!same_bytes(insns, n, want, nwant))
		fail(what, "wrong encoding");
	else
		passed++;
	free(insns);
}

static void test_labels(void)
{
	/* undefined "exit" = first exit; explicit label wins */
	static const struct b2n_insn first_exit[] = {
	    {0x05, 0, 0, 1, 0}, {0xb7, 0, 0, 0, 1},  {0x95, 0, 0, 0, 0},
	    {0x95, 0, 0, 0, 0}, {0x05, 0, 0, -3, 0},
	};
	static const struct b2n_insn explicit_exit[] = {
	    {0x05, 0, 0, 1, 0},
	    {0x95, 0, 0, 0, 0},
	    {0xb7, 0, 0, 0, 1},
	    {0x95, 0, 0, 0, 0},
	};
	/* lddw counts two slots; call local and ja32 take imm */
	static const struct b2n_insn slots[] = {
	    {0x85, 0, 1, 0, 2},  {0x18, 1, 0, 0, 1}, {0, 0, 0, 0, 0},
	    {0x06, 0, 0, 0, -4}, {0x95, 0, 0, 0, 0},
	};
	/* section markers: only "-- asm" is read */
	static const struct b2n_insn sect[] = {{0xb7, 0, 0, 0, 7}, {0x95, 0, 0, 0, 0}};

	expect_prog("exit label", "ja exit\nmov %r0, 1\nexit\nexit\nja exit\n", first_exit, 5);
	expect_prog("explicit exit label", "ja exit\nexit\nexit:\nmov %r0, 1\nexit\n",
	            explicit_exit, 4);
	expect_prog("lddw slots", "call local f\nlddw %r1, 1\nf:\nja32 -4\nexit\n", slots, 5);
	expect_prog("sections",
	            "# header\n-- c\nint x;\n-- asm\n  mov\t%r0, 7 # c\n\nexit\n-- result\n0x7\n"
	            "-- mem\n00 01\n",
	            sect, 2);
}

struct err_case {
	const char *src;
	const char *needle; /* expected in the diagnostic */
};

static const struct err_case err_cases[] = {
    {"mov %r0, 1\naddd %r0, 1\n", "err.s:2: error: unknown mnemonic 'addd'"},
    {"mov %r16, 1\n", "err.s:1: error: bad register '%r16'"},
    {"mov %r0, %r1x\n", "bad register"},
    {"mov %x0, 1\n", "bad register"},
    {"ja nowhere\nexit\n", "err.s:1: error: undefined label 'nowhere'"},
    {"mov %r0\n", "'mov' takes 2 operands, got 1"},
    {"mov %r0, 1, 2\n", "operands"},
    {"neg %r0, 1\n", "takes 1 operand"},
    {"exit %r0\n", "takes 0 operands"},
    {"jeq %r0, 1\n", "takes 3 operands"},
    {"mov %r0, 0x100000000\n", "out of range"},
    {"mov32 %r0, -2147483649\n", "out of range"},
    {"lddw %r0, 0x10000000000000000\n", "out of range"},
    {"ldxw %r0, [%r1+32768]\n", "out of range"},
    {"jeq %r0, 0, +32768\n", "out of range"},
    {"mov %r0, 12z\n", "bad immediate"},
    {"movsx864 %r0, 5\n", "needs a register source"},
    {"neg32 %r0, %r1\n", "takes 1 operand"},
    {"lock foo [%r1], %r2\n", "unknown atomic operation"},
    {"ldxw %r0, %r1\n", "bad memory operand"},
    {"x:\nx:\nexit\n", "err.s:2: error: duplicate label 'x'"},
    {"ldxsdw %r0, [%r1]\n", "unknown mnemonic"},
    {"# nothing\n", "no instructions"},
    {"-- asm\n-- result\n0x1\n", "no instructions"},
    {"call\n", "call"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *e = &err_cases[i];
		struct b2n_insn *insns = (struct b2n_insn *)&insns;
		size_t n = 99;
		int rc;

		last_diag[0] = 0;
		rc = b2n_asm__parse("err.s", e->src, &insns, &n);
		if (rc != -EINVAL)
			fail(e->src, "returned %d, want -EINVAL", rc);
		else if (!strstr(last_diag, e->needle))
			fail(e->src, "diagnostic '%s' lacks '%s'", last_diag, e->needle);
		else if (insns || n)
			fail(e->src, "outputs not cleared on error");
		else
			passed++;
	}
}

static void expect_disasm(const struct b2n_insn *insns, size_t n, size_t idx, const char *want)
{
	char buf[256];
	int len = b2n_disasm__insn(insns, n, idx, buf, sizeof(buf));

	if (strcmp(buf, want) || len != (int)strlen(want))
		fail("disasm", "got '%s' (%d), want '%s'", buf, len, want);
	else
		passed++;
}

static void test_disasm(void)
{
	static const struct b2n_insn bad[] = {{0xff, 1, 2, -3, 4}};
	static const struct b2n_insn trunc[] = {{0x18, 2, 0, 0, 0x1234}};
	static const struct b2n_insn misc[] = {
	    {0xd7, 1, 0, 0, 16},                  /* bswap16 */
	    {0x85, 0, 1, 0, -2},                  /* call local -2 */
	    {0xdb, 0x1, 0xa, -8, 0x1},            /* lock fetch add */
	    {0xc3, 2, 3, 4, 0xf1},                /* cmpxchg32 */
	    {0x34, 1, 0, 1, -3},                  /* sdiv32 */
	    {0x44, 1, 0, 0, (int32_t)0x80000000}, /* or32 %r1, 0x80000000 */
	    {0x85, 0, 2, 0, 1},                   /* kfunc call: rejected by classify */
	};
	char small[8];
	int len;

	expect_disasm(bad, 1, 0, ".invalid code=0xff dst=1 src=2 off=-3 imm=4");
	expect_disasm(trunc, 1, 0, "lddw %r2, 0x1234 <truncated: second slot missing>");
	expect_disasm(misc, 7, 0, "bswap16 %r1");
	expect_disasm(misc, 7, 1, "call local -2");
	expect_disasm(misc, 7, 2, "lock fetch add [%r1-8], %r10");
	expect_disasm(misc, 7, 3, "lock cmpxchg32 [%r2+4], %r3");
	expect_disasm(misc, 7, 4, "sdiv32 %r1, -3");
	expect_disasm(misc, 7, 5, "or32 %r1, 0x80000000");
	expect_disasm(misc, 7, 6, ".invalid code=0x85 dst=0 src=2 off=0 imm=1");

	/* snprintf semantics: truncated, NUL-terminated, full length returned */
	len = b2n_disasm__insn(misc, 7, 3, small, sizeof(small));
	if (len != (int)strlen("lock cmpxchg32 [%r2+4], %r3") || strlen(small) != sizeof(small) - 1)
		fail("disasm", "truncation: len %d, '%s'", len, small);
	else
		passed++;

	/* labelled form of a small program */
	{
		static const struct b2n_insn prog[] = {
		    {0x15, 1, 0, 1, 0},
		    {0xb7, 0, 0, 0, 1},
		    {0x95, 0, 0, 0, 0},
		};
		const char *want = "jeq %r1, 0, L2\nmov %r0, 1\nL2:\nexit\n";
		char *got = disasm_labels(prog, 3);
		if (strcmp(got, want))
			fail("disasm labels", "got:\n%s", got);
		else
			passed++;
		free(got);
	}
}

/* Random valid instructions (fixed seed) must round-trip too: this covers
 * every opcode/field combination that classify accepts, not just the ones
 * the .data files happen to use. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static int32_t rnd_imm(void)
{
	switch (rnd() % 5) {
	case 4: /* an atomic operation, maybe with fetch */
		return b2n_atomic_table[rnd() % B2N_ARRAY_LEN(b2n_atomic_table)].imm |
		       (int32_t)(rnd() % 2);
	case 0:
		return (int32_t)(rnd() % 64);
	case 1:
		return -(int32_t)(rnd() % 64);
	case 2:
		return (int32_t)rnd();
	default:
		return (int32_t)(rnd() % 3) * 16 + 16;
	}
}

static void test_random(void)
{
	enum { PROGS = 400, LEN = 48 };
	size_t tried = 0, kept = 0;
	int bad = 0;

	for (int p = 0; p < PROGS && !bad; p++) {
		struct b2n_insn prog[LEN];
		size_t n = 0;
		char *flat, *lab;

		while (n < LEN) {
			struct b2n_insn in;
			struct b2n_form f;
			/* each field is zero half of the time, so that forms with
			 * reserved fields (exit, ja, call, ALU off) come up too */
			in.code = (uint8_t)rnd();
			if (rnd() % 4 == 0) /* rare forms: call, exit, ja, byte order */
				in.code = (uint8_t)((rnd() % 2 ? 0xd0 : (rnd() % 3) << 7 & 0x90) |
				                    (rnd() % 8));
			in.dst = (uint8_t)(rnd() % 2 ? 0 : rnd() % 16);
			in.src = (uint8_t)(rnd() % 2 ? 0 : rnd() % 16);
			in.off = (int16_t)(rnd() % 2   ? 0
			                   : rnd() % 2 ? (int)(rnd() % 17) - 8
			                   : rnd() % 2 ? (int)(rnd() % 5) * 8
			                               : (int16_t)rnd());
			in.imm = rnd() % 2 ? 0 : rnd_imm();
			tried++;
			if (b2n_isa_classify(&in, &f))
				continue;
			if (f.family == B2N_F_ALU && (b2n_alu_table[f.op].flags & B2N_ALUF_UNARY))
				in.imm = 0; /* reserved (classify does not check it) */
			if (f.family == B2N_F_LDABS) {
				/* only the fields the legacy forms use */
				in.dst = 0;
				in.off = 0;
				if ((in.code & 0xe0) != B2N_MODE_IND)
					in.src = 0;
			}
			if (f.slots == 2) {
				if (n + 2 > LEN)
					continue;
				prog[n++] = in;
				prog[n] = (struct b2n_insn){0, 0, 0, 0, (int32_t)rnd()};
				n++;
			} else {
				prog[n++] = in;
			}
			kept++;
		}
		flat = disasm_flat(prog, n, "random");
		lab = disasm_labels(prog, n);
		if (strstr(flat, ".invalid"))
			bad = 1, fail("random", ".invalid in:\n%s", flat);
		else if (!roundtrip("random", "flat", flat, prog, n) ||
		         !roundtrip("random", "labelled", lab, prog, n))
			bad = 1;
		free(flat);
		free(lab);
	}
	if (!bad)
		passed++;
	printf("random round trip: %zu valid instructions of %zu tried\n", kept, tried);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t nnames = 0, files = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	b2n_set_print(quiet_print);
	d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 2;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".data") == 0) {
			names = realloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nnames; i++) {
		test_file(argv[1], names[i]);
		files++;
		free(names[i]);
	}
	free(names);
	if (files == 0)
		fail(argv[1], "no .data files");

	test_encodings();
	test_labels();
	test_errors();
	test_disasm();
	test_random();

	printf("%d passed, %d failed (%zu .data files)\n", passed, failed, files);
	return failed ? 1 : 0;
}
