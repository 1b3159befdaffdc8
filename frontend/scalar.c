/*
 * scalar.c - the value domain of the verifier: what is known about a
 * 64-bit scalar, in the kernel verifier's model (issue #10).
 *
 * A scalar is a tnum (value/mask: each bit known 0, known 1 or unknown)
 * plus unsigned and signed bounds of the whole 64-bit value and of its low
 * 32 bits.  The pieces are kept consistent by sync(), which feeds each one
 * from the others (tnum -> bounds, bounds -> tnum, signed <-> unsigned,
 * 32 <-> 64 bits) until nothing changes, and which detects an empty set.
 *
 * Transfer functions compute, for every BPF ALU operation, a scalar that
 * contains every concrete result of concrete inputs in the operands.  A
 * 32-bit operation is done on 64-bit lifts of its operands (zero- or
 * sign-extended from bit 31) and truncated back, which is exact for
 * every operation because 2^32 divides 2^64.  Branch refinement narrows
 * both operands of a conditional jump to the pairs for which the branch
 * goes the given way, and reports when no pair does.
 *
 * Soundness (containment) is the invariant; tests/unit/scalar_test.c
 * checks it on random concrete sets for every operation and condition.
 * Precision follows the kernel where it matters to real programs (masks,
 * shifts and bounds checks); the kernel's code was read, not copied.
 */
#include <string.h>

#include "frontend.h"

#define M32 0xffffffffull
#define SIGN64 0x8000000000000000ull

/* ---- tnums -------------------------------------------------------------- */

static struct b2n_tnum tn(uint64_t v, uint64_t m)
{
	struct b2n_tnum t = {v & ~m, m};
	return t;
}

static struct b2n_tnum tn_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max;
	if (!chi)
		return tn(min, 0);
	int bits = 64 - __builtin_clzll(chi);
	if (bits >= 64)
		return tn(0, ~0ull);
	uint64_t delta = (1ull << bits) - 1;
	return tn(min & ~delta, delta);
}

static struct b2n_tnum tn_add(struct b2n_tnum a, struct b2n_tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	uint64_t chi = (sm + sv) ^ sv;
	return tn(sv, chi | a.mask | b.mask);
}

static struct b2n_tnum tn_sub(struct b2n_tnum a, struct b2n_tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t chi = (dv + a.mask) ^ (dv - b.mask);
	return tn(dv, chi | a.mask | b.mask);
}

static struct b2n_tnum tn_and(struct b2n_tnum a, struct b2n_tnum b)
{
	uint64_t v = a.value & b.value;
	return tn(v, (a.value | a.mask) & (b.value | b.mask) & ~v);
}

static struct b2n_tnum tn_or(struct b2n_tnum a, struct b2n_tnum b)
{
	uint64_t v = a.value | b.value;
	return tn(v, (a.mask | b.mask) & ~v);
}

static struct b2n_tnum tn_xor(struct b2n_tnum a, struct b2n_tnum b)
{
	return tn(a.value ^ b.value, a.mask | b.mask);
}

/* Long multiplication: each bit of a contributes b (known bit) or "b or 0"
 * (unknown bit). */
static struct b2n_tnum tn_mul(struct b2n_tnum a, struct b2n_tnum b)
{
	struct b2n_tnum acc = tn(0, 0);
	uint64_t known = a.value * b.value;
	for (int i = 0; i < 64 && (a.value | a.mask); i++) {
		if (a.value & 1)
			acc = tn_add(acc, tn(0, b.mask));
		else if (a.mask & 1)
			acc = tn_add(acc, tn(0, b.value | b.mask));
		a = tn(a.value >> 1, a.mask >> 1);
		b = tn(b.value << 1, b.mask << 1);
	}
	return tn_add(tn(known, 0), acc);
}

static struct b2n_tnum tn_intersect(struct b2n_tnum a, struct b2n_tnum b)
{
	return tn(a.value | b.value, a.mask & b.mask);
}

/* Whether two tnums contradict each other (a bit known 0 in one, known 1 in
 * the other): their intersection is empty. */
