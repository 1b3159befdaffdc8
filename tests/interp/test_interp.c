/*
 * test_interp.c - unit tests of the runtime: reference interpreter and
 * helper table.
 *
 * Every test hand-builds a small struct b2n_insn program with the
 * constructors below (opcodes come from the isa.h tables, so the programs
 * say "sdiv32 r0, -1", not 0x34) and compares the result with a value worked
 * out by hand from RFC 9669 / docs/traps.md, never with a second
 * implementation of the same arithmetic.  Memory-touching tests run in both
 * emulated byte orders (opts.big_endian = 0 and 1); the buffers are filled
 * and checked byte by byte, so the expectations do not depend on the host,
 * and the same file also runs on big-endian hosts under qemu (where "host
 * order", i.e. real atomics, is the big-endian case).
 *
 * Output: one line per failed check, then "N passed, M failed"; the exit
 * status is non-zero when anything failed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf2native/isa.h>
#include <bpf2native/runtime.h>

static int n_pass, n_fail;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			n_pass++;                                                                  \
		} else {                                                                           \
			n_fail++;                                                                  \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* ---- instruction constructors (driven by the isa.h tables) -------------- */

static struct b2n_insn mk(uint8_t code, int dst, int src, int off, int32_t imm)
{
	struct b2n_insn in = {code, (uint8_t)dst, (uint8_t)src, (int16_t)off, imm};
	return in;
}

static uint8_t size_bits(int bytes)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++)
		if (b2n_size_table[i].bytes == bytes)
			return b2n_size_table[i].bits;
	abort();
}

static struct b2n_insn alu(int is64, enum b2n_alu_op op, int dst, int x, int src, int32_t imm)
{
	const struct b2n_alu_desc *d = &b2n_alu_table[op];
	uint8_t code =
	    (uint8_t)((is64 ? B2N_CLS_ALU64 : B2N_CLS_ALU) | d->opnibble | (x ? B2N_SRC_X : 0));
	return mk(code, dst, x ? src : 0, d->off, x ? 0 : imm);
}
#define A64K(op, d, imm) alu(1, B2N_ALU_##op, d, 0, 0, imm)
#define A64X(op, d, s) alu(1, B2N_ALU_##op, d, 1, s, 0)
#define A32K(op, d, imm) alu(0, B2N_ALU_##op, d, 0, 0, imm)
#define A32X(op, d, s) alu(0, B2N_ALU_##op, d, 1, s, 0)

static struct b2n_insn endi(enum b2n_end_op op, int dst, int width)
{
	return mk(b2n_end_table[op].code, dst, 0, 0, width);
}
#define END(op, d, w) endi(B2N_END_##op, d, w)

static struct b2n_insn jcc(int is64, enum b2n_jcc_op op, int dst, int x, int src, int32_t imm,
                           int off)
{
	uint8_t code = (uint8_t)((is64 ? B2N_CLS_JMP : B2N_CLS_JMP32) | b2n_jcc_table[op].opnibble |
	                         (x ? B2N_SRC_X : 0));
	return mk(code, dst, x ? src : 0, off, x ? 0 : imm);
}
#define J64K(op, d, imm, off) jcc(1, B2N_##op, d, 0, 0, imm, off)
#define J64X(op, d, s, off) jcc(1, B2N_##op, d, 1, s, 0, off)
#define J32K(op, d, imm, off) jcc(0, B2N_##op, d, 0, 0, imm, off)
#define J32X(op, d, s, off) jcc(0, B2N_##op, d, 1, s, 0, off)
#define JA(off) mk(B2N_CLS_JMP | 0x00, 0, 0, off, 0)
#define JA32(imm) mk(B2N_CLS_JMP32 | 0x00, 0, 0, 0, imm)
#define CALL(id) mk(B2N_CLS_JMP | 0x80, 0, B2N_CALL_HELPER, 0, id)
#define CALL_LOCAL(rel) mk(B2N_CLS_JMP | 0x80, 0, B2N_CALL_LOCAL, 0, rel)
#define CALLX(reg) mk(B2N_CLS_JMP | 0x80 | B2N_SRC_X, reg, 0, 0, 0)
#define EXIT() mk(B2N_CLS_JMP | 0x90, 0, 0, 0, 0)

