/*
 * scalar_test.c - the verifier's value domain (frontend/scalar.c): soundness
 * on random concrete sets, and the precision real programs need.
 *
 * Soundness: for every ALU operation (ALU64 and ALU32), every byte-order
 * operation and every conditional jump (JMP and JMP32), random sets of
 * concrete values are abstracted (the join of their constants, sometimes
 * narrowed by a random branch, keeping only the members that take it), the
 * transfer function is applied, and every concrete result must lie in the
 * abstract result.  Concrete ALU results come from the reference
 * interpreter running a three-instruction program, so the domain is checked
 * against the semantics the rest of bpf2native implements; branch outcomes
 * come from b2n_jcc_eval.  The value generator favours the edges: 0, the
 * 32- and 64-bit sign boundaries, all-ones, small numbers, and sets that
 * differ in a few bits or by small steps.
 *
 * Precision: a handful of facts the kernel knows and real programs rely on
 * (x & 31 is in [0, 31]; bounds checks narrow; constants fold).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/runtime.h>

#include "frontend/frontend.h"

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static uint64_t edge(void)
{
	static const uint64_t e[] = {0,           1,
	                             2,           7,
	                             31,          32,
	                             63,          64,
	                             0xff,        0x7fff,
	                             0x8000,      0xffff,
	                             0x7fffffff,  0x80000000,
	                             0xffffffff,  0x100000000ull,
	                             INT64_MAX,   1ull << 63,
	                             ~0ull,       ~0ull - 1,
	                             0xffffff80u, 0xffffffff80000000ull};
	switch (rnd() % 4) {
	case 0:
		return e[rnd() % (sizeof(e) / sizeof(e[0]))];
	case 1:
		return rnd() % 256;
	case 2:
		return e[rnd() % (sizeof(e) / sizeof(e[0]))] + (rnd() % 5) - 2;
	default:
		return rnd();
	}
}

#define MAXSET 6

struct set {
	int n;
	uint64_t v[MAXSET];
	struct b2n_scalar s;
};

static void make_set(struct set *st)
{
	uint64_t base = edge(), vary;
	switch (rnd() % 4) {
	case 0:
		vary = 0; /* a constant */
		break;
	case 1:
		vary = (1ull << (rnd() % 12)) - 1; /* low bits */
		break;
	case 2:
		vary = 1ull << (rnd() % 64); /* one bit anywhere */
		break;
	default:
		vary = rnd() & rnd();
		break;
	}
	st->n = 1 + (int)(rnd() % MAXSET);
	for (int i = 0; i < st->n; i++)
		st->v[i] = rnd() % 3 == 0 ? base + (rnd() % 9) - 4 : base ^ (rnd() & vary);
	st->s = b2n_scalar_const(st->v[0]);
	for (int i = 1; i < st->n; i++) {
		struct b2n_scalar c = b2n_scalar_const(st->v[i]);
		st->s = b2n_scalar_join(&st->s, &c);
	}
	/* sometimes narrowed by a branch against a constant */
	if (rnd() % 3 == 0) {
		enum b2n_jcc_op op = (enum b2n_jcc_op)(rnd() % B2N_JCC__COUNT);
		int is64 = (int)(rnd() & 1), taken = (int)(rnd() & 1);
		uint64_t k = st->v[rnd() % st->n] + (rnd() % 3) - 1;
		struct b2n_scalar kc = b2n_scalar_const(k), s = st->s;
		struct set kept = {0};
		for (int i = 0; i < st->n; i++)
			if (b2n_jcc_eval(op, is64, st->v[i], k) == taken)
				kept.v[kept.n++] = st->v[i];
		if (kept.n && !b2n_scalar_branch(op, is64, taken, &s, &kc)) {
			kept.s = s;
			*st = kept;
		}
	}
}

static int fails;

static void report(const char *what, const struct set *a, const struct set *b,
                   const struct b2n_scalar *r, uint64_t got)
{
	if (++fails > 20)
		return;
	printf("FAIL %s: %#" PRIx64 " not in the result\n", what, got);
	printf("  result: t=(%#" PRIx64 "; %#" PRIx64 ") u=[%#" PRIx64 ", %#" PRIx64 "] s=[%" PRId64
	       ", %" PRId64 "] u32=[%#x, %#x] s32=[%d, %d]\n",
	       r->t.value, r->t.mask, r->umin, r->umax, r->smin, r->smax, r->u32min, r->u32max,
	       r->s32min, r->s32max);
	printf("  a:");
	for (int i = 0; i < a->n; i++)
		printf(" %#" PRIx64, a->v[i]);
	if (b) {
		printf("\n  b:");
		for (int i = 0; i < b->n; i++)
			printf(" %#" PRIx64, b->v[i]);
	}
	printf("\n");
}