static int tn_disjoint(struct b2n_tnum a, struct b2n_tnum b)
{
	return ((a.value ^ b.value) & ~(a.mask | b.mask)) != 0;
}

static struct b2n_tnum tn_union(struct b2n_tnum a, struct b2n_tnum b)
{
	return tn(a.value, a.mask | b.mask | (a.value ^ b.value));
}

/* ---- constructors and queries ------------------------------------------- */

struct b2n_scalar b2n_scalar_unknown(void)
{
	struct b2n_scalar s;
	s.t = tn(0, ~0ull);
	s.umin = 0, s.umax = ~0ull;
	s.smin = INT64_MIN, s.smax = INT64_MAX;
	s.u32min = 0, s.u32max = UINT32_MAX;
	s.s32min = INT32_MIN, s.s32max = INT32_MAX;
	return s;
}

struct b2n_scalar b2n_scalar_const(uint64_t v)
{
	struct b2n_scalar s;
	s.t = tn(v, 0);
	s.umin = s.umax = v;
	s.smin = s.smax = (int64_t)v;
	s.u32min = s.u32max = (uint32_t)v;
	s.s32min = s.s32max = (int32_t)(uint32_t)v;
	return s;
}

int b2n_scalar_is_const(const struct b2n_scalar *s)
{
	return s->t.mask == 0;
}

int b2n_scalar_contains(const struct b2n_scalar *s, uint64_t v)
{
	uint32_t v32 = (uint32_t)v;
	return (v & ~s->t.mask) == s->t.value && v >= s->umin && v <= s->umax &&
	       (int64_t)v >= s->smin && (int64_t)v <= s->smax && v32 >= s->u32min &&
	       v32 <= s->u32max && (int32_t)v32 >= s->s32min && (int32_t)v32 <= s->s32max;
}

/* ---- consistency -------------------------------------------------------- */