#define LDX(bytes, d, s, off) mk(B2N_CLS_LDX | B2N_MODE_MEM | size_bits(bytes), d, s, off, 0)
#define LDXSX(bytes, d, s, off) mk(B2N_CLS_LDX | B2N_MODE_MEMSX | size_bits(bytes), d, s, off, 0)
#define ST(bytes, d, off, imm) mk(B2N_CLS_ST | B2N_MODE_MEM | size_bits(bytes), d, 0, off, imm)
#define STX(bytes, d, s, off) mk(B2N_CLS_STX | B2N_MODE_MEM | size_bits(bytes), d, s, off, 0)
static struct b2n_insn atomic(int bytes, enum b2n_atomic_op op, int fetch, int dst, int src,
                              int off)
{
	int32_t imm = b2n_atomic_table[op].imm | (fetch ? B2N_ATOMIC_FETCH : 0);
	return mk(B2N_CLS_STX | B2N_MODE_ATOMIC | size_bits(bytes), dst, src, off, imm);
}
/* LDDW occupies two slots. */
#define LDDW(d, v)                                                                                 \
	mk(B2N_CLS_LD | 0x18, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)),                          \
	    mk(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

/* ---- running ------------------------------------------------------------- */

#define HOST (-1)

static int run_opts(const struct b2n_insn *p, size_t n, void *ctx, uint64_t r2, int be,
                    uint64_t limit, uint64_t *r0)
{
	struct b2n_interp_opts o = {sizeof(o), be, limit};
	*r0 = 0xbad0bad0bad0bad0ull;
	return b2n_interp__run(p, n, ctx, r2, &o, r0);
}

#define RUN(prog, ctx, be, r0p) run_opts(prog, B2N_ARRAY_LEN(prog), ctx, 0, be, 0, r0p)

/* Run prog (no memory) in both byte orders and expect r0 == want in each. */
#define EXPECT_R0(name, prog, want)                                                                \
	do {                                                                                       \
		for (int be_ = 0; be_ <= 1; be_++) {                                               \
			uint64_t r0_;                                                              \
			int rc_ = RUN(prog, NULL, be_, &r0_);                                      \
			CHECK(rc_ == 0 && r0_ == (uint64_t)(want),                                 \
			      "%s (be=%d): rc=%d r0=0x%016" PRIx64 " want 0x%016" PRIx64, name,    \
			      be_, rc_, r0_, (uint64_t)(want));                                    \
		}                                                                                  \
	} while (0)

#define EXPECT_RC(name, prog, want_rc)                                                             \
	do {                                                                                       \
		uint64_t r0_;                                                                      \
		int rc_ = RUN(prog, NULL, HOST, &r0_);                                             \
		CHECK(rc_ == (want_rc), "%s: rc=%d want %d", name, rc_, (int)(want_rc));           \
	} while (0)

/* Byte-order-explicit memory access for setting up and checking buffers. */
static void put(unsigned char *p, int bytes, uint64_t v, int be)
{
	for (int i = 0; i < bytes; i++)
		p[be ? bytes - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char *p, int bytes, int be)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[be ? bytes - 1 - i : i] << (8 * i);
	return v;
}

/* ---- tests --------------------------------------------------------------- */

static void test_div_mod_by_zero(void)
{
	struct b2n_insn div64[] = {LDDW(0, 0x1234567890abcdefull), A64K(MOV, 1, 0), A64X(DIV, 0, 1),
	                           EXIT()};
	struct b2n_insn div64k[] = {A64K(MOV, 0, 7), A64K(DIV, 0, 0), EXIT()};
	struct b2n_insn mod64[] = {LDDW(0, 0x1234567890abcdefull), A64K(MOV, 1, 0), A64X(MOD, 0, 1),
	                           EXIT()};
	struct b2n_insn mod64k[] = {LDDW(0, 0x1234567890abcdefull), A64K(MOD, 0, 0), EXIT()};
	/* 32-bit: divisor register with a zero low half but non-zero high half */
	struct b2n_insn div32[] = {LDDW(0, 0x1234567890abcdefull), LDDW(1, 0x100000000ull),
	                           A32X(DIV, 0, 1), EXIT()};
	struct b2n_insn mod32[] = {LDDW(0, 0x1234567890abcdefull), LDDW(1, 0x100000000ull),
	                           A32X(MOD, 0, 1), EXIT()};
	struct b2n_insn mod32k[] = {LDDW(0, 0x1234567890abcdefull), A32K(MOD, 0, 0), EXIT()};
	struct b2n_insn sdiv64[] = {A64K(MOV, 0, -9), A64K(MOV, 1, 0), A64X(SDIV, 0, 1), EXIT()};
	struct b2n_insn smod64[] = {A64K(MOV, 0, -9), A64K(MOV, 1, 0), A64X(SMOD, 0, 1), EXIT()};
	struct b2n_insn sdiv32[] = {A64K(MOV, 0, -9), A32K(SDIV, 0, 0), EXIT()};
	struct b2n_insn smod32[] = {A64K(MOV, 0, -9), A32K(SMOD, 0, 0), EXIT()};
	struct b2n_insn smod32x[] = {A64K(MOV, 0, -9), A64K(MOV, 1, 0), A32X(SMOD, 0, 1), EXIT()};
	EXPECT_R0("div64 by zero reg", div64, 0);
	EXPECT_R0("div64 by zero imm", div64k, 0);
	EXPECT_R0("mod64 by zero reg", mod64, 0x1234567890abcdefull);
	EXPECT_R0("mod64 by zero imm", mod64k, 0x1234567890abcdefull);
	EXPECT_R0("div32 by zero (high half set)", div32, 0);
	EXPECT_R0("mod32 by zero (high half set)", mod32, 0x90abcdefull);
	EXPECT_R0("mod32 by zero imm", mod32k, 0x90abcdefull);
	EXPECT_R0("sdiv64 by zero", sdiv64, 0);
	EXPECT_R0("smod64 by zero", smod64, (uint64_t)-9);
	EXPECT_R0("sdiv32 by zero", sdiv32, 0);
	EXPECT_R0("smod32 by zero imm", smod32, 0xfffffff7ull);
	EXPECT_R0("smod32 by zero reg", smod32x, 0xfffffff7ull);
}

static void test_signed_div(void)
{
	struct b2n_insn sdiv64[] = {LDDW(0, 0x8000000000000000ull), A64K(SDIV, 0, -1), EXIT()};
	struct b2n_insn sdiv64x[] = {LDDW(0, 0x8000000000000000ull), A64K(MOV, 1, -1),
	                             A64X(SDIV, 0, 1), EXIT()};
	struct b2n_insn smod64[] = {LDDW(0, 0x8000000000000000ull), A64K(SMOD, 0, -1), EXIT()};
	struct b2n_insn smod64x[] = {LDDW(0, 0x8000000000000000ull), A64K(MOV, 1, -1),
	                             A64X(SMOD, 0, 1), EXIT()};
	struct b2n_insn sdiv32[] = {A32K(MOV, 0, INT32_MIN), A32K(SDIV, 0, -1), EXIT()};
	struct b2n_insn sdiv32x[] = {LDDW(0, 0xffffffff80000000ull), A64K(MOV, 1, -1),
	                             A32X(SDIV, 0, 1), EXIT()};
	struct b2n_insn smod32[] = {A32K(MOV, 0, INT32_MIN), A32K(SMOD, 0, -1), EXIT()};
	struct b2n_insn smod32x[] = {A32K(MOV, 0, INT32_MIN), A32K(MOV, 1, -1), A32X(SMOD, 0, 1),
	                             EXIT()};
	struct b2n_insn sdiv_neg[] = {A64K(MOV, 0, -7), A64K(SDIV, 0, 2), EXIT()};
	struct b2n_insn smod_neg[] = {A64K(MOV, 0, -7), A64K(SMOD, 0, 2), EXIT()};
	struct b2n_insn smod_posneg[] = {A64K(MOV, 0, 7), A64K(SMOD, 0, -2), EXIT()};
	struct b2n_insn smod32_neg[] = {A64K(MOV, 0, -7), A32K(SMOD, 0, 2), EXIT()};
	struct b2n_insn sdiv32_neg[] = {A32K(MOV, 0, -7), A32K(SDIV, 0, 2), EXIT()};
	/* unsigned ALU64 div/mod: imm sign-extended, then unsigned */
	struct b2n_insn udiv_m1[] = {A64K(MOV, 0, -1), A64K(DIV, 0, -1), EXIT()};
	struct b2n_insn udiv_m1b[] = {LDDW(0, 0xfffffffffffffffeull), A64K(DIV, 0, -1), EXIT()};
	struct b2n_insn umod_m1[] = {A64K(MOV, 0, 5), A64K(MOD, 0, -1), EXIT()};
	struct b2n_insn umod_m2[] = {A64K(MOV, 0, -1), A64K(MOD, 0, -2), EXIT()};
	struct b2n_insn udiv32_m1[] = {A32K(MOV, 0, -2), A32K(DIV, 0, -1), EXIT()};
	struct b2n_insn udiv32_big[] = {A32K(MOV, 0, -1), A32K(DIV, 0, 0x10), EXIT()};
	EXPECT_R0("sdiv64 INT64_MIN/-1 imm", sdiv64, 0x8000000000000000ull);
	EXPECT_R0("sdiv64 INT64_MIN/-1 reg", sdiv64x, 0x8000000000000000ull);
	EXPECT_R0("smod64 INT64_MIN%-1 imm", smod64, 0);
	EXPECT_R0("smod64 INT64_MIN%-1 reg", smod64x, 0);
	EXPECT_R0("sdiv32 INT32_MIN/-1 imm", sdiv32, 0x80000000ull);
	EXPECT_R0("sdiv32 INT32_MIN/-1 reg", sdiv32x, 0x80000000ull);
	EXPECT_R0("smod32 INT32_MIN%-1 imm", smod32, 0);
	EXPECT_R0("smod32 INT32_MIN%-1 reg", smod32x, 0);
	EXPECT_R0("sdiv64 -7/2", sdiv_neg, (uint64_t)-3);
	EXPECT_R0("smod64 -7%2", smod_neg, (uint64_t)-1);
	EXPECT_R0("smod64 7%-2", smod_posneg, 1);
	EXPECT_R0("smod32 -7%2", smod32_neg, 0xffffffffull);
	EXPECT_R0("sdiv32 -7/2", sdiv32_neg, 0xfffffffdull);
	EXPECT_R0("div64 -1 / imm -1", udiv_m1, 1);
	EXPECT_R0("div64 -2 / imm -1", udiv_m1b, 0);
	EXPECT_R0("mod64 5 % imm -1", umod_m1, 5);
	EXPECT_R0("mod64 -1 % imm -2", umod_m2, 1);
	EXPECT_R0("div32 0xfffffffe / imm -1", udiv32_m1, 0);
	EXPECT_R0("div32 0xffffffff / 16", udiv32_big, 0x0fffffffull);
}

static void test_shifts_and_alu32(void)
{
	struct b2n_insn lsh64[] = {A64K(MOV, 0, 1), A64K(LSH, 0, 65), EXIT()};
	struct b2n_insn lsh64x[] = {A64K(MOV, 0, 1), A64K(MOV, 1, 0x7f), A64X(LSH, 0, 1), EXIT()};
	struct b2n_insn lsh32[] = {A64K(MOV, 0, 1), A32K(LSH, 0, 33), EXIT()};
	struct b2n_insn lsh32z[] = {A32K(MOV, 0, (int32_t)0x80000001), A32K(LSH, 0, 1), EXIT()};
	struct b2n_insn rsh64x[] = {A64K(MOV, 0, 4), A64K(MOV, 1, 65), A64X(RSH, 0, 1), EXIT()};
	struct b2n_insn rsh32[] = {LDDW(0, 0xffffffff00000004ull), A32K(RSH, 0, 33), EXIT()};
	struct b2n_insn rsh32x[] = {A64K(MOV, 0, -1), LDDW(1, 0xffffffff00000024ull),
	                            A32X(RSH, 0, 1), EXIT()};
	struct b2n_insn arsh64[] = {LDDW(0, 0x8000000000000000ull), A64K(ARSH, 0, 127), EXIT()};
	struct b2n_insn arsh64p[] = {LDDW(0, 0x4000000000000000ull), A64K(ARSH, 0, 62), EXIT()};
	struct b2n_insn arsh32[] = {A32K(MOV, 0, INT32_MIN), A32K(ARSH, 0, 33), EXIT()};
	struct b2n_insn arsh32h[] = {LDDW(0, 0x00000001f0000000ull), A32K(ARSH, 0, 4), EXIT()};
	struct b2n_insn mov32[] = {A32K(MOV, 0, -1), EXIT()};
	struct b2n_insn mov32x[] = {A64K(MOV, 1, -1), A32X(MOV, 0, 1), EXIT()};
	struct b2n_insn mov64[] = {A64K(MOV, 0, -1), EXIT()};
	struct b2n_insn neg32[] = {A64K(MOV, 0, 1), A32K(NEG, 0, 0), EXIT()};
	struct b2n_insn neg64[] = {A64K(MOV, 0, 1), A64K(NEG, 0, 0), EXIT()};
	struct b2n_insn add32[] = {A64K(MOV, 0, -1), A32K(ADD, 0, 1), EXIT()};
	struct b2n_insn add64[] = {A64K(MOV, 0, 0), A64K(ADD, 0, -2), EXIT()};
	struct b2n_insn sub32[] = {A64K(MOV, 0, 0), A32K(SUB, 0, 1), EXIT()};
	struct b2n_insn mul32[] = {A32K(MOV, 0, 0x10000), A32K(MUL, 0, 0x10001), EXIT()};
	struct b2n_insn and64k[] = {LDDW(0, 0x123456789ull), A64K(AND, 0, -16), EXIT()};
	struct b2n_insn xor32[] = {A64K(MOV, 0, -1), A32K(XOR, 0, 0x0f), EXIT()};
	struct b2n_insn or32[] = {LDDW(0, 0xff00000000000000ull), A32K(OR, 0, 1), EXIT()};
	EXPECT_R0("lsh64 by 65 (imm)", lsh64, 2);
	EXPECT_R0("lsh64 by 0x7f (reg)", lsh64x, 0x8000000000000000ull);
	EXPECT_R0("lsh32 by 33", lsh32, 2);
	EXPECT_R0("lsh32 overflow zero-extended", lsh32z, 2);
	EXPECT_R0("rsh64 by 65 (reg)", rsh64x, 2);
	EXPECT_R0("rsh32 by 33, high half dropped", rsh32, 2);
	EXPECT_R0("rsh32 by reg 0x..24 (= 4)", rsh32x, 0x0fffffffull);
	EXPECT_R0("arsh64 by 127", arsh64, 0xffffffffffffffffull);
	EXPECT_R0("arsh64 positive", arsh64p, 1);
	EXPECT_R0("arsh32 by 33", arsh32, 0xc0000000ull);
	EXPECT_R0("arsh32 ignores high half", arsh32h, 0xff000000ull);
	EXPECT_R0("mov32 -1 zero-extends", mov32, 0xffffffffull);
	EXPECT_R0("mov32 reg zero-extends", mov32x, 0xffffffffull);
	EXPECT_R0("mov64 -1 sign-extends", mov64, 0xffffffffffffffffull);
	EXPECT_R0("neg32 zero-extends", neg32, 0xffffffffull);
	EXPECT_R0("neg64", neg64, 0xffffffffffffffffull);
	EXPECT_R0("add32 wraps to 0", add32, 0);
	EXPECT_R0("add64 imm sign-extended", add64, 0xfffffffffffffffeull);
	EXPECT_R0("sub32 zero-extends", sub32, 0xffffffffull);
	EXPECT_R0("mul32 truncates", mul32, 0x10000);
	EXPECT_R0("and64 imm sign-extended", and64k, 0x123456780ull);
	EXPECT_R0("xor32 zero-extends", xor32, 0xfffffff0ull);
	EXPECT_R0("or32 clears high half", or32, 1);
}

static void test_movsx(void)
{
	struct b2n_insn sx864[] = {A64K(MOV, 1, 0x180), A64X(MOVSX8, 0, 1), EXIT()};
	struct b2n_insn sx864p[] = {A64K(MOV, 1, 0x17f), A64X(MOVSX8, 0, 1), EXIT()};
	struct b2n_insn sx832[] = {A64K(MOV, 1, 0x80), A32X(MOVSX8, 0, 1), EXIT()};
	struct b2n_insn sx1664[] = {A64K(MOV, 1, 0x12348000), A64X(MOVSX16, 0, 1), EXIT()};
	struct b2n_insn sx1632[] = {A64K(MOV, 1, 0x12348000), A32X(MOVSX16, 0, 1), EXIT()};
	struct b2n_insn sx3264[] = {LDDW(1, 0x0000000180000000ull), A64X(MOVSX32, 0, 1), EXIT()};
	struct b2n_insn sx3264p[] = {LDDW(1, 0xffffffff7fffffffull), A64X(MOVSX32, 0, 1), EXIT()};
	EXPECT_R0("movsx864 0x180", sx864, 0xffffffffffffff80ull);
	EXPECT_R0("movsx864 0x17f", sx864p, 0x7f);
	EXPECT_R0("movsx832 0x80", sx832, 0xffffff80ull);
	EXPECT_R0("movsx1664", sx1664, 0xffffffffffff8000ull);
	EXPECT_R0("movsx1632", sx1632, 0xffff8000ull);
	EXPECT_R0("movsx3264 negative", sx3264, 0xffffffff80000000ull);
	EXPECT_R0("movsx3264 positive", sx3264p, 0x7fffffffull);
}

static void test_loads_stores(void)
{
	static const unsigned char bytes[16] = {0x80, 0xff, 0x7f, 0x00, 0x11, 0x22, 0x33, 0x44,
	                                        0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc};
	static const struct {
		const char *name;
		int sx, size, off;
		uint64_t le, be;
	} cases[] = {
	    {"ldxsb", 1, 1, 0, 0xffffffffffffff80ull, 0xffffffffffffff80ull},
	    {"ldxsb+2", 1, 1, 2, 0x7f, 0x7f},
	    {"ldxsh", 1, 2, 0, 0xffffffffffffff80ull, 0xffffffffffff80ffull},
	    {"ldxsh+1 (unaligned)", 1, 2, 1, 0x7fff, 0xffffffffffffff7full},
	    {"ldxsw", 1, 4, 0, 0x007fff80ull, 0xffffffff80ff7f00ull},
	    {"ldxsw+9 (unaligned)", 1, 4, 9, 0xffffffff99887766ull, 0x66778899ull},
	    {"ldxb", 0, 1, 1, 0xff, 0xff},
	    {"ldxh", 0, 2, 0, 0xff80, 0x80ff},
	    {"ldxw", 0, 4, 0, 0x007fff80, 0x80ff7f00},
	    {"ldxdw", 0, 8, 0, 0x44332211007fff80ull, 0x80ff7f0011223344ull},
	    {"ldxdw+5 (unaligned)", 0, 8, 5, 0x9988776655443322ull, 0x2233445566778899ull},
	};
	for (size_t i = 0; i < B2N_ARRAY_LEN(cases); i++) {
		for (int be = 0; be <= 1; be++) {
			unsigned char buf[16];
			uint64_t r0;
			struct b2n_insn p[] = {cases[i].sx
			                           ? LDXSX(cases[i].size, 0, 1, cases[i].off)
			                           : LDX(cases[i].size, 0, 1, cases[i].off),
			                       EXIT()};
			memcpy(buf, bytes, sizeof(buf));
			int rc = RUN(p, buf, be, &r0);
			uint64_t want = be ? cases[i].be : cases[i].le;
			CHECK(rc == 0 && r0 == want,
			      "%s be=%d: rc=%d r0=0x%" PRIx64 " want 0x%" PRIx64, cases[i].name, be,
			      rc, r0, want);
		}
	}

	/* Stores: ST sign-extends imm (DW) / truncates, STX of a register. */
	for (int be = 0; be <= 1; be++) {
		unsigned char buf[24];
		uint64_t r0;
		struct b2n_insn p[] = {ST(8, 1, 0, -2),
		                       ST(4, 1, 8, -2),
		                       ST(2, 1, 12, 0x12345),
		                       ST(1, 1, 14, 0x1ab),
		                       LDDW(2, 0x0102030405060708ull),
		                       STX(8, 1, 2, 15),
		                       A64K(MOV, 0, 0),
		                       EXIT()};
		memset(buf, 0xee, sizeof(buf));
		int rc = RUN(p, buf, be, &r0);
		CHECK(rc == 0, "stores be=%d rc=%d", be, rc);
		CHECK(get(buf, 8, be) == 0xfffffffffffffffeull, "st dw -2 be=%d: 0x%" PRIx64, be,
		      get(buf, 8, be));
		CHECK(get(buf + 8, 4, be) == 0xfffffffeull, "st w -2 be=%d", be);
		CHECK(get(buf + 12, 2, be) == 0x2345, "st h truncates be=%d", be);
		CHECK(buf[14] == 0xab, "st b truncates be=%d", be);
		CHECK(get(buf + 15, 8, be) == 0x0102030405060708ull, "stx dw unaligned be=%d", be);
		CHECK(buf[23] == 0xee, "stx dw overran be=%d", be);
		CHECK(be ? buf[15] == 0x01 : buf[15] == 0x08, "stx dw byte order be=%d", be);
	}

	/* Stack: store a DW below r10 and reload both words. */
	struct b2n_insn stk_lo[] = {LDDW(1, 0x1122334455667788ull), STX(8, 10, 1, -8),
	                            LDX(4, 0, 10, -8), EXIT()};
	struct b2n_insn stk_hi[] = {LDDW(1, 0x1122334455667788ull), STX(8, 10, 1, -8),
	                            LDX(4, 0, 10, -4), EXIT()};
	for (int be = 0; be <= 1; be++) {
		uint64_t r0;
		int rc = RUN(stk_lo, NULL, be, &r0);
		uint64_t want = be ? 0x11223344ull : 0x55667788ull;
		CHECK(rc == 0 && r0 == want, "stack word at -8 be=%d: r0=0x%" PRIx64, be, r0);
		rc = RUN(stk_hi, NULL, be, &r0);
		want = be ? 0x55667788ull : 0x11223344ull;
		CHECK(rc == 0 && r0 == want, "stack word at -4 be=%d: r0=0x%" PRIx64, be, r0);
	}
}

static void test_jumps(void)
{
	struct b2n_insn jeq32[] = {LDDW(1, 0x100000000ull), A64K(MOV, 0, 1), J32K(JEQ, 1, 0, 1),
	                           A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jeq64[] = {LDDW(1, 0x100000000ull), A64K(MOV, 0, 1), J64K(JEQ, 1, 0, 1),
	                           A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jsgt32[] = {A32K(MOV, 1, INT32_MIN), A64K(MOV, 0, 1), J32K(JSGT, 1, 0, 1),
	                            A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jsgt64[] = {A32K(MOV, 1, INT32_MIN), A64K(MOV, 0, 1), J64K(JSGT, 1, 0, 1),
	                            A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jeq32m1[] = {A32K(MOV, 1, -1), A64K(MOV, 0, 1), J32K(JEQ, 1, -1, 1),
	                             A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jeq64m1[] = {A32K(MOV, 1, -1), A64K(MOV, 0, 1), J64K(JEQ, 1, -1, 1),
	                             A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jlt32x[] = {LDDW(1, 0x0000000500000001ull),
	                            LDDW(2, 0x0000000100000002ull),
	                            A64K(MOV, 0, 1),
	                            J32X(JLT, 1, 2, 1),
	                            A64K(MOV, 0, 2),
	                            EXIT()};
	struct b2n_insn jset32[] = {LDDW(1, 0xff00000000ull), A64K(MOV, 0, 1), J32K(JSET, 1, -1, 1),
	                            A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jsle64[] = {A64K(MOV, 1, -5), A64K(MOV, 0, 1), J64K(JSLE, 1, -5, 1),
	                            A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn jge64x[] = {A64K(MOV, 1, -1),   A64K(MOV, 2, 1), A64K(MOV, 0, 1),
	                            J64X(JGE, 1, 2, 1), A64K(MOV, 0, 2), EXIT()};
	struct b2n_insn ja32[] = {JA32(2), A64K(MOV, 0, 1), EXIT(), A64K(MOV, 0, 2), EXIT()};
	/* ja32 backwards: 0: ja32 +3 -> 4; 4: mov r0,7; 5: ja32 -4 -> 2; 2: exit */
	struct b2n_insn ja32b[] = {JA32(3),         A64K(MOV, 0, 1), EXIT(),
	                           A64K(MOV, 0, 3), A64K(MOV, 0, 7), JA32(-4)};
	struct b2n_insn ja_back[] = {A64K(MOV, 0, 0), A64K(ADD, 0, 1), J64K(JGE, 0, 10, 1), JA(-3),
	                             EXIT()};
	EXPECT_R0("jeq32 compares low 32 bits", jeq32, 1);
	EXPECT_R0("jeq64 compares all bits", jeq64, 2);
	EXPECT_R0("jsgt32 INT32_MIN > 0 false", jsgt32, 2);
	EXPECT_R0("jsgt64 0x80000000 > 0 true", jsgt64, 1);
	EXPECT_R0("jeq32 0xffffffff == imm -1", jeq32m1, 1);
	EXPECT_R0("jeq64 0xffffffff != imm -1 (sign-extended)", jeq64m1, 2);
	EXPECT_R0("jlt32 reg low halves 1 < 2", jlt32x, 1);
	EXPECT_R0("jset32 ignores high half", jset32, 2);
	EXPECT_R0("jsle64 -5 <= -5", jsle64, 1);
	EXPECT_R0("jge64 unsigned -1 >= 1", jge64x, 1);
	EXPECT_R0("ja32 offset from imm", ja32, 2);
	EXPECT_R0("ja32 backwards", ja32b, 7);
	EXPECT_R0("ja backwards loop", ja_back, 10);
}

static void test_byte_order(void)
{
	static const struct {
		const char *name;
		enum b2n_end_op op;
		int width;
		uint64_t le, be; /* r0 when the emulated machine is little / big endian */
	} cases[] = {
	    {"le16", B2N_END_LE, 16, 0x7788, 0x8877},
	    {"le32", B2N_END_LE, 32, 0x55667788, 0x88776655},
	    {"le64", B2N_END_LE, 64, 0x1122334455667788ull, 0x8877665544332211ull},
	    {"be16", B2N_END_BE, 16, 0x8877, 0x7788},
	    {"be32", B2N_END_BE, 32, 0x88776655, 0x55667788},
	    {"be64", B2N_END_BE, 64, 0x8877665544332211ull, 0x1122334455667788ull},
	    {"bswap16", B2N_END_BSWAP, 16, 0x8877, 0x8877},
	    {"bswap32", B2N_END_BSWAP, 32, 0x88776655, 0x88776655},
	    {"bswap64", B2N_END_BSWAP, 64, 0x8877665544332211ull, 0x8877665544332211ull},
	};
	for (size_t i = 0; i < B2N_ARRAY_LEN(cases); i++)
		for (int be = 0; be <= 1; be++) {
			uint64_t r0;
			struct b2n_insn p[] = {LDDW(0, 0x1122334455667788ull),
			                       endi(cases[i].op, 0, cases[i].width), EXIT()};
			int rc = RUN(p, NULL, be, &r0);
			uint64_t want = be ? cases[i].be : cases[i].le;
			CHECK(rc == 0 && r0 == want,
			      "%s be=%d: rc=%d r0=0x%" PRIx64 " want 0x%" PRIx64, cases[i].name, be,
			      rc, r0, want);
		}

	/* Reading network-order bytes 11 22 33 44 with be16/be32 gives the same
	 * value on both machines; le16/le32 the reversed one. */
	unsigned char net[4] = {0x11, 0x22, 0x33, 0x44};
	for (int be = 0; be <= 1; be++) {
		uint64_t r0;
		struct b2n_insn b16[] = {LDX(2, 0, 1, 0), END(BE, 0, 16), EXIT()};
		struct b2n_insn b32[] = {LDX(4, 0, 1, 0), END(BE, 0, 32), EXIT()};
		struct b2n_insn l16[] = {LDX(2, 0, 1, 0), END(LE, 0, 16), EXIT()};
		struct b2n_insn l32[] = {LDX(4, 0, 1, 0), END(LE, 0, 32), EXIT()};
		CHECK(RUN(b16, net, be, &r0) == 0 && r0 == 0x1122, "ldxh+be16 be=%d r0=0x%" PRIx64,
		      be, r0);
		CHECK(RUN(b32, net, be, &r0) == 0 && r0 == 0x11223344,
		      "ldxw+be32 be=%d r0=0x%" PRIx64, be, r0);
		CHECK(RUN(l16, net, be, &r0) == 0 && r0 == 0x2211, "ldxh+le16 be=%d r0=0x%" PRIx64,
		      be, r0);
		CHECK(RUN(l32, net, be, &r0) == 0 && r0 == 0x44332211,
		      "ldxw+le32 be=%d r0=0x%" PRIx64, be, r0);
	}
	/* le16 on the host order truncates (conformance le16-high). */
	struct b2n_insn le16h[] = {LDDW(0, 0xaabbccddeeff1122ull), END(LE, 0, 16), EXIT()};
	uint64_t r0;
	int rc = RUN(le16h, NULL, 0, &r0);
	CHECK(rc == 0 && r0 == 0x1122, "le16 on LE zero-extends: r0=0x%" PRIx64, r0);
}

static void test_atomics(void)
{
	static const struct {
		enum b2n_atomic_op op;
		const char *name;
		uint64_t want64, want32; /* new memory value */
	} ops[] = {
	    {B2N_ATOMIC_ADD, "add", 0x0024446888acccf0ull, 0x88acccf0ull},
	    {B2N_ATOMIC_OR, "or", 0xff23ff67ffabffefull, 0xffabffefull},
	    {B2N_ATOMIC_AND, "and", 0x010045008900cd01ull, 0x8900cd01ull},
	    {B2N_ATOMIC_XOR, "xor", 0xfe23ba6776ab32eeull, 0x76ab32eeull},
	};
	const uint64_t M = 0x0123456789abcdefull, V = 0xff00ff00ff00ff01ull;
	for (int be = 0; be <= 1; be++)
		for (size_t i = 0; i < B2N_ARRAY_LEN(ops); i++)
			for (int fetch = 0; fetch <= 1; fetch++)
				for (int bytes = 4; bytes <= 8; bytes += 4) {
					uint64_t buf[2], r0;
					unsigned char *mem = (unsigned char *)buf;
					struct b2n_insn p[] = {
					    LDDW(2, V), atomic(bytes, ops[i].op, fetch, 1, 2, 8),
					    A64X(MOV, 0, 2), EXIT()};
					put(mem, 8, 0x5555555555555555ull, be);
					put(mem + 8, 8, M, be);
					if (bytes == 4)
						put(mem + 8, 4, M,
						    be); /* the word at +8 holds M's low half */
					int rc = RUN(p, mem, be, &r0);
					uint64_t got = get(mem + 8, bytes, be);
					uint64_t want = bytes == 8 ? ops[i].want64 : ops[i].want32;
					uint64_t want_r0 =
					    fetch ? (bytes == 8 ? M : 0x89abcdefull) : V;
					CHECK(rc == 0 && got == want && r0 == want_r0,
					      "atomic %s%s%d be=%d: rc=%d mem=0x%" PRIx64
					      " (want 0x%" PRIx64 ") src=0x%" PRIx64
					      " (want 0x%" PRIx64 ")",
					      fetch ? "fetch_" : "", ops[i].name, bytes * 8, be, rc,
					      got, want, r0, want_r0);
					CHECK(get(mem, 8, be) == 0x5555555555555555ull,
					      "atomic %s%d be=%d touched the previous word",
					      ops[i].name, bytes * 8, be);
					if (bytes == 4)
						CHECK(get(mem + 12, 4, be) ==
						          (be ? 0x89abcdefull : 0x01234567ull),
						      "atomic %s32 be=%d touched the next word",
						      ops[i].name, be);
				}

	for (int be = 0; be <= 1; be++) {
		uint64_t buf[2], r0;
		unsigned char *mem = (unsigned char *)buf;
		/* xchg DW: old value into src */
		struct b2n_insn xchg64[] = {LDDW(2, V), atomic(8, B2N_ATOMIC_XCHG, 1, 1, 2, 0),
		                            A64X(MOV, 0, 2), EXIT()};
		put(mem, 8, M, be);
		CHECK(RUN(xchg64, mem, be, &r0) == 0 && r0 == M && get(mem, 8, be) == V,
		      "xchg64 be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0, get(mem, 8, be));
		/* xchg W: old value zero-extended into src */
		struct b2n_insn xchg32[] = {LDDW(2, V), atomic(4, B2N_ATOMIC_XCHG, 1, 1, 2, 4),
		                            A64X(MOV, 0, 2), EXIT()};
		put(mem, 8, 0x1111111111111111ull, be);
		put(mem + 4, 4, 0x89abcdef, be);
		CHECK(RUN(xchg32, mem, be, &r0) == 0 && r0 == 0x89abcdefull &&
		          get(mem + 4, 4, be) == 0xff00ff01ull && get(mem, 4, be) == 0x11111111ull,
		      "xchg32 be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0, get(mem + 4, 4, be));

		/* cmpxchg DW success / failure */
		struct b2n_insn cx64[] = {LDDW(0, M), LDDW(2, V),
		                          atomic(8, B2N_ATOMIC_CMPXCHG, 1, 1, 2, 0), EXIT()};
		put(mem, 8, M, be);
		CHECK(RUN(cx64, mem, be, &r0) == 0 && r0 == M && get(mem, 8, be) == V,
		      "cmpxchg64 match be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0,
		      get(mem, 8, be));
		struct b2n_insn cx64f[] = {LDDW(0, M + 1), LDDW(2, V),
		                           atomic(8, B2N_ATOMIC_CMPXCHG, 1, 1, 2, 0), EXIT()};
		put(mem, 8, M, be);
		CHECK(RUN(cx64f, mem, be, &r0) == 0 && r0 == M && get(mem, 8, be) == M,
		      "cmpxchg64 mismatch be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0,
		      get(mem, 8, be));
		/* cmpxchg W: compares only r0's low half; old value zero-extended into r0 */
		struct b2n_insn cx32[] = {LDDW(0, 0xdeadbeef89abcdefull), LDDW(2, V),
		                          atomic(4, B2N_ATOMIC_CMPXCHG, 1, 1, 2, 0), EXIT()};
		put(mem, 8, 0x2222222222222222ull, be);
		put(mem, 4, 0x89abcdef, be);
		CHECK(RUN(cx32, mem, be, &r0) == 0 && r0 == 0x89abcdefull &&
		          get(mem, 4, be) == 0xff00ff01ull && get(mem + 4, 4, be) == 0x22222222ull,
		      "cmpxchg32 match be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0,
		      get(mem, 4, be));
		struct b2n_insn cx32f[] = {LDDW(0, 0x89abcdeeull), LDDW(2, V),
		                           atomic(4, B2N_ATOMIC_CMPXCHG, 1, 1, 2, 0), EXIT()};
		put(mem, 4, 0x89abcdef, be);
		CHECK(RUN(cx32f, mem, be, &r0) == 0 && r0 == 0x89abcdefull &&
		          get(mem, 4, be) == 0x89abcdefull,
		      "cmpxchg32 mismatch be=%d: r0=0x%" PRIx64 " mem=0x%" PRIx64, be, r0,
		      get(mem, 4, be));
		/* atomics on the stack */
		struct b2n_insn stk[] = {ST(8, 10, -8, 40), A64K(MOV, 2, 2),
		                         atomic(8, B2N_ATOMIC_ADD, 0, 10, 2, -8), LDX(8, 0, 10, -8),
		                         EXIT()};
		CHECK(RUN(stk, NULL, be, &r0) == 0 && r0 == 42,
		      "atomic add on stack be=%d: r0=%" PRIu64, be, r0);
	}
	/* misaligned atomic -> -EFAULT */
	uint64_t buf[2] = {0, 0}, r0;
	struct b2n_insn mis[] = {A64K(MOV, 2, 1), atomic(8, B2N_ATOMIC_ADD, 0, 1, 2, 4), EXIT()};
	CHECK(RUN(mis, buf, HOST, &r0) == -EFAULT, "misaligned atomic not rejected");
	/* fetch result written to src even when src == dst's base register */
	struct b2n_insn same[] = {A64X(MOV, 3, 1), atomic(8, B2N_ATOMIC_ADD, 1, 1, 1, 0),
	                          A64X(MOV, 0, 1), EXIT()};
	buf[0] = 5;
	int rc = RUN(same, buf, HOST, &r0);
	CHECK(rc == 0 && r0 == 5 && buf[0] == 5 + (uint64_t)(uintptr_t)buf,
	      "fetch_add with src == base: rc=%d r0=%" PRIu64, rc, r0);
}

/* Host-order atomics must be real atomic operations: several threads run
 * the interpreter at once on one counter pair and no update may be lost. */
#define ATOMIC_THREADS 4
#define ATOMIC_ITERS 100000
static int atomic_go;

static void *atomic_worker(void *arg)
{
	struct b2n_insn p[] = {
	    /* 0 */ A64K(MOV, 3, ATOMIC_ITERS),
	    /* 1 */ A64K(MOV, 2, 1),
	    /* 2 */ atomic(8, B2N_ATOMIC_ADD, 0, 1, 2, 0),
	    /* 3 */ A64K(MOV, 2, 1),
	    /* 4 */ atomic(4, B2N_ATOMIC_ADD, 1, 1, 2, 8),
	    /* 5 */ A64K(MOV, 2, 3),
	    /* 6 */ atomic(8, B2N_ATOMIC_XOR, 1, 1, 2, 16),
	    /* 7 */ A64K(SUB, 3, 1),
	    /* 8 */ J64K(JNE, 3, 0, -8),
	    /* 9 */ A64K(MOV, 0, 0),
	    /* 10 */ EXIT(),
	};
	uint64_t r0;
	while (!__atomic_load_n(&atomic_go, __ATOMIC_ACQUIRE))
		; /* start together, so that the runs overlap */
	intptr_t rc = b2n_interp__run(p, B2N_ARRAY_LEN(p), arg, 0, NULL, &r0);
	return (void *)rc;
}

static void test_atomics_threads(void)
{
	static uint64_t mem[3];
	pthread_t th[ATOMIC_THREADS];
	int started = 0, bad_rc = 0;
	for (int i = 0; i < ATOMIC_THREADS; i++)
		if (pthread_create(&th[i], NULL, atomic_worker, mem) == 0)
			started++;
	__atomic_store_n(&atomic_go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < started; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		if (ret)
			bad_rc++;
	}
	uint32_t w;
	memcpy(&w, (unsigned char *)mem + 8, 4);
	CHECK(started == ATOMIC_THREADS && bad_rc == 0, "threads: %d started, %d failed", started,
	      bad_rc);
	CHECK(mem[0] == (uint64_t)started * ATOMIC_ITERS,
	      "concurrent add64 lost updates: %" PRIu64 " want %d", mem[0], started * ATOMIC_ITERS);
	CHECK(w == (uint32_t)started * ATOMIC_ITERS,
	      "concurrent fetch_add32 lost updates: %u want %d", w, started * ATOMIC_ITERS);
	/* an even number of xors with 3 in total leaves 0 */
	CHECK(mem[2] == 0, "concurrent fetch_xor64: 0x%" PRIx64 " want 0", mem[2]);
}

static void test_local_calls(void)
{
	/* like conformance call_local, plus separate stacks and r10 restore */
	struct b2n_insn q[] = {
	    /* 0 */ A64K(MOV, 1, 1),
	    /* 1 */ A64K(MOV, 2, 2),
	    /* 2 */ A64K(MOV, 3, 3),
	    /* 3 */ A64K(MOV, 4, 4),
	    /* 4 */ A64K(MOV, 5, 5),
	    /* 5 */ A64K(MOV, 6, 6),
	    /* 6 */ A64K(MOV, 7, 7),
	    /* 7 */ A64K(MOV, 8, 8),
	    /* 8 */ A64K(MOV, 9, 9),
	    /* 9 */ ST(8, 10, -8, 0xaa),
	    /* 10 */ A64X(MOV, 6, 10),    /* r6 = caller's r10 (preserved by the call) */
	    /* 11 */ CALL_LOCAL(12),      /* -> 24 */
	    /* 12 */ J64K(JNE, 0, 15, 9), /* -> 22 */
	    /* 13 */ J64K(JNE, 7, 7, 8),
	    J64K(JNE, 8, 8, 7),
	    J64K(JNE, 9, 9, 6),
	    /* 16 */ J64X(JNE, 6, 10, 5), /* r10 restored */
	    /* 17 */ LDX(8, 1, 10, -8),
	    J64K(JNE, 1, 0xaa, 3), /* own slot intact */
	    /* 19 */ A64K(MOV, 0, 1),
	    EXIT(),
	    /* 21 */ EXIT(),
	    /* 22 */ A64K(MOV, 0, -1),
	    EXIT(),
	    /* func: r0 = r1+..+r5, fresh stack, clobber r6-r9 */
	    /* 24 */ A64K(MOV, 0, 0),
	    /* 25 */ LDX(8, 0, 10, -8),    /* fresh frame: reads 0, not 0xaa */
	    /* 26 */ J64K(JNE, 0, 0, 14),  /* -> 41: r0 stays non-zero */
	    /* 27 */ J64X(JEQ, 10, 6, 13), /* same r10 as the caller: -> 41 */
	    /* 28 */ ST(8, 10, -8, 0xbb),
	    /* 29 */ A64X(ADD, 0, 1),
	    A64X(ADD, 0, 2),
	    A64X(ADD, 0, 3),
	    A64X(ADD, 0, 4),
	    A64X(ADD, 0, 5),
	    /* 34 */ A64K(MOV, 6, 0),
	    A64K(MOV, 7, 0),
	    A64K(MOV, 8, 0),
	    A64K(MOV, 9, 0),
	    /* 38 */ LDX(8, 1, 10, -8),
	    J64K(JNE, 1, 0xbb, 1),
	    /* 40 */ EXIT(),
	    /* 41 */ A64K(MOV, 0, 99),
	    EXIT(),
	};
	EXPECT_R0("local call: args, r0, r6-r9, separate stacks", q, 1);

	/* depth: main -> f (frame 2) -> K recursive calls; 8 frames allowed */
	for (int k = 5; k <= 7; k++) {
		struct b2n_insn rec[] = {
		    /* 0 */ A64K(MOV, 0, 0),
		    A64K(MOV, 1, k),
		    CALL_LOCAL(1),
		    EXIT(),
		    /* 4 */ J64K(JEQ, 1, 0, 3),
		    A64K(ADD, 0, 1),
		    A64K(SUB, 1, 1),
		    CALL_LOCAL(-4),
		    /* 8 */ EXIT(),
		};
		uint64_t r0;
		int rc = RUN(rec, NULL, HOST, &r0);
		if (k <= 6)
			CHECK(rc == 0 && r0 == (uint64_t)k,
			      "call depth %d frames: rc=%d r0=%" PRIu64, k + 2, rc, r0);
		else
			CHECK(rc == -ELOOP, "call depth 9 frames: rc=%d, want -ELOOP", rc);
	}
	struct b2n_insn inf[] = {CALL_LOCAL(-1), EXIT()};
	EXPECT_RC("unbounded recursion", inf, -ELOOP);
	struct b2n_insn out[] = {CALL_LOCAL(5), EXIT()};
	EXPECT_RC("local call out of the program", out, -EFAULT);
	struct b2n_insn outneg[] = {CALL_LOCAL(-2), EXIT()};
	EXPECT_RC("local call before the program", outneg, -EFAULT);
}

/* ---- helpers -------------------------------------------------------------- */

static uint64_t h_unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return r1;
}

static uint64_t h_weighted(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1 + 10 * r2 + 100 * r3 + 1000 * r4 + 10000 * r5;
}

static uint64_t missing_id = 0, missing_calls = 0;
static uint64_t my_missing(uint64_t id)
{
	missing_id = id;
	missing_calls++;
	return 0xdead;
}

static void test_helpers(void)
{
	uint64_t r0;
	CHECK(b2n_helper__register(5, h_unwind) == 0, "register 5");
	CHECK(b2n_helper__register(7, h_weighted) == 0, "register 7");
	CHECK(b2n_helper__register(B2N_HELPER_TABLE_SIZE, h_unwind) == -EINVAL,
	      "register 256 accepted");
	CHECK(b2n_helper__register(UINT32_MAX, h_unwind) == -EINVAL, "register -1 accepted");
	CHECK(b2n_helper__get(5) == h_unwind && b2n_helper_table[5] == h_unwind, "get 5");
	CHECK(b2n_helper__get(B2N_HELPER_TABLE_SIZE) == NULL, "get 256");
	CHECK(b2n_helper__get(UINT64_MAX) == NULL, "get -1");
	/* Built-in helpers (helpers.def) are pre-registered: use ids that are free. */
	int32_t free1 = -1, free2 = -1;
	for (int32_t id = B2N_HELPER_TABLE_SIZE - 1; id >= 0 && free2 < 0; id--)
		if (b2n_helper__get((uint64_t)id) == NULL) {
			if (free1 < 0)
				free1 = id;
			else
				free2 = id;
		}
	CHECK(free1 >= 0 && free2 >= 0, "no free helper ids");
	CHECK(b2n_helper__get((uint64_t)free1) == NULL && b2n_helper_table[free1] == NULL,
	      "get unregistered");
	CHECK(b2n_callx(7, 1, 2, 3, 4, 5) == 54321, "b2n_callx 7");

	/* conformance callx / call_unwind_fail */
	struct b2n_insn callx[] = {A64K(MOV, 1, -1), A64K(MOV, 2, 5), CALLX(2), A64K(MOV, 0, 2),
	                           EXIT()};
	EXPECT_R0("conformance callx", callx, 2);
	struct b2n_insn callx_r0[] = {A64K(MOV, 1, 9), A64K(MOV, 4, 5), CALLX(4), EXIT()};
	EXPECT_R0("callx id in dst, r0 = helper result", callx_r0, 9);
	struct b2n_insn unw[] = {A64K(MOV, 1, -1), CALL(5), EXIT()};
	EXPECT_R0("call 5 returns r1", unw, 0xffffffffffffffffull);
	struct b2n_insn args[] = {A64K(MOV, 1, 1), A64K(MOV, 2, 2), A64K(MOV, 3, 3),
	                          A64K(MOV, 4, 4), A64K(MOV, 5, 5), CALL(7),
	                          EXIT()};
	EXPECT_R0("call 7 gets r1..r5", args, 54321);
	struct b2n_insn argsx[] = {A64K(MOV, 1, 1), A64K(MOV, 2, 2), A64K(MOV, 3, 3),
	                           A64K(MOV, 4, 4), A64K(MOV, 5, 5), A64K(MOV, 6, 7),
	                           CALLX(6),        EXIT()};
	EXPECT_R0("callx 7 gets r1..r5", argsx, 54321);

	/* unknown helpers go to the missing-helper handler */
	b2n_missing_helper_fn prev = b2n_set_missing_helper(my_missing);
	CHECK(prev != NULL, "default missing handler is NULL");
	struct b2n_insn unk[] = {A64K(MOV, 3, free1), CALLX(3), EXIT()};
	int rc = RUN(unk, NULL, HOST, &r0);
	CHECK(rc == 0 && r0 == 0xdead && missing_id == (uint64_t)free1,
	      "callx unknown id %d: rc=%d r0=0x%" PRIx64 " id=%" PRIu64, (int)free1, rc, r0,
	      missing_id);
	struct b2n_insn unkbig[] = {A64K(MOV, 3, -1), CALLX(3), EXIT()};
	rc = RUN(unkbig, NULL, HOST, &r0);
	CHECK(rc == 0 && r0 == 0xdead && missing_id == UINT64_MAX, "callx id -1: id=%" PRIx64,
	      missing_id);
	struct b2n_insn unks[] = {CALL(free2), EXIT()};
	rc = RUN(unks, NULL, HOST, &r0);
	CHECK(rc == 0 && r0 == 0xdead && missing_id == (uint64_t)free2,
	      "call %d unknown: id=%" PRIu64, (int)free2, missing_id);
	CHECK(b2n_callx(1000, 0, 0, 0, 0, 0) == 0xdead && missing_id == 1000, "b2n_callx(1000)");
	CHECK(b2n_set_missing_helper(NULL) == my_missing, "set_missing_helper returns previous");
	CHECK(b2n_set_missing_helper(prev) != my_missing, "NULL restores the default");
	CHECK(missing_calls == 4, "missing handler called %" PRIu64 " times, want 4",
	      missing_calls);

	/* the default handler prints the id and aborts: run it in a child */
	int fds[2];
	if (pipe(fds) == 0) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			dup2(fds[1], 2);
			close(fds[0]);
			b2n_callx(77, 0, 0, 0, 0, 0);
			_exit(0); /* not reached if it aborts */
		}
		close(fds[1]);
		char msg[256] = {0};
		size_t len = 0;
		ssize_t k;
		while (len < sizeof(msg) - 1 &&
		       (k = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0)
			len += (size_t)k;
		close(fds[0]);
		int st = 0;
		waitpid(pid, &st, 0);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
		      "default handler did not abort (status %d)", st);
		CHECK(strstr(msg, "bpf2native runtime: call to unknown helper 77") != NULL,
		      "default handler message: '%s'", msg);
	} else {
		CHECK(0, "pipe failed");
	}
}

static void test_faults_and_entry(void)
{
	uint64_t r0;
	struct b2n_insn fall[] = {A64K(MOV, 0, 1)};
	EXPECT_RC("falling off the end", fall, -EFAULT);
	struct b2n_insn fall2[] = {A64K(MOV, 0, 1), J64K(JEQ, 0, 1, -3)};
	EXPECT_RC("jump before the start", fall2, -EFAULT);
	struct b2n_insn jout[] = {JA(5), EXIT()};
	EXPECT_RC("jump past the end", jout, -EFAULT);
	struct b2n_insn jend[] = {JA(1), EXIT()};
	EXPECT_RC("jump to n", jend, -EFAULT);
	struct b2n_insn jntaken[] = {A64K(MOV, 0, 3), J64K(JEQ, 0, 4, 100), EXIT()};
	EXPECT_R0("untaken far jump is fine", jntaken, 3);
	struct b2n_insn lddw_trunc[] = {A64K(MOV, 0, 0), mk(B2N_CLS_LD | 0x18, 0, 0, 0, 1)};
	EXPECT_RC("truncated lddw", lddw_trunc, -EFAULT);
	struct b2n_insn lddw_pseudo[] = {mk(B2N_CLS_LD | 0x18, 0, B2N_PSEUDO_MAP_FD, 0, 1),
	                                 mk(0, 0, 0, 0, 0), EXIT()};
	EXPECT_RC("lddw map fd", lddw_pseudo, -EINVAL);
	struct b2n_insn bad[] = {mk(0xff, 0, 0, 0, 0), EXIT()};
	EXPECT_RC("invalid opcode", bad, -EINVAL);
	struct b2n_insn badreg[] = {A64K(MOV, 11, 0), EXIT()};
	EXPECT_RC("register 11", badreg, -EINVAL);
	struct b2n_insn r10[] = {A64K(MOV, 10, 0), EXIT()};
	EXPECT_RC("write to r10", r10, -EINVAL);
	struct b2n_insn ldabs[] = {mk(B2N_CLS_LD | B2N_MODE_ABS | 0x00, 0, 0, 0, 0), EXIT()};
	EXPECT_RC("ld_abs", ldabs, -ENOTSUP);
	struct b2n_insn loop[] = {JA(-1)};
	CHECK(run_opts(loop, 1, NULL, 0, HOST, 1000, &r0) == -E2BIG, "insn_limit");
	struct b2n_insn ten[] = {A64K(MOV, 0, 0), A64K(ADD, 0, 1), A64K(ADD, 0, 1), EXIT()};
	CHECK(run_opts(ten, 4, NULL, 0, HOST, 4, &r0) == 0 && r0 == 2, "insn_limit exact");
	CHECK(run_opts(ten, 4, NULL, 0, HOST, 3, &r0) == -E2BIG, "insn_limit one short");
	CHECK(run_opts(ten, 4, NULL, 0, 2, 0, &r0) == -EINVAL, "big_endian = 2 accepted");
	CHECK(b2n_interp__run(ten, 4, NULL, 0, NULL, &r0) == 0 && r0 == 2, "NULL opts");
	CHECK(b2n_interp__run(ten, 4, NULL, 0, NULL, NULL) == -EINVAL, "NULL r0");

	/* entry state: r1 = ctx, r2 as given, r3-r9 = 0, r10 8-aligned */
	int ctx;
	struct b2n_insn r1[] = {A64X(MOV, 0, 1), EXIT()};
	CHECK(run_opts(r1, 2, &ctx, 0, HOST, 0, &r0) == 0 && r0 == (uint64_t)(uintptr_t)&ctx,
	      "r1 = ctx");
	struct b2n_insn r2[] = {A64X(MOV, 0, 2), EXIT()};
	CHECK(run_opts(r2, 2, NULL, 0x123456789ull, HOST, 0, &r0) == 0 && r0 == 0x123456789ull,
	      "r2");
	struct b2n_insn zero[] = {A64K(MOV, 0, 0),  A64X(OR, 0, 3),  A64X(OR, 0, 4), A64X(OR, 0, 5),
	                          A64X(OR, 0, 6),   A64X(OR, 0, 7),  A64X(OR, 0, 8), A64X(OR, 0, 9),
	                          A64X(MOV, 1, 10), A64K(AND, 1, 7), A64X(OR, 0, 1), EXIT()};
	EXPECT_R0("r3-r9 zero, r10 aligned", zero, 0);
	struct b2n_insn exit_nl[] = {A64K(MOV, 0, 5), EXIT(), A64K(MOV, 0, 6), EXIT()};
	EXPECT_R0("exit not last", exit_nl, 5);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_div_mod_by_zero();
	test_signed_div();
	test_shifts_and_alu32();
	test_movsx();
	test_loads_stores();
	test_jumps();
	test_byte_order();
	test_atomics();
	test_atomics_threads();
	test_local_calls();
	test_helpers();
	test_faults_and_entry();
	printf("interp_unit on a %s-endian host\n", b2n_host_is_big_endian() ? "big" : "little");
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