static uint64_t interp(struct b2n_insn op, uint64_t a, uint64_t b)
{
	struct b2n_insn p[6];
	memset(p, 0, sizeof(p));
	p[0].code = 0x18, p[0].dst = 0, p[0].imm = (int32_t)(uint32_t)a;
	p[1].imm = (int32_t)(uint32_t)(a >> 32);
	p[2].code = 0x18, p[2].dst = 1, p[2].imm = (int32_t)(uint32_t)b;
	p[3].imm = (int32_t)(uint32_t)(b >> 32);
	p[4] = op;
	p[5].code = 0x95;
	uint64_t r0 = 0;
	if (b2n_interp__run(p, 6, NULL, 0, NULL, &r0)) {
		printf("FAIL: the interpreter refused opcode %#x\n", op.code);
		exit(1);
	}
	return r0;
}

static void check_alu(int trials)
{
	for (int op = 0; op < B2N_ALU__COUNT; op++)
		for (int is64 = 0; is64 <= 1; is64++) {
			const struct b2n_alu_desc *d = &b2n_alu_table[op];
			if (!(is64 ? d->m64 : d->m32))
				continue;
			struct b2n_insn in = {0};
			int unary = (d->flags & B2N_ALUF_UNARY) != 0;
			in.code =
			    (uint8_t)((is64 ? 0x07 : 0x04) | d->opnibble | (unary ? 0 : 0x08));
			in.dst = 0, in.src = unary ? 0 : 1, in.off = d->off;
			char what[64];
			snprintf(what, sizeof(what), "%s", is64 ? d->m64 : d->m32);
			for (int t = 0; t < trials; t++) {
				struct set a, b;
				make_set(&a);
				make_set(&b);
				struct b2n_scalar r =
				    b2n_scalar_alu((enum b2n_alu_op)op, is64, &a.s, &b.s);
				for (int i = 0; i < a.n; i++)
					for (int j = 0; j < b.n; j++) {
						uint64_t got = interp(in, a.v[i], b.v[j]);
						if (!b2n_scalar_contains(&r, got))
							report(what, &a, &b, &r, got);
					}
			}
		}
}

static void check_end(int trials)
{
	for (int op = 0; op < B2N_END__COUNT; op++)
		for (int w = 16; w <= 64; w *= 2) {
			struct b2n_insn in = {0};
			in.code = b2n_end_table[op].code, in.imm = w;
			/* le/be swap when they differ from the host's order */
			int swap =
			    op == B2N_END_BSWAP || (op == B2N_END_BE) != b2n_host_is_big_endian();
			char what[32];
			snprintf(what, sizeof(what), "%s%d", b2n_end_table[op].mnem, w);
			for (int t = 0; t < trials; t++) {
				struct set a;
				make_set(&a);
				struct b2n_scalar r =
				    b2n_scalar_end((enum b2n_end_op)op, w, swap, &a.s);
				for (int i = 0; i < a.n; i++) {
					uint64_t got = interp(in, a.v[i], 0);
					if (!b2n_scalar_contains(&r, got))
						report(what, &a, NULL, &r, got);
				}
			}
		}
}

static void check_branches(int trials)
{
	for (int op = 0; op < B2N_JCC__COUNT; op++)
		for (int is64 = 0; is64 <= 1; is64++)
			for (int t = 0; t < trials; t++) {
				struct set a, b;
				make_set(&a);
				make_set(&b);
				for (int taken = 0; taken <= 1; taken++) {
					struct b2n_scalar ra = a.s, rb = b.s;
					int empty = b2n_scalar_branch((enum b2n_jcc_op)op, is64,
					                              taken, &ra, &rb);
					char what[64];
					snprintf(what, sizeof(what), "%s%s %s",
					         b2n_jcc_table[op].mnem, is64 ? "" : "32",
					         taken ? "taken" : "not taken");
					for (int i = 0; i < a.n; i++)
						for (int j = 0; j < b.n; j++) {
							if (b2n_jcc_eval((enum b2n_jcc_op)op, is64,
							                 a.v[i], b.v[j]) != taken)
								continue;
							if (empty) {
								report(what, &a, &b, &ra, a.v[i]);
								printf(
								    "  (reported impossible, but "
								    "%#" PRIx64 " vs %#" PRIx64
								    " goes)\n",
								    a.v[i], b.v[j]);
							} else if (!b2n_scalar_contains(&ra,
							                                a.v[i])) {
								report(what, &a, &b, &ra, a.v[i]);
							} else if (!b2n_scalar_contains(&rb,
							                                b.v[j])) {
								report(what, &a, &b, &rb, b.v[j]);
							}
						}
				}
			}
}