static uint64_t umax64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}
static uint64_t umin64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}
static int64_t smax64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}
static int64_t smin64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* One round of every deduction; returns nonzero when something changed. */
static int sync_once(struct b2n_scalar *s)
{
	struct b2n_scalar o = *s;
	uint64_t lo = s->t.value, hi = s->t.value | s->t.mask;

	/* tnum -> 64-bit bounds */
	s->umin = umax64(s->umin, lo);
	s->umax = umin64(s->umax, hi);
	if (s->t.mask & SIGN64) {
		s->smin = smax64(s->smin, (int64_t)(lo | SIGN64));
		s->smax = smin64(s->smax, (int64_t)(hi & ~SIGN64));
	} else {
		s->smin = smax64(s->smin, (int64_t)lo);
		s->smax = smin64(s->smax, (int64_t)hi);
	}
	/* signed <-> unsigned, 64 bits: when the range does not cross the
	 * sign boundary, both orders agree */
	if ((uint64_t)s->smin <= (uint64_t)s->smax) {
		s->umin = umax64(s->umin, (uint64_t)s->smin);
		s->umax = umin64(s->umax, (uint64_t)s->smax);
	}
	if ((int64_t)s->umin <= (int64_t)s->umax) {
		s->smin = smax64(s->smin, (int64_t)s->umin);
		s->smax = smin64(s->smax, (int64_t)s->umax);
	}
	/* tnum -> 32-bit bounds */
	uint32_t lo32 = (uint32_t)lo, hi32 = (uint32_t)hi, m32 = (uint32_t)s->t.mask;
	if (lo32 > s->u32min)
		s->u32min = lo32;
	if (hi32 < s->u32max)
		s->u32max = hi32;
	int32_t slo = (int32_t)(m32 & 0x80000000u ? lo32 | 0x80000000u : lo32);
	int32_t shi = (int32_t)(m32 & 0x80000000u ? hi32 & 0x7fffffffu : hi32);
	if (slo > s->s32min)
		s->s32min = slo;
	if (shi < s->s32max)
		s->s32max = shi;
	/* signed <-> unsigned, 32 bits */
	if ((uint32_t)s->s32min <= (uint32_t)s->s32max) {
		if ((uint32_t)s->s32min > s->u32min)
			s->u32min = (uint32_t)s->s32min;
		if ((uint32_t)s->s32max < s->u32max)
			s->u32max = (uint32_t)s->s32max;
	}
	if ((int32_t)s->u32min <= (int32_t)s->u32max) {
		if ((int32_t)s->u32min > s->s32min)
			s->s32min = (int32_t)s->u32min;
		if ((int32_t)s->u32max < s->s32max)
			s->s32max = (int32_t)s->u32max;
	}
	/* 64 -> 32: when the upper halves of umin and umax agree, the low
	 * halves are ordered (and likewise for the signed range) */
	if ((s->umin >> 32) == (s->umax >> 32)) {
		if ((uint32_t)s->umin > s->u32min)
			s->u32min = (uint32_t)s->umin;
		if ((uint32_t)s->umax < s->u32max)
			s->u32max = (uint32_t)s->umax;
		if ((int32_t)(uint32_t)s->umin <= (int32_t)(uint32_t)s->umax) {
			if ((int32_t)(uint32_t)s->umin > s->s32min)
				s->s32min = (int32_t)(uint32_t)s->umin;
			if ((int32_t)(uint32_t)s->umax < s->s32max)
				s->s32max = (int32_t)(uint32_t)s->umax;
		}
	}
	if ((s->smin >> 32) == (s->smax >> 32) &&
	    (int32_t)(uint32_t)s->smin <= (int32_t)(uint32_t)s->smax) {
		if ((int32_t)(uint32_t)s->smin > s->s32min)
			s->s32min = (int32_t)(uint32_t)s->smin;
		if ((int32_t)(uint32_t)s->smax < s->s32max)
			s->s32max = (int32_t)(uint32_t)s->smax;
	}
	/* 32 -> 64: with the upper half known, the low half's bounds bound
	 * the whole value */
	if (!(s->t.mask >> 32)) {
		uint64_t h = s->t.value & ~M32;
		s->umin = umax64(s->umin, h | s->u32min);
		s->umax = umin64(s->umax, h | s->u32max);
	}
	/* bounds -> tnum (a contradiction empties the set) */
	if (s->umin <= s->umax) {
		struct b2n_tnum r = tn_range(s->umin, s->umax);
		if (tn_disjoint(s->t, r))
			s->umin = 1, s->umax = 0;
		else
			s->t = tn_intersect(s->t, r);
	}
	if (s->u32min <= s->u32max) {
		struct b2n_tnum r = tn_range(s->u32min, s->u32max);
		r = tn(r.value | (s->t.value & ~M32), r.mask | (s->t.mask & ~M32));
		if (tn_disjoint(s->t, r))
			s->u32min = 1, s->u32max = 0;
		else
			s->t = tn_intersect(s->t, r);
	}
	return memcmp(&o, s, sizeof(o)) != 0;
}

/* The tnum of a set whose bounds are all consistent never contradicts
 * them; an empty intersection shows up as a bound above its partner or a
 * known-1 bit outside the range. */
static int is_empty(const struct b2n_scalar *s)
{
	return s->umin > s->umax || s->smin > s->smax || s->u32min > s->u32max ||
	       s->s32min > s->s32max || (s->t.value & s->t.mask) || s->t.value > s->umax ||
	       (s->t.value | s->t.mask) < s->umin;
}

/* Returns -1 if the scalar is empty (no value satisfies every part). */
static int sync(struct b2n_scalar *s)
{
	for (int i = 0; i < 8; i++) {
		if (is_empty(s))
			return -1;
		if (!sync_once(s))
			break;
	}
	return is_empty(s) ? -1 : 0;
}

/* Scalar from a tnum and unsigned bounds alone. */
static struct b2n_scalar from(struct b2n_tnum t, uint64_t umin, uint64_t umax)
{
	struct b2n_scalar s = b2n_scalar_unknown();
	s.t = t;
	s.umin = umin, s.umax = umax;
	sync(&s);
	return s;
}

