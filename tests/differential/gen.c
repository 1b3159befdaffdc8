/*
 * gen.c - random valid BPF programs for the differential test.
 *
 * A program is a main function and 0-3 local subprograms; function i may
 * call only functions j > i, so the call graph is a DAG of at most four
 * frames.  Every function has the same shape:
 *   prologue  every register r0-r9 gets a value: main reads the five inputs
 *             (ldxw from the context; r1 is the context pointer, read last),
 *             a subprogram starts from its 0-5 arguments r1-rN; the others
 *             get constants or values derived from initialised ones.  Then
 *             the 32 bytes [r10-32, r10) are written (stores of every size
 *             and form), so every stack read below is of initialised bytes;
 *   body      a sequence of "groups": ALU/ALU32 ops of every kind, byte
 *             swaps, lddw, stack loads/stores/ldsx/atomics at naturally
 *             aligned offsets, forward conditional jumps to the start of any
 *             later group, if/else diamonds (jcc, then-part, ja or gotol,
 *             else-part), and local calls;
 *   epilogue  r0 ^= / += each of r1-r9 and the four stack words (times an
 *             odd constant after every third), then
 *             in main the high 32 bits are xor-ed into the low 32 (the
 *             kernel's test-run retval is 32 bits), and exit.
 * The invariant that keeps the verifier happy is simple: at the start of
 * every group, r0-r9 and the 32 stack bytes are initialised.  Groups are
 * atomic (no jump lands inside one), and a call group re-initialises r1-r5
 * after the call, so any forward jump between group starts is safe.  A
 * unconditional jump only ends the then-part of a diamond, so no
 * instruction is unreachable.  Immediate shifts stay in [0, width) and
 * immediate divisors are non-zero, as the kernel demands; r10 is only ever
 * a memory base.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define NSLOTS 4 /* stack words written by the prologue */
#define MAX_FUNCS 4

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnext(struct rng *r) /* xoshiro256** */
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(rnext(r) % n);
}