static void check_join(int trials)
{
	for (int t = 0; t < trials; t++) {
		struct set a, b;
		make_set(&a);
		make_set(&b);
		struct b2n_scalar r = b2n_scalar_join(&a.s, &b.s);
		for (int i = 0; i < a.n; i++)
			if (!b2n_scalar_contains(&r, a.v[i]))
				report("join", &a, &b, &r, a.v[i]);
		if (!b2n_scalar_within(&a.s, &r) || !b2n_scalar_within(&b.s, &r))
			report("join (within)", &a, &b, &r, 0);
	}
}

static int expect(const char *what, int ok)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	fails += !ok;
	return ok;
}

static void precision(void)
{
	struct b2n_scalar x = b2n_scalar_unknown(), k;
	k = b2n_scalar_const(31);
	struct b2n_scalar m = b2n_scalar_alu(B2N_ALU_AND, 1, &x, &k);
	expect("x & 31 is in [0, 31]", m.umin == 0 && m.umax == 31 && m.smin == 0 && m.smax == 31);

	struct b2n_scalar y = x;
	k = b2n_scalar_const(100);
	expect("x > 100 can be false", !b2n_scalar_branch(B2N_JGT, 1, 0, &y, &k));
	expect("after !(x > 100): x <= 100", y.umax == 100 && y.smin == 0);
	k = b2n_scalar_const(64);
	expect("x < 64 can be true", !b2n_scalar_branch(B2N_JLT, 1, 1, &y, &k));
	expect("then x is in [0, 63], low 6 bits unknown", y.umax == 63 && y.t.mask == 63);

	k = b2n_scalar_const(0xff);
	struct b2n_scalar b = b2n_scalar_alu(B2N_ALU_AND, 1, &x, &k);
	k = b2n_scalar_const(2);
	b = b2n_scalar_alu(B2N_ALU_LSH, 1, &b, &k);
	expect("(x & 0xff) << 2 is in [0, 0x3fc], 4-aligned",
	       b.umax == 0x3fc && (b.t.mask & 3) == 0 && (b.t.value & 3) == 0);

	struct b2n_scalar w = b2n_scalar_alu(B2N_ALU_MOV, 0, &x, &x);
	expect("mov32 zero-extends", w.umax == 0xffffffff && w.smin == 0);

	struct b2n_scalar c5 = b2n_scalar_const(5), c3 = b2n_scalar_const(3);
	struct b2n_scalar c5b = c5, c3b = c3;
	expect("5 > 3 is taken", !b2n_scalar_branch(B2N_JGT, 1, 1, &c5, &c3));
	expect("5 > 3 is never not taken", b2n_scalar_branch(B2N_JGT, 1, 0, &c5b, &c3b) == -1);

	struct b2n_scalar e = x;
	k = b2n_scalar_const(42);
	b2n_scalar_branch(B2N_JEQ, 1, 1, &e, &k);
	expect("x == 42 makes x the constant 42", b2n_scalar_is_const(&e) && e.t.value == 42);

	struct b2n_scalar s = x;
	k = b2n_scalar_const(1);
	b2n_scalar_branch(B2N_JSET, 1, 0, &s, &k);
	expect("!(x & 1) makes bit 0 known 0", !(s.t.mask & 1) && !(s.t.value & 1));

	struct b2n_scalar n = x;
	k = b2n_scalar_const(0);
	b2n_scalar_branch(B2N_JSGE, 1, 1, &n, &k);
	k = b2n_scalar_const(512);
	b2n_scalar_branch(B2N_JSLT, 1, 1, &n, &k);
	expect("0 <= x s< 512 bounds x unsigned too", n.umin == 0 && n.umax == 511);

	struct b2n_scalar sx = b2n_scalar_const(0x80);
	sx = b2n_scalar_alu(B2N_ALU_MOVSX8, 1, &x, &sx);
	expect("movsx8 of 0x80 is -128", b2n_scalar_is_const(&sx) && sx.smin == -128);
}

int main(int argc, char **argv)
{
	int trials = argc > 1 ? atoi(argv[1]) : 3000;
	precision();
	check_join(trials);
	check_alu(trials);
	check_end(trials);
	check_branches(trials);
	int total = 1;
	printf("scalar domain: %d trials per operation; %d failure(s)\n", trials, fails);
	printf("%d passed, %d failed\n", fails ? 0 : total, fails ? 1 : 0);
	return fails ? 1 : 0;
}