struct b2n_scalar b2n_scalar_join(const struct b2n_scalar *a, const struct b2n_scalar *b)
{
	struct b2n_scalar s;
	s.t = tn_union(a->t, b->t);
	s.umin = umin64(a->umin, b->umin), s.umax = umax64(a->umax, b->umax);
	s.smin = smin64(a->smin, b->smin), s.smax = smax64(a->smax, b->smax);
	s.u32min = a->u32min < b->u32min ? a->u32min : b->u32min;
	s.u32max = a->u32max > b->u32max ? a->u32max : b->u32max;
	s.s32min = a->s32min < b->s32min ? a->s32min : b->s32min;
	s.s32max = a->s32max > b->s32max ? a->s32max : b->s32max;
	sync(&s);
	return s;
}

struct b2n_scalar b2n_scalar_widen(const struct b2n_scalar *old, const struct b2n_scalar *nw)
{
	/* every bound that moved goes to its extreme; the tnum only grows (at
	 * most 64 times), so repeated widening ends */
	struct b2n_scalar s = b2n_scalar_join(old, nw);
	if (nw->umin < old->umin)
		s.umin = 0;
	if (nw->umax > old->umax)
		s.umax = UINT64_MAX;
	if (nw->smin < old->smin)
		s.smin = INT64_MIN;
	if (nw->smax > old->smax)
		s.smax = INT64_MAX;
	if (nw->u32min < old->u32min)
		s.u32min = 0;
	if (nw->u32max > old->u32max)
		s.u32max = UINT32_MAX;
	if (nw->s32min < old->s32min)
		s.s32min = INT32_MIN;
	if (nw->s32max > old->s32max)
		s.s32max = INT32_MAX;
	struct b2n_scalar u = b2n_scalar_unknown();
	u.t = s.t;
	u.umin = s.umin, u.umax = s.umax, u.smin = s.smin, u.smax = s.smax;
	u.u32min = s.u32min, u.u32max = s.u32max, u.s32min = s.s32min, u.s32max = s.s32max;
	sync(&u);
	return u;
}

int b2n_scalar_within(const struct b2n_scalar *in, const struct b2n_scalar *out)
{
	return (in->t.mask & ~out->t.mask) == 0 && (in->t.value & ~out->t.mask) == out->t.value &&
	       in->umin >= out->umin && in->umax <= out->umax && in->smin >= out->smin &&
	       in->smax <= out->smax && in->u32min >= out->u32min && in->u32max <= out->u32max &&
	       in->s32min >= out->s32min && in->s32max <= out->s32max;
}

/* ---- widths ------------------------------------------------------------- */

/* The low 32 bits, zero-extended (what every 32-bit operation leaves). */
static struct b2n_scalar trunc32(const struct b2n_scalar *a)
{
	uint64_t lo = 0, hi = M32;
	if ((a->umin >> 32) == (a->umax >> 32))
		lo = a->umin & M32, hi = a->umax & M32;
	if (a->u32min > lo)
		lo = a->u32min;
	if (a->u32max < hi)
		hi = a->u32max;
	return from(tn(a->t.value & M32, a->t.mask & M32), lo, hi);
}

/* Sign-extend the low `bits` bits (8, 16, 32) to 64. */
static struct b2n_scalar sext(const struct b2n_scalar *a, int bits)
{
	uint64_t low = bits == 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
	struct b2n_tnum t = tn(a->t.value & low, a->t.mask & low);
	if (t.mask & sign)
		t = tn(t.value, t.mask | ~low);
	else if (t.value & sign)
		t = tn(t.value | ~low, t.mask);
	struct b2n_scalar s = from(t, 0, ~0ull);
	int64_t lo = -(int64_t)sign, hi = (int64_t)sign - 1;
	if (bits == 32 && a->s32min <= a->s32max) {
		lo = a->s32min;
		hi = a->s32max;
	}
	s.smin = smax64(s.smin, lo);
	s.smax = smin64(s.smax, hi);
	sync(&s);
	return s;
}