/* An immediate with the edge values well represented. */
static int32_t pick_imm(struct rng *r)
{
	static const int32_t edges[] = {0,     1,     -1,      2,         0x7f,      0x80,
	                                0xff,  0x100, 0x7fff,  0x8000,    0xffff,    0x10000,
	                                -0x80, -0x81, -0x8000, INT32_MAX, INT32_MIN, 31,
	                                32,    63,    64,      0x7ffffffe};
	switch (below(r, 4)) {
	case 0:
		return edges[below(r, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (int32_t)below(r, 33) - 16;
	default:
		return (int32_t)(uint32_t)rnext(r);
	}
}

static uint32_t pick_input(struct rng *r)
{
	static const uint32_t edges[] = {0,          1,          0xffffffff, 0x80000000, 0x7fffffff,
	                                 0x80,       0xff,       0xffff,     0x8000,     0xffffff80,
	                                 0xffff8000, 0x00010000, 63,         64,         32};
	if (below(r, 3) == 0)
		return edges[below(r, sizeof(edges) / sizeof(edges[0]))];
	return (uint32_t)rnext(r);
}

/* One function under construction: its instructions, the starts of its
 * groups, and jumps/calls whose targets are resolved at the end. */
struct fixup {
	size_t at;     /* instruction index in the function */
	int kind;      /* FX_GROUP, FX_POS or FX_CALL */
	size_t target; /* group id, instruction index or function id */
};
enum { FX_GROUP, FX_POS, FX_CALL };

struct func {
	struct b2n_insn *ins;
	size_t n, cap;
	size_t *groups;
	size_t ngroups, gcap;
	struct fixup *fx;
	size_t nfx, fxcap;
	int id, nargs;
	size_t start; /* index in the program */
};

struct gen {
	struct rng r;
	struct func f[MAX_FUNCS];
	int nfuncs;
	int oom;
};

static void *grow(struct gen *g, void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *q = realloc(p, nc * elem);
	if (!q) {
		g->oom = 1;
		return p;
	}
	*cap = nc;
	return q;
}

static size_t emit(struct gen *g, struct func *f, uint8_t code, int dst, int src, int off,
                   int32_t imm)
{
	f->ins = grow(g, f->ins, &f->cap, f->n + 1, sizeof(*f->ins));
	if (g->oom)
		return f->n;
	struct b2n_insn *in = &f->ins[f->n];
	in->code = code;
	in->dst = (uint8_t)dst;
	in->src = (uint8_t)src;
	in->off = (int16_t)off;
	in->imm = imm;
	return f->n++;
}

static void lddw(struct gen *g, struct func *f, int dst, uint64_t v)
{
	emit(g, f, B2N_CLS_LD | B2N_MODE_IMM | 0x18, dst, 0, 0, (int32_t)(uint32_t)v);
	emit(g, f, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static void fixup(struct gen *g, struct func *f, size_t at, int kind, size_t target)
{
	f->fx = grow(g, f->fx, &f->fxcap, f->nfx + 1, sizeof(*f->fx));
	if (g->oom)
		return;
	f->fx[f->nfx++] = (struct fixup){at, kind, target};
}

static void start_group(struct gen *g, struct func *f)
{
	f->groups = grow(g, f->groups, &f->gcap, f->ngroups + 1, sizeof(*f->groups));
	if (!g->oom)
		f->groups[f->ngroups++] = f->n;
}

static int any_reg(struct gen *g)
{
	return (int)below(&g->r, 10);
}

static int aligned_off(struct gen *g, int bytes)
{
	return -bytes * (int)(1 + below(&g->r, NSLOTS * 8 / (unsigned)bytes));
}

static int size_index(int bytes)
{
	for (int i = 0; i < 4; i++)
		if (b2n_size_table[i].bytes == bytes)
			return i;
	return 0;
}

/* dst = a value from a constant or an initialised register. */
static void set_value(struct gen *g, struct func *f, int dst, const int *init, int ninit)
{
	unsigned k = below(&g->r, ninit ? 5 : 3);
	switch (k) {
	case 0:
		emit(g, f, B2N_CLS_ALU64 | 0xb0, dst, 0, 0, pick_imm(&g->r));
		break;
	case 1:
		emit(g, f, B2N_CLS_ALU | 0xb0, dst, 0, 0, pick_imm(&g->r));
		break;
	case 2:
		lddw(g, f, dst, rnext(&g->r));
		break;
	default: {
		int src = init[below(&g->r, (unsigned)ninit)];
		emit(g, f, B2N_CLS_ALU64 | 0xb0 | B2N_SRC_X, dst, src, 0, 0);
		if (k == 4) /* mix it: dst *= odd */
			emit(g, f, B2N_CLS_ALU64 | 0x20, dst, 0, 0, pick_imm(&g->r) | 1);
	}
	}
}

/* dst = 0, 1, -1, INT32_MIN, INT64_MIN, ... (the corners of division,
 * shifts and sign extension) */
static void edge_value(struct gen *g, struct func *f, int dst)
{
	static const uint64_t edges[] = {
	    0,          1,     ~0ull, 0x80000000ull,         0xffffffffull,
	    1ull << 63, 64,    32,    0xffffffff80000000ull, 0x7fffffffffffffffull,
	    0x80,       0x8000};
	uint64_t v = edges[below(&g->r, sizeof(edges) / sizeof(edges[0]))];
	if (v <= 0x7fffffff || v >= 0xffffffff80000000ull)
		emit(g, f, B2N_CLS_ALU64 | 0xb0, dst, 0, 0, (int32_t)(uint32_t)v);
	else
		lddw(g, f, dst, v);
}

static void gen_alu(struct gen *g, struct func *f)
{
	struct rng *r = &g->r;
	int op = (int)below(r, B2N_ALU__COUNT);
	const struct b2n_alu_desc *d = &b2n_alu_table[op];
	int is64 = below(r, 2) || !d->m32;
	int x = (d->flags & B2N_ALUF_X) && (!(d->flags & B2N_ALUF_K) || below(r, 2));
	uint8_t code = (uint8_t)((is64 ? B2N_CLS_ALU64 : B2N_CLS_ALU) | d->opnibble);
	int dst = any_reg(g);
	if (below(r, 5) == 0) /* an edge value as the destination operand */
		edge_value(g, f, dst);
	if (x) {
		int src = any_reg(g);
		if (src != dst && below(r, 4) == 0) /* divisor 0, -1, ..., shift >= width */
			edge_value(g, f, src);
		emit(g, f, code | B2N_SRC_X, dst, src, d->off, 0);
		return;
	}
	int32_t imm = pick_imm(r);
	switch (op) {
	case B2N_ALU_NEG:
		imm = 0;
		break;
	case B2N_ALU_LSH:
	case B2N_ALU_RSH:
	case B2N_ALU_ARSH:
		imm = (int32_t)below(r, is64 ? 64 : 32);
		break;
	case B2N_ALU_DIV:
	case B2N_ALU_SDIV:
	case B2N_ALU_MOD:
	case B2N_ALU_SMOD:
		if (!imm)
			imm = below(r, 2) ? -1 : 3;
		break;
	default:
		break;
	}
	emit(g, f, code, dst, 0, d->off, imm);
}

static void gen_end(struct gen *g, struct func *f)
{
	static const int32_t widths[] = {16, 32, 64};
	int op = (int)below(&g->r, B2N_END__COUNT);
	emit(g, f, b2n_end_table[op].code, any_reg(g), 0, 0, widths[below(&g->r, 3)]);
}

static void gen_mem(struct gen *g, struct func *f)
{
	struct rng *r = &g->r;
	unsigned kind = below(r, 10);
	if (kind < 3) { /* ldx */
		int s = (int)below(r, 4);
		int bytes = b2n_size_table[s].bytes;
		emit(g, f, B2N_CLS_LDX | B2N_MODE_MEM | b2n_size_table[s].bits, any_reg(g), 10,
		     aligned_off(g, bytes), 0);
	} else if (kind < 5) { /* ldsx b/h/w */
		static const int bytes_of[] = {1, 2, 4};
		int bytes = bytes_of[below(r, 3)];
		emit(g, f, B2N_CLS_LDX | B2N_MODE_MEMSX | b2n_size_table[size_index(bytes)].bits,
		     any_reg(g), 10, aligned_off(g, bytes), 0);
	} else if (kind < 7) { /* st imm */
		int s = (int)below(r, 4);
		emit(g, f, B2N_CLS_ST | B2N_MODE_MEM | b2n_size_table[s].bits, 10, 0,
		     aligned_off(g, b2n_size_table[s].bytes), pick_imm(r));
	} else { /* stx */
		int s = (int)below(r, 4);
		emit(g, f, B2N_CLS_STX | B2N_MODE_MEM | b2n_size_table[s].bits, 10, any_reg(g),
		     aligned_off(g, b2n_size_table[s].bytes), 0);
	}
}

static void gen_atomic(struct gen *g, struct func *f)
{
	struct rng *r = &g->r;
	int bytes = below(r, 2) ? 8 : 4;
	int op = (int)below(r, B2N_ATOMIC__COUNT);
	int32_t imm = b2n_atomic_table[op].imm;
	if (op <= B2N_ATOMIC_XOR && below(r, 2))
		imm |= B2N_ATOMIC_FETCH;
	emit(g, f, B2N_CLS_STX | B2N_MODE_ATOMIC | b2n_size_table[size_index(bytes)].bits, 10,
	     any_reg(g), aligned_off(g, bytes), imm);
}

static void gen_jcc(struct gen *g, struct func *f, int kind, size_t target)
{
	struct rng *r = &g->r;
	int is64 = (int)below(r, 2);
	const struct b2n_jcc_desc *d = &b2n_jcc_table[below(r, B2N_JCC__COUNT)];
	uint8_t code = (uint8_t)((is64 ? B2N_CLS_JMP : B2N_CLS_JMP32) | d->opnibble);
	size_t at;
	if (below(r, 2))
		at = emit(g, f, code | B2N_SRC_X, any_reg(g), any_reg(g), 0, 0);
	else
		at = emit(g, f, code, any_reg(g), 0, 0, pick_imm(r));
	fixup(g, f, at, kind, target);
}

/* A call to callee, or to a random later function when callee < 0. */
static void gen_call(struct gen *g, struct func *f, int callee)
{
	struct rng *r = &g->r;
	if (callee < 0)
		callee = f->id + 1 + (int)below(r, (unsigned)(g->nfuncs - f->id - 1));
	static const int keep[] = {0, 6, 7, 8, 9};
	for (int a = 1; a <= g->f[callee].nargs; a++) {
		if (below(r, 3))
			emit(g, f, B2N_CLS_ALU64 | 0xb0 | B2N_SRC_X, a, any_reg(g), 0, 0);
		else
			emit(g, f, B2N_CLS_ALU64 | 0xb0, a, 0, 0, pick_imm(r));
	}
	size_t at = emit(g, f, B2N_CLS_JMP | 0x80, 0, B2N_CALL_LOCAL, 0, 0);
	fixup(g, f, at, FX_CALL, (size_t)callee);
	/* r1-r5 are unreadable now: give them values again */
	for (int a = 1; a <= 5; a++) {
		if (below(r, 2))
			emit(g, f, B2N_CLS_ALU64 | 0xb0 | B2N_SRC_X, a, keep[below(r, 5)], 0, 0);
		else
			emit(g, f, (below(r, 2) ? B2N_CLS_ALU64 : B2N_CLS_ALU) | 0xb0, a, 0, 0,
			     pick_imm(r));
	}
}

static void gen_seq(struct gen *g, struct func *f, int ngroups, int depth)
{
	struct rng *r = &g->r;
	/* the top level of each function calls the next one at least once, so
	 * that no subprogram is unreachable */
	int forced = depth == 0 && f->id + 1 < g->nfuncs ? (int)below(r, (unsigned)ngroups) : -1;
	for (int i = 0; i < ngroups && !g->oom; i++) {
		unsigned w = below(r, 100);
		start_group(g, f);
		if (i == forced) {
			gen_call(g, f, f->id + 1);
		} else if (w < 40) {
			gen_alu(g, f);
		} else if (w < 45) {
			gen_end(g, f);
		} else if (w < 48) {
			lddw(g, f, any_reg(g), rnext(r));
		} else if (w < 66) {
			gen_mem(g, f);
		} else if (w < 74) {
			gen_atomic(g, f);
		} else if (w < 84) { /* to the start of a later group (clamped) */
			gen_jcc(g, f, FX_GROUP, f->ngroups + below(r, 12));
		} else if (w < 91 && depth < 3) { /* if/else diamond */
			gen_jcc(g, f, FX_POS, 0);
			size_t jcc_fx = f->nfx - 1;
			gen_seq(g, f, 1 + (int)below(r, 5), depth + 1);
			start_group(g, f);
			size_t ja;
			if (below(r, 4))
				ja = emit(g, f, B2N_CLS_JMP, 0, 0, 0, 0);
			else /* gotol: JMP32 | JA, offset in imm */
				ja = emit(g, f, B2N_CLS_JMP32, 0, 0, 0, 0);
			if (!g->oom)
				f->fx[jcc_fx].target = f->n;
			gen_seq(g, f, 1 + (int)below(r, 5), depth + 1);
			fixup(g, f, ja, FX_POS, f->n);
		} else if (w < 97 && f->id + 1 < g->nfuncs) {
			gen_call(g, f, -1);
		} else {
			gen_alu(g, f);
		}
	}
}

static void prologue(struct gen *g, struct func *f, const uint32_t *in)
{
	struct rng *r = &g->r;
	int init[10], ninit = 0, done[10] = {0};
	if (f->id == 0) {
		/* five inputs into distinct registers; r1 (the ctx) only as the last */
		int regs[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
		for (int i = 9; i > 0; i--) {
			int j = (int)below(r, (unsigned)i + 1), t = regs[i];
			regs[i] = regs[j];
			regs[j] = t;
		}
		int k = 0;
		for (int i = 0; i < 10 && k < DG_NINPUTS; i++) {
			if (regs[i] == 1)
				continue;
			emit(g, f, B2N_CLS_LDX | B2N_MODE_MEM | 0x00, regs[i], 1, DG_IN_OFF + 4 * k,
			     0);
			init[ninit++] = regs[i];
			done[regs[i]] = 1;
			k++;
		}
		if (below(r, 2)) {
			emit(g, f, B2N_CLS_LDX | B2N_MODE_MEM | 0x00, 1, 1,
			     DG_IN_OFF + 4 * (int)below(r, DG_NINPUTS), 0);
			init[ninit++] = 1;
			done[1] = 1;
		}
		(void)in;
	} else {
		for (int a = 1; a <= f->nargs; a++) {
			init[ninit++] = a;
			done[a] = 1;
		}
	}
	for (int reg = 0; reg < 10; reg++) {
		if (done[reg])
			continue;
		set_value(g, f, reg, init, ninit);
		init[ninit++] = reg;
	}
	/* the stack: every byte of [r10-64, r10) */
	for (int s = 0; s < NSLOTS; s++) {
		int base = -8 * (s + 1);
		unsigned how = below(r, 10);
		int bytes = how < 7 ? 8 : how == 7 ? 4 : how == 8 ? 2 : 1;
		int si = size_index(bytes);
		for (int o = 0; o < 8; o += bytes) {
			if (below(r, 2))
				emit(g, f, B2N_CLS_ST | B2N_MODE_MEM | b2n_size_table[si].bits, 10,
				     0, base + o, pick_imm(r));
			else
				emit(g, f, B2N_CLS_STX | B2N_MODE_MEM | b2n_size_table[si].bits, 10,
				     any_reg(g), base + o, 0);
		}
	}
}

/* r0 op= v for every register and stack word, op alternating xor and add,
 * with a multiplication by an odd constant after every third value. */
static void epilogue(struct gen *g, struct func *f)
{
	static const int32_t mult[] = {0x01000193, -0x61c88647, 0x2545f491, 0x5bd1e995};
	start_group(g, f);
	for (int v = 1; v < 10 + NSLOTS; v++) {
		int reg = v;
		if (v >= 10) {
			reg = 1;
			emit(g, f, B2N_CLS_LDX | B2N_MODE_MEM | 0x18, 1, 10, -8 * (v - 9), 0);
		}
		emit(g, f, B2N_CLS_ALU64 | (v & 1 ? 0xa0 : 0x00) | B2N_SRC_X, 0, reg, 0, 0);
		if (v % 3 == 0)
			emit(g, f, B2N_CLS_ALU64 | 0x20, 0, 0, 0, mult[(v / 3) & 3]);
	}
	if (f->id == 0) {
		emit(g, f, B2N_CLS_ALU64 | 0xb0 | B2N_SRC_X, 1, 0, 0, 0);
		emit(g, f, B2N_CLS_ALU64 | 0x70, 1, 0, 0, 32);
		emit(g, f, B2N_CLS_ALU64 | 0xa0 | B2N_SRC_X, 0, 1, 0, 0);
	}
	emit(g, f, B2N_CLS_JMP | 0x90, 0, 0, 0, 0);
}

static void free_funcs(struct gen *g)
{
	for (int i = 0; i < MAX_FUNCS; i++) {
		free(g->f[i].ins);
		free(g->f[i].groups);
		free(g->f[i].fx);
	}
}

int dg_generate(uint64_t seed, uint64_t index, struct dg_prog *p)
{
	struct gen g;
	memset(&g, 0, sizeof(g));
	uint64_t x = seed ^ 0x6a09e667f3bcc909ull;
	x = splitmix(&x) ^ index;
	for (int i = 0; i < 4; i++)
		g.r.s[i] = splitmix(&x);
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < DG_NINPUTS; i++)
		p->in[i] = pick_input(&g.r);

	static const int nsub_w[] = {0, 0, 0, 0, 0, 1, 1, 1, 2, 3};
	g.nfuncs = 1 + nsub_w[below(&g.r, 10)];
	for (int i = 0; i < g.nfuncs; i++) {
		g.f[i].id = i;
		g.f[i].nargs = i ? (int)below(&g.r, 6) : 0;
	}
	for (int i = 0; i < g.nfuncs && !g.oom; i++) {
		struct func *f = &g.f[i];
		prologue(&g, f, p->in);
		gen_seq(&g, f, i ? 3 + (int)below(&g.r, 12) : 10 + (int)below(&g.r, 30), 0);
		epilogue(&g, f);
	}
	/* lay out: main, then the subprograms; resolve the targets */
	size_t total = 0;
	for (int i = 0; i < g.nfuncs; i++) {
		g.f[i].start = total;
		total += g.f[i].n;
	}
	if (!g.oom)
		p->insns = malloc(total * sizeof(*p->insns));
	if (g.oom || !p->insns) {
		free_funcs(&g);
		return -1;
	}
	for (int i = 0; i < g.nfuncs; i++) {
		struct func *f = &g.f[i];
		for (size_t k = 0; k < f->nfx; k++) {
			struct fixup *fx = &f->fx[k];
			struct b2n_insn *in = &f->ins[fx->at];
			long target;
			if (fx->kind == FX_CALL) {
				target = (long)g.f[fx->target].start - (long)f->start;
			} else if (fx->kind == FX_GROUP) {
				size_t gid = fx->target < f->ngroups ? fx->target : f->ngroups - 1;
				target = (long)f->groups[gid];
			} else {
				target = (long)fx->target;
			}
			long rel = target - (long)fx->at - 1;
			if (fx->kind == FX_CALL ||
			    ((in->code & 7) == B2N_CLS_JMP32 && (in->code & 0xf0) == 0))
				in->imm = (int32_t)rel;
			else
				in->off = (int16_t)rel;
		}
		memcpy(p->insns + f->start, f->ins, f->n * sizeof(*f->ins));
	}
	p->n = p->cap = total;
	free_funcs(&g);
	return 0;
}

void dg_free(struct dg_prog *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}

void dg_ctx(const struct dg_prog *p, int big_endian, unsigned char ctx[DG_CTX_SIZE])
{
	memset(ctx, 0, DG_CTX_SIZE);
	for (int i = 0; i < DG_NINPUTS; i++)
		for (int b = 0; b < 4; b++)
			ctx[DG_IN_OFF + 4 * i + b] =
			    (unsigned char)(p->in[i] >> (big_endian ? 24 - 8 * b : 8 * b));
}