/* ---- ALU transfer functions ----------------------------------------------- */

/* One operation on constants (isa.h's evaluator; a 32-bit shift masks its
 * count to 31 before the lifted 64-bit operation). */
static uint64_t alu_const(enum b2n_alu_op op, uint64_t a, uint64_t b, int bits)
{
	if (bits == 32 && (op == B2N_ALU_LSH || op == B2N_ALU_RSH || op == B2N_ALU_ARSH))
		b &= 31;
	return b2n_alu_eval64(op, a, b);
}

static struct b2n_scalar alu64(enum b2n_alu_op op, const struct b2n_scalar *a,
                               const struct b2n_scalar *b, int shift_bits)
{
	struct b2n_scalar r = b2n_scalar_unknown();
	uint64_t hi;
	int64_t slo, shi;
	if (b2n_scalar_is_const(a) && b2n_scalar_is_const(b))
		return b2n_scalar_const(alu_const(op, a->t.value, b->t.value, shift_bits));
	switch (op) {
	case B2N_ALU_MOV:
		return *b;
	case B2N_ALU_ADD:
		r.t = tn_add(a->t, b->t);
		if (!__builtin_add_overflow(a->umax, b->umax, &hi)) {
			r.umin = a->umin + b->umin;
			r.umax = hi;
		}
		if (!__builtin_add_overflow(a->smin, b->smin, &slo) &&
		    !__builtin_add_overflow(a->smax, b->smax, &shi))
			r.smin = slo, r.smax = shi;
		break;
	case B2N_ALU_SUB:
		r.t = tn_sub(a->t, b->t);
		if (a->umin >= b->umax) {
			r.umin = a->umin - b->umax;
			r.umax = a->umax - b->umin;
		}
		if (!__builtin_sub_overflow(a->smin, b->smax, &slo) &&
		    !__builtin_sub_overflow(a->smax, b->smin, &shi))
			r.smin = slo, r.smax = shi;
		break;
	case B2N_ALU_NEG: {
		struct b2n_scalar z = b2n_scalar_const(0);
		return alu64(B2N_ALU_SUB, &z, a, shift_bits);
	}
	case B2N_ALU_MUL:
		r.t = tn_mul(a->t, b->t);
		if (a->umax <= M32 && b->umax <= M32) {
			r.umin = a->umin * b->umin;
			r.umax = a->umax * b->umax;
		}
		break;
	case B2N_ALU_AND:
		r.t = tn_and(a->t, b->t);
		r.umax = umin64(a->umax, b->umax);
		if (a->smin >= 0 || b->smin >= 0) {
			r.smin = 0;
			r.smax = a->smin >= 0 && b->smin >= 0 ? smin64(a->smax, b->smax)
			                                      : (a->smin >= 0 ? a->smax : b->smax);
		}
		break;
	case B2N_ALU_OR:
		r.t = tn_or(a->t, b->t);
		r.umin = umax64(a->umin, b->umin);
		break;
	case B2N_ALU_XOR:
		r.t = tn_xor(a->t, b->t);
		break;
	case B2N_ALU_LSH:
	case B2N_ALU_RSH:
	case B2N_ALU_ARSH: {
		if (!b2n_scalar_is_const(b)) {
			if (op == B2N_ALU_RSH && b->umin > 0 && b->umax < (uint64_t)shift_bits)
				r.umax = a->umax >> b->umin; /* shifts right only shrink */
			break;
		}
		unsigned k = (unsigned)(b->t.value & (uint64_t)(shift_bits - 1));
		if (op == B2N_ALU_LSH) {
			r.t = tn(a->t.value << k, a->t.mask << k);
			if (k == 0 || !(a->umax >> (64 - k)))
				r.umin = a->umin << k, r.umax = a->umax << k;
		} else if (op == B2N_ALU_RSH) {
			r.t = tn(a->t.value >> k, a->t.mask >> k);
			r.umin = a->umin >> k, r.umax = a->umax >> k;
		} else {
			uint64_t v = a->t.value, m = a->t.mask;
			/* arithmetic shift without implementation-defined >> */
			uint64_t vs = k ? (v >> k) | ((v & SIGN64) ? ~(~0ull >> k) : 0) : v;
			uint64_t ms = k ? (m >> k) | ((m & SIGN64) ? ~(~0ull >> k) : 0) : m;
			r.t = tn(vs, ms);
			r.smin = a->smin >= 0 ? (int64_t)((uint64_t)a->smin >> k)
			                      : -(int64_t)((~(uint64_t)a->smin) >> k) - 1;
			r.smax = a->smax >= 0 ? (int64_t)((uint64_t)a->smax >> k)
			                      : -(int64_t)((~(uint64_t)a->smax) >> k) - 1;
		}
		break;
	}
	case B2N_ALU_DIV:
		/* BPF: x / 0 = 0 */
		if (b2n_scalar_is_const(b) && b->t.value)
			r.umin = a->umin / b->t.value, r.umax = a->umax / b->t.value;
		else if (b2n_scalar_is_const(b))
			return b2n_scalar_const(0);
		else
			r.umax = a->umax; /* dividing by 0 or by >= 1 never grows */
		break;
	case B2N_ALU_MOD:
		/* BPF: x % 0 = x */
		if (b2n_scalar_is_const(b) && b->t.value == 0)
			return *a;
		r.umax = a->umax;
		if (b->umin > 0)
			r.umax = umin64(a->umax, b->umax - 1);
		break;
	case B2N_ALU_MOVSX8:
		return sext(b, 8);
	case B2N_ALU_MOVSX16:
		return sext(b, 16);
	case B2N_ALU_MOVSX32:
		return sext(b, 32);
	case B2N_ALU_SDIV:
	case B2N_ALU_SMOD:
	case B2N_ALU__COUNT:
		break;
	}
	if (sync(&r))
		return b2n_scalar_unknown(); /* cannot happen for sound inputs */
	return r;
}

struct b2n_scalar b2n_scalar_alu(enum b2n_alu_op op, int is64, const struct b2n_scalar *dst,
                                 const struct b2n_scalar *src)
{
	if (is64)
		return alu64(op, dst, src, 64);
	/* 32 bits: lift, operate, truncate.  ARSH and the signed operations
	 * see the operands sign-extended from bit 31; MOVSX8/16 only read the
	 * source's low byte/half. */
	int sgn = op == B2N_ALU_ARSH || op == B2N_ALU_SDIV || op == B2N_ALU_SMOD;
	struct b2n_scalar a = sgn ? sext(dst, 32) : trunc32(dst);
	struct b2n_scalar b = sgn ? sext(src, 32) : trunc32(src);
	struct b2n_scalar r = alu64(op, &a, &b, 32);
	return trunc32(&r);
}

struct b2n_scalar b2n_scalar_end(enum b2n_end_op op, int width, int swap,
                                 const struct b2n_scalar *a)
{
	/* A byte swap permutes known bits; a conversion without a swap only
	 * truncates. */
	uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
	struct b2n_tnum t = tn(a->t.value & mask, a->t.mask & mask);
	(void)op;
	if (swap) {
		uint64_t v = t.value, m = t.mask;
		if (width == 16)
			v = __builtin_bswap16((uint16_t)v), m = __builtin_bswap16((uint16_t)m);
		else if (width == 32)
			v = __builtin_bswap32((uint32_t)v), m = __builtin_bswap32((uint32_t)m);
		else
			v = __builtin_bswap64(v), m = __builtin_bswap64(m);
		t = tn(v, m);
	}
	uint64_t lo = 0, hi = mask;
	if (!swap && width < 64 && a->umax <= mask)
		lo = a->umin, hi = a->umax;
	else if (!swap && width == 64)
		return *a;
	return from(t, lo, hi);
}

/* ---- branch refinement ------------------------------------------------------ */

static enum b2n_jcc_op negate(enum b2n_jcc_op op)
{
	switch (op) {
	case B2N_JEQ:
		return B2N_JNE;
	case B2N_JNE:
		return B2N_JEQ;
	case B2N_JGT:
		return B2N_JLE;
	case B2N_JLE:
		return B2N_JGT;
	case B2N_JGE:
		return B2N_JLT;
	case B2N_JLT:
		return B2N_JGE;
	case B2N_JSGT:
		return B2N_JSLE;
	case B2N_JSLE:
		return B2N_JSGT;
	case B2N_JSGE:
		return B2N_JSLT;
	case B2N_JSLT:
		return B2N_JSGE;
	default:
		return op; /* JSET is handled apart */
	}
}

/* Refine a and b (64-bit view) so that `a op b` holds for the pairs kept. */
static void refine64(enum b2n_jcc_op op, struct b2n_scalar *a, struct b2n_scalar *b)
{
	switch (op) {
	case B2N_JEQ: {
		if (tn_disjoint(a->t, b->t)) {
			a->umin = 1, a->umax = 0;
			break;
		}
		struct b2n_tnum t = tn_intersect(a->t, b->t);
		a->t = b->t = t;
		a->umin = b->umin = umax64(a->umin, b->umin);
		a->umax = b->umax = umin64(a->umax, b->umax);
		a->smin = b->smin = smax64(a->smin, b->smin);
		a->smax = b->smax = smin64(a->smax, b->smax);
		break;
	}
	case B2N_JNE:
		/* only a constant on one side trims the other's ends */
		if (b2n_scalar_is_const(b)) {
			uint64_t v = b->t.value;
			if (a->umin == v && a->umin < UINT64_MAX)
				a->umin++;
			if (a->umax == v && a->umax > 0)
				a->umax--;
			if (a->smin == (int64_t)v && a->smin < INT64_MAX)
				a->smin++;
			if (a->smax == (int64_t)v && a->smax > INT64_MIN)
				a->smax--;
			if (b2n_scalar_is_const(a) && a->t.value == v)
				a->umin = 1, a->umax = 0; /* empty */
		} else if (b2n_scalar_is_const(a)) {
			refine64(op, b, a);
		}
		break;
	case B2N_JGT:
		if (b->umin == UINT64_MAX || a->umax == 0) {
			a->umin = 1, a->umax = 0;
			break;
		}
		a->umin = umax64(a->umin, b->umin + 1);
		b->umax = umin64(b->umax, a->umax - 1);
		break;
	case B2N_JGE:
		a->umin = umax64(a->umin, b->umin);
		b->umax = umin64(b->umax, a->umax);
		break;
	case B2N_JLT:
		refine64(B2N_JGT, b, a);
		break;
	case B2N_JLE:
		refine64(B2N_JGE, b, a);
		break;
	case B2N_JSGT:
		if (b->smin == INT64_MAX || a->smax == INT64_MIN) {
			a->smin = 1, a->smax = 0;
			break;
		}
		a->smin = smax64(a->smin, b->smin + 1);
		b->smax = smin64(b->smax, a->smax - 1);
		break;
	case B2N_JSGE:
		a->smin = smax64(a->smin, b->smin);
		b->smax = smin64(b->smax, a->smax);
		break;
	case B2N_JSLT:
		refine64(B2N_JSGT, b, a);
		break;
	case B2N_JSLE:
		refine64(B2N_JSGE, b, a);
		break;
	default:
		break;
	}
}

/* The same on the low 32 bits. */
static void refine32(enum b2n_jcc_op op, struct b2n_scalar *a, struct b2n_scalar *b)
{
	switch (op) {
	case B2N_JEQ: {
		if (((a->t.value ^ b->t.value) & ~(a->t.mask | b->t.mask)) & M32) {
			a->u32min = 1, a->u32max = 0;
			break;
		}
		uint64_t v = a->t.value | b->t.value, m = a->t.mask & b->t.mask;
		a->t = tn((a->t.value & ~M32) | (v & M32), (a->t.mask & ~M32) | (m & M32));
		b->t = tn((b->t.value & ~M32) | (v & M32), (b->t.mask & ~M32) | (m & M32));
		a->u32min = b->u32min = a->u32min > b->u32min ? a->u32min : b->u32min;
		a->u32max = b->u32max = a->u32max < b->u32max ? a->u32max : b->u32max;
		a->s32min = b->s32min = a->s32min > b->s32min ? a->s32min : b->s32min;
		a->s32max = b->s32max = a->s32max < b->s32max ? a->s32max : b->s32max;
		break;
	}
	case B2N_JNE:
		if (!(b->t.mask & M32)) {
			uint32_t v = (uint32_t)b->t.value;
			if (a->u32min == v && a->u32min < UINT32_MAX)
				a->u32min++;
			if (a->u32max == v && a->u32max > 0)
				a->u32max--;
			if (a->s32min == (int32_t)v && a->s32min < INT32_MAX)
				a->s32min++;
			if (a->s32max == (int32_t)v && a->s32max > INT32_MIN)
				a->s32max--;
			if (!(a->t.mask & M32) && (uint32_t)a->t.value == v)
				a->u32min = 1, a->u32max = 0;
		} else if (!(a->t.mask & M32)) {
			refine32(op, b, a);
		}
		break;
	case B2N_JGT:
		if (b->u32min == UINT32_MAX || a->u32max == 0) {
			a->u32min = 1, a->u32max = 0;
			break;
		}
		if (b->u32min + 1 > a->u32min)
			a->u32min = b->u32min + 1;
		if (a->u32max - 1 < b->u32max)
			b->u32max = a->u32max - 1;
		break;
	case B2N_JGE:
		if (b->u32min > a->u32min)
			a->u32min = b->u32min;
		if (a->u32max < b->u32max)
			b->u32max = a->u32max;
		break;
	case B2N_JLT:
		refine32(B2N_JGT, b, a);
		break;
	case B2N_JLE:
		refine32(B2N_JGE, b, a);
		break;
	case B2N_JSGT:
		if (b->s32min == INT32_MAX || a->s32max == INT32_MIN) {
			a->s32min = 1, a->s32max = 0;
			break;
		}
		if (b->s32min + 1 > a->s32min)
			a->s32min = b->s32min + 1;
		if (a->s32max - 1 < b->s32max)
			b->s32max = a->s32max - 1;
		break;
	case B2N_JSGE:
		if (b->s32min > a->s32min)
			a->s32min = b->s32min;
		if (a->s32max < b->s32max)
			b->s32max = a->s32max;
		break;
	case B2N_JSLT:
		refine32(B2N_JSGT, b, a);
		break;
	case B2N_JSLE:
		refine32(B2N_JSGE, b, a);
		break;
	default:
		break;
	}
}

int b2n_scalar_branch(enum b2n_jcc_op op, int is64, int taken, struct b2n_scalar *a,
                      struct b2n_scalar *b)
{
	uint64_t width = is64 ? ~0ull : M32;
	if (op == B2N_JSET) {
		/* only a constant mask refines: taken needs a bit of it possibly
		 * set, not taken clears its bits */
		if (b2n_scalar_is_const(b)) {
			uint64_t k = b->t.value & width;
			if (taken) {
				if (!((a->t.value | a->t.mask) & k))
					return -1;
				if (!(a->t.value & k) && __builtin_popcountll(k & a->t.mask) == 1)
					a->t = tn(a->t.value | (k & a->t.mask), a->t.mask & ~k);
			} else {
				if (a->t.value & k)
					return -1;
				a->t = tn(a->t.value, a->t.mask & ~k);
			}
		} else if (!taken &&
		           !((a->t.value | a->t.mask) & (b->t.value | b->t.mask) & width)) {
			/* nothing: a & b is always 0, the branch is never taken */
		} else if (taken &&
		           !((a->t.value | a->t.mask) & (b->t.value | b->t.mask) & width)) {
			return -1;
		}
		return sync(a) || sync(b) ? -1 : 0;
	}
	if (!taken)
		op = negate(op);
	if (is64)
		refine64(op, a, b);
	else
		refine32(op, a, b);
	return sync(a) || sync(b) ? -1 : 0;
}
