/*
 * verify.c - the analysis pass ("our verifier"), run after b2n_prog__check.
 *
 * Approach, in the kernel verifier's order:
 *  1. check_cfg: a static walk from insn 0 over every edge (fall-through,
 *     jumps, local calls and lddw function references) must reach every
 *     instruction ("unreachable insn"); a call cycle is recursion.
 *  2. do_check: an abstract interpreter over each function's basic blocks,
 *     callees before callers.  A value is a union of components, each with
 *     an interval: scalar (value range; a constant when lo == hi), pointer
 *     to the current frame (offset range from r10), pointer derived from the
 *     subprogram's argument rK (offset range), function reference; plus
 *     "uninitialised" bits that say why (never written, clobbered by a call,
 *     the callee left r0 unset).  The 64 eight-byte stack slots hold spilled
 *     values, so a spilled and reloaded stack pointer keeps its offset.
 *     Blocks are joined at merge points and iterated to a fixpoint (plain
 *     joins first, then widening to power-of-two thresholds, so loops
 *     terminate); conditional jumps on scalars refine ranges and prune edges
 *     that cannot be taken, as the kernel's branch tracking does.
 *     Stack depth = max over every access through a frame pointer (loads,
 *     stores, atomics, memory arguments of helpers, and what a callee or
 *     callback does through an argument pointer, from its summary) of
 *     round_up(-start, 8), as kernels since 6.8 compute it in
 *     check_stack_access_within_bounds -> grow_stack_state; plus the 24
 *     bytes the kernel adds where it inlines bpf_loop.
 *  3. check_max_stack_depth: per call chain, frames rounded up as the
 *     kernel's JIT does (to 16; see frame_size), at most 512 bytes and 8
 *     frames; a subprogram with a tail call needs its callers' frames to sum
 *     below 256 bytes.
 * Every rejection is one b2n_diag line.
 *
 * Known limits (the kernel is path-sensitive, this is not): a variable
 * access whose lower end is proven inside the stack but whose upper end
 * may pass r10 is accepted (the depth only needs the lower end); stack
 * pointers passed to a global (non-static) function are counted through
 * the callee's accesses, while the kernel checks the whole pointee type
 * at the call (needs the symbol binding, which struct b2n_func does not
 * carry); the kernel's bpf_fastcall spill/fill removal (which can lower
 * its figure) is not modelled.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#define NREG 11
#define NSLOT (B2N_STACK_SIZE / 8)
#define MAX_FRAMES 8
#define PINF INT64_MAX
#define NINF INT64_MIN
#define NOACC INT64_MAX /* argument summary: no access through the argument */
#define WIDEN_AFTER 40  /* plain joins of a block's entry state before widening */

enum {
	V_SCALAR = 1,
	V_STACK = 2, /* pointer into the current frame: r10 + k */
	V_ARG = 4,   /* the subprogram's incoming rK + a, K in amask */
	V_FUNC = 8,  /* address of function `func` (lddw src=func) */
	U_ENTRY = 16,
	U_CALL = 32,
	U_RET = 64,
};
#define V_UNINIT (U_ENTRY | U_CALL | U_RET)
#define V_KINDS (V_SCALAR | V_STACK | V_ARG | V_FUNC)

struct ival {
	int64_t lo, hi;
};

struct aval {
	uint8_t bits;
	uint8_t amask; /* V_ARG: bit K set when the value may derive from rK */
	uint16_t func;
	uint32_t pad; /* explicit, so that memcmp of states is exact */
	struct ival s, k, a;
};

struct astate {
	struct aval r[NREG];
	struct aval slot[NSLOT]; /* slot j covers [-(j+1)*8, -j*8) */
};

struct fsum {
	int64_t argmin[6]; /* lowest offset accessed through rK, or NOACC */
	struct aval ret;   /* join of r0 at the exits */
	int has_ret;
	uint32_t depth;
	int is_cb; /* referenced by lddw src=func: a callback, r0 is read */
};

/* The kernel inlines a bpf_loop call whose flags (r4) are always 0 and
 * whose callback is always the same function (optimize_bpf_loop, after
 * check_max_stack_depth), and grows that subprogram's stack_depth by three
 * 8-byte slots for r6-r8: the figure it prints includes them. */
#define LOOP_INLINE_EXTRA 24

struct vctx {
	const struct b2n_input *obj;
	struct b2n_prog *prog;
	int allow_uninit;
	int entry_args; /* r1..rN are written at program entry */
	struct b2n_form *form;
	unsigned char *second;
	int *func_of;
	signed char *loopfit; /* per bpf_loop call: 0 unseen, 1 inlinable, -1 not */
	int *loopcb;
	struct fsum *sum;
	size_t cur; /* function being analysed */
};

/* ---- intervals and values ------------------------------------------------ */

static const struct ival FULL = {NINF, PINF};

static struct ival iv(int64_t lo, int64_t hi)
{
	struct ival r = {lo, hi};
	return r;
}

static struct ival iv_add(struct ival a, struct ival b)
{
	struct ival r;
	if (a.lo == NINF || b.lo == NINF)
		r.lo = NINF;
	else if (__builtin_add_overflow(a.lo, b.lo, &r.lo))
		return FULL;
	if (a.hi == PINF || b.hi == PINF)
		r.hi = PINF;
	else if (__builtin_add_overflow(a.hi, b.hi, &r.hi))
		return FULL;
	return r;
}

static struct ival iv_neg(struct ival a)
{
	if (a.lo == NINF && a.hi == NINF)
		return FULL; /* -INT64_MIN */
	return iv(a.hi == PINF ? NINF : -a.hi, a.lo == NINF ? PINF : -a.lo);
}

static struct ival iv_hull(struct ival a, struct ival b)
{
	return iv(a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi);
}

static struct aval v_scalar(struct ival s)
{
	struct aval v;
	memset(&v, 0, sizeof(v));
	v.bits = V_SCALAR;
	v.s = s;
	return v;
}

static struct aval v_const(int64_t c)
{
	return v_scalar(iv(c, c));
}

static struct aval v_uninit(uint8_t why)
{
	struct aval v;
	memset(&v, 0, sizeof(v));
	v.bits = why;
	return v;
}

static struct aval v_stack(int64_t off)
{
	struct aval v;
	memset(&v, 0, sizeof(v));
	v.bits = V_STACK;
	v.k = iv(off, off);
	return v;
}

static int pure_scalar(const struct aval *v)
{
	return v->bits == V_SCALAR;
}

static int is_const(const struct aval *v, int64_t *c)
{
	if (!pure_scalar(v) || v->s.lo != v->s.hi)
		return 0;
	*c = v->s.lo;
	return 1;
}

/* Drop intervals of absent components so that states compare with memcmp. */
static void canon(struct aval *v)
{
	if (!(v->bits & V_SCALAR))
		v->s = iv(0, 0);
	if (!(v->bits & V_STACK))
		v->k = iv(0, 0);
	if (!(v->bits & V_ARG)) {
		v->a = iv(0, 0);
		v->amask = 0;
	}
	if (!(v->bits & V_FUNC))
		v->func = 0;
}

static struct aval v_join(const struct aval *x, const struct aval *y)
{
	struct aval r;
	memset(&r, 0, sizeof(r));
	r.bits = x->bits | y->bits;
	if (r.bits & V_SCALAR)
		r.s = !(x->bits & V_SCALAR)   ? y->s
		      : !(y->bits & V_SCALAR) ? x->s
		                              : iv_hull(x->s, y->s);
	if (r.bits & V_STACK)
		r.k = !(x->bits & V_STACK)   ? y->k
		      : !(y->bits & V_STACK) ? x->k
		                             : iv_hull(x->k, y->k);
	if (r.bits & V_ARG) {
		r.amask = x->amask | y->amask;
		r.a = !(x->bits & V_ARG) ? y->a : !(y->bits & V_ARG) ? x->a : iv_hull(x->a, y->a);
	}
	if (r.bits & V_FUNC) {
		if ((x->bits & V_FUNC) && (y->bits & V_FUNC) && x->func != y->func) {
			r.bits = (uint8_t)((r.bits & ~V_FUNC) | V_SCALAR);
			r.s = FULL;
		} else {
			r.func = (x->bits & V_FUNC) ? x->func : y->func;
		}
	}
	canon(&r);
	return r;
}

/* Widening to thresholds 0, +-2^k and 2^k - 1, then infinity. */
static int64_t widen_lo(int64_t old, int64_t nw)
{
	if (nw >= old)
		return old;
	if (nw >= 0)
		return 0;
	for (int k = 0; k < 63; k++) {
		int64_t t = -((int64_t)1 << k);
		if (t <= nw)
			return t;
	}
	return NINF;
}

static int64_t widen_hi(int64_t old, int64_t nw)
{
	if (nw <= old)
		return old;
	if (nw <= 0)
		return 0;
	for (int k = 0; k < 63; k++) {
		int64_t t = (int64_t)1 << k;
		if (t - 1 >= nw)
			return t - 1;
		if (t >= nw)
			return t;
	}
	return PINF;
}

static struct ival iv_widen(struct ival old, struct ival nw)
{
	return iv(widen_lo(old.lo, nw.lo), widen_hi(old.hi, nw.hi));
}

static struct aval v_widen(const struct aval *old, const struct aval *nw)
{
	struct aval r = *nw;
	if ((old->bits & V_SCALAR) && (r.bits & V_SCALAR))
		r.s = iv_widen(old->s, r.s);
	if ((old->bits & V_STACK) && (r.bits & V_STACK))
		r.k = iv_widen(old->k, r.k);
	if ((old->bits & V_ARG) && (r.bits & V_ARG))
		r.a = iv_widen(old->a, r.a);
	return r;
}

/* Pointer/scalar value shifted by a scalar range (ptr + scalar). */
static struct aval v_shift(const struct aval *x, struct ival d)
{
	struct aval r = *x;
	r.bits &= V_KINDS;
	if (r.bits & V_SCALAR)
		r.s = iv_add(r.s, d);
	if (r.bits & V_STACK)
		r.k = iv_add(r.k, d);
	if (r.bits & V_ARG)
		r.a = iv_add(r.a, d);
	if (r.bits & V_FUNC) {
		r.bits = (uint8_t)((r.bits & ~V_FUNC) | V_SCALAR);
		r.s = FULL;
	}
	if (!r.bits)
		r = v_scalar(FULL);
	canon(&r);
	return r;
}

/* ---- exact evaluation of constant operations ----------------------------- */

static uint64_t eval_alu(int op, int is64, uint64_t a, uint64_t b)
{
	if (!is64) { /* on extended operands, truncated: same results */
		int sgn = op == B2N_ALU_SDIV || op == B2N_ALU_SMOD || op == B2N_ALU_ARSH;
		if (op == B2N_ALU_LSH || op == B2N_ALU_RSH || op == B2N_ALU_ARSH)
			b &= 31;
		else if (sgn)
			b = (uint64_t)(int64_t)(int32_t)b;
		else
			b = (uint32_t)b;
		a = sgn ? (uint64_t)(int64_t)(int32_t)a : (uint32_t)a;
		return (uint32_t)eval_alu(op, 1, a, b);
	}
	return b2n_alu_eval64((enum b2n_alu_op)op, a, b);
}

/* Range of a non-constant scalar operation (both operands pure scalars). */
static struct ival range_alu(int op, int is64, struct ival x, struct ival y)
{
	int64_t c;
	int yc = y.lo == y.hi, xc = x.lo == x.hi;
	if (!is64) {
		const struct ival u32 = {0, UINT32_MAX};
		if (op == B2N_ALU_AND && yc && (c = y.lo, 1))
			return iv(0, (uint32_t)c);
		if (op == B2N_ALU_AND && xc)
			return iv(0, (uint32_t)x.lo);
		if (op == B2N_ALU_MOV)
			return y.lo >= 0 && y.hi <= UINT32_MAX ? y : u32;
		if (op == B2N_ALU_RSH && yc)
			return iv(0, (int64_t)(UINT32_MAX >> (y.lo & 31)));
		if (op == B2N_ALU_MOD && yc && (uint32_t)y.lo)
			return iv(0, (int64_t)(uint32_t)y.lo - 1);
		if (op == B2N_ALU_ADD && x.lo >= 0 && y.lo >= 0 && x.hi <= UINT32_MAX &&
		    y.hi <= UINT32_MAX && x.hi + y.hi <= UINT32_MAX)
			return iv(x.lo + y.lo, x.hi + y.hi);
		return u32;
	}
	switch (op) {
	case B2N_ALU_MOV:
		return y;
	case B2N_ALU_ADD:
		return iv_add(x, y);
	case B2N_ALU_SUB:
		return iv_add(x, iv_neg(y));
	case B2N_ALU_AND:
		if (yc && y.lo >= 0)
			return iv(0, x.lo >= 0 && x.hi < y.lo ? x.hi : y.lo);
		if (xc && x.lo >= 0)
			return iv(0, y.lo >= 0 && y.hi < x.lo ? y.hi : x.lo);
		if (x.lo >= 0 && y.lo >= 0)
			return iv(0, x.hi < y.hi ? x.hi : y.hi);
		return FULL;
	case B2N_ALU_OR:
	case B2N_ALU_XOR:
		if (x.lo >= 0 && y.lo >= 0 && x.hi != PINF && y.hi != PINF) {
			int64_t m = x.hi > y.hi ? x.hi : y.hi, p = 1; /* p: power of 2 > m */
			while (p <= m) {
				if (p >= ((int64_t)1 << 62))
					return iv(0, PINF);
				p <<= 1;
			}
			return iv(0, p - 1);
		}
		return FULL;
	case B2N_ALU_RSH:
		if (!yc)
			return FULL;
		c = y.lo & 63;
		if (c == 0)
			return x;
		if (x.lo >= 0)
			return iv(x.lo >> c, x.hi >> c);
		return iv(0, (int64_t)(UINT64_MAX >> c));
	case B2N_ALU_ARSH:
		if (!yc)
			return FULL;
		c = y.lo & 63;
		return iv(x.lo >> c, x.hi >> c);
	case B2N_ALU_LSH:
		if (!yc)
			return FULL;
		c = y.lo & 63;
		if (x.lo >= 0 && x.hi <= (PINF >> c) / 2)
			return iv(x.lo << c, x.hi << c);
		return FULL;
	case B2N_ALU_MUL:
		if (yc && y.lo >= 0 && x.lo >= 0 && x.hi != PINF &&
		    !__builtin_mul_overflow(x.hi, y.lo, &c))
			return iv(x.lo * y.lo, c);
		if (xc && x.lo >= 0 && y.lo >= 0 && y.hi != PINF &&
		    !__builtin_mul_overflow(y.hi, x.lo, &c))
			return iv(y.lo * x.lo, c);
		return FULL;
	case B2N_ALU_DIV:
		if (yc && y.lo > 0 && x.lo >= 0)
			return iv(x.lo / y.lo, x.hi / y.lo);
		if (x.lo >= 0 && y.lo >= 0)
			return iv(0, x.hi);
		return FULL;
	case B2N_ALU_MOD:
		if (yc && y.lo > 0)
			return x.lo >= 0 && x.hi < y.lo ? x : iv(0, y.lo - 1);
		return FULL;
	case B2N_ALU_MOVSX8:
		return iv(INT8_MIN, INT8_MAX);
	case B2N_ALU_MOVSX16:
		return iv(INT16_MIN, INT16_MAX);
	case B2N_ALU_MOVSX32:
		return iv(INT32_MIN, INT32_MAX);
	default:
		return FULL;
	}
}

/* ---- diagnostics --------------------------------------------------------- */

static const char *uninit_why(uint8_t bits)
{
	if (bits & U_CALL)
		return "r1-r5 do not survive a call";
	if (bits & U_RET)
		return "the called subprogram does not set r0";
	return "never written since the function's entry";
}

/* Read of register `reg`: rejected when it may be uninitialised. */
static int rd(struct vctx *vc, struct astate *st, size_t i, int reg)
{
	struct aval *v = &st->r[reg];
	if (!(v->bits & V_UNINIT))
		return 0;
	if (!vc->allow_uninit) {
		b2n_diag(vc->obj, vc->prog, i,
		         "read of r%d, which is uninitialised on some path to here (%s)", reg,
		         uninit_why(v->bits));
		return -EINVAL;
	}
	v->bits &= V_KINDS;
	if (!v->bits)
		*v = v_scalar(FULL);
	else if (!(v->bits & V_SCALAR)) {
		v->bits |= V_SCALAR;
		v->s = FULL;
	}
	return 0;
}

static int wr_check(struct vctx *vc, size_t i, int reg)
{
	if (reg == 10) {
		b2n_diag(vc->obj, vc->prog, i, "write to r10: the frame pointer is read-only");
		return -EINVAL;
	}
	return 0;
}

static uint32_t round8(int64_t n)
{
	return (uint32_t)((n + 7) & ~(int64_t)7);
}

/* An access of `size` bytes at v + off (size 0: by a helper or callee,
 * whose extent is not known here).  The stack part is checked against
 * [-512, 0) and raises the depth; an argument part goes to the summary. */
static int access(struct vctx *vc, size_t i, int reg, const struct aval *v, int64_t off,
                  int64_t size)
{
	struct fsum *fs = &vc->sum[vc->cur];
	if (v->bits & V_STACK) {
		struct ival k = iv_add(v->k, iv(off, off));
		if (k.lo == NINF) {
			b2n_diag(vc->obj, vc->prog, i,
			         "variable stack access: the offset of r%d from r10 has no lower "
			         "bound",
			         reg);
			return -EINVAL;
		}
		if (k.lo < -B2N_STACK_SIZE || k.lo >= 0 || (k.lo == k.hi && k.hi + size > 0)) {
			if (k.lo == k.hi && size == 0)
				b2n_diag(vc->obj, vc->prog, i,
				         "stack access at r10%+" PRId64
				         " (by the call, through r%d) is "
				         "outside the stack [-512, 0)",
				         k.lo, reg);
			else if (k.lo == k.hi)
				b2n_diag(vc->obj, vc->prog, i,
				         "stack access at r10%+" PRId64 " (%" PRId64
				         " bytes) is outside the stack [-512, 0)",
				         k.lo, size);
			else
				b2n_diag(vc->obj, vc->prog, i,
				         "variable stack access at r10%+" PRId64 "..%+" PRId64
				         " can leave the stack [-512, 0)",
				         k.lo, k.hi);
			return -EINVAL;
		}
		if (round8(-k.lo) > fs->depth)
			fs->depth = round8(-k.lo);
	}
	if (v->bits & V_ARG) {
		struct ival a = iv_add(v->a, iv(off, off));
		for (int r = 1; r <= 5; r++)
			if ((v->amask & (1 << r)) && a.lo < fs->argmin[r])
				fs->argmin[r] = a.lo;
	}
	return 0;
}

/* ---- stack slots ----------------------------------------------------------- */

/* Slot index of an exact, 8-byte aligned offset, else -1. */
static int slot_of(int64_t off)
{
	if (off < -B2N_STACK_SIZE || off > -8 || (off & 7))
		return -1;
	return (int)(-off / 8 - 1);
}

/* A store through v: exact DW stores keep the value, others forget. */
static void store_slots(struct astate *st, const struct aval *v, int64_t off, int64_t size,
                        const struct aval *val)
{
	if (!(v->bits & V_STACK))
		return;
	struct ival k = iv_add(v->k, iv(off, off));
	if (k.lo == k.hi && size == 8 && slot_of(k.lo) >= 0 && v->bits == V_STACK) {
		struct aval x = *val;
		x.bits &= V_KINDS;
		if (!x.bits)
			x = v_scalar(FULL);
		canon(&x);
		st->slot[slot_of(k.lo)] = x;
		return;
	}
	int64_t lo = k.lo, hi = k.hi >= 0 ? 0 : k.hi + size;
	if (lo < -B2N_STACK_SIZE)
		lo = -B2N_STACK_SIZE;
	if (hi > 0)
		hi = 0;
	for (int64_t o = lo & ~(int64_t)7; o < hi; o += 8) {
		int s = slot_of(o);
		if (s >= 0)
			st->slot[s] = v_scalar(FULL);
	}
}

static struct aval load_slot(const struct astate *st, const struct aval *v, int64_t off,
                             int64_t size, struct aval dflt)
{
	if (v->bits != V_STACK || size != 8)
		return dflt;
	struct ival k = iv_add(v->k, iv(off, off));
	if (k.lo != k.hi || slot_of(k.lo) < 0)
		return dflt;
	return st->slot[slot_of(k.lo)];
}

/* ---- helpers --------------------------------------------------------------- */

/* Number of arguments and the arguments that are memory the helper reads or
 * writes (bit K = rK), from the kernel's bpf_func_proto of each id. */
struct hinfo {
	int32_t id;
	int nargs;
	int mem;
};

static const struct hinfo helper_info[] = {
    {1, 2, 1 << 2},
    {2, 4, 1 << 2 | 1 << 3},
    {3, 2, 1 << 2},
    {4, 3, 1 << 1},
    {5, 0, 0},
    {6, 2, 1 << 1},
    {7, 0, 0},
    {8, 0, 0},
    {9, 5, 1 << 3},
    {10, 5, 0},
    {11, 5, 0},
    {12, 3, 0},
    {14, 0, 0},
    {15, 0, 0},
    {16, 2, 1 << 1},
    {18, 3, 0},
    {19, 1, 0},
    {23, 2, 0},
    {26, 4, 1 << 3},
    {28, 5, 1 << 1 | 1 << 3},
    {31, 3, 0},
    {34, 1, 0},
    {38, 3, 0},
    {39, 2, 0},
    {40, 2, 0},
    {41, 1, 0},
    {43, 3, 0},
    {44, 2, 0},
    {45, 3, 1 << 1},
    {48, 2, 0},
    {50, 4, 0},
    {51, 3, 0},
    {54, 2, 0},
    {65, 2, 0},
    {68, 5, 1 << 3},
    {87, 3, 1 << 2},
    {88, 2, 1 << 2},
    {89, 2, 1 << 2},
    {93, 1, 0},
    {94, 1, 0},
    {105, 4, 1 << 1 | 1 << 4},
    {106, 4, 1 << 1 | 1 << 4},
    {112, 3, 1 << 1},
    {113, 3, 1 << 1},
    {114, 3, 1 << 1},
    {115, 3, 1 << 1},
    {118, 0, 0},
    {125, 0, 0},
    {130, 4, 1 << 2},
    {131, 3, 0},
    {132, 2, 0},
    {133, 2, 0},
    {134, 2, 0},
    {135, 2, 0},
    {160, 0, 0},
    {164, 4, 0},
    {165, 5, 1 << 1 | 1 << 3 | 1 << 4},
    {181, 4, 0},
    {182, 3, 1 << 1 | 1 << 3},
    {188, 1, 0},
    {189, 4, 1 << 3},
    {190, 4, 1 << 3},
};

static const struct hinfo *helper_lookup(int64_t id)
{
	for (size_t k = 0; k < B2N_ARRAY_LEN(helper_info); k++)
		if (helper_info[k].id == id)
			return &helper_info[k];
	return NULL;
}

/* What callee `g` does through its argument `garg`, applied to the caller's
 * value v (a frame pointer of ours, or our own argument). */
static int apply_summary(struct vctx *vc, size_t i, int reg, const struct aval *v, size_t g,
                         int garg)
{
	int64_t m = vc->sum[g].argmin[garg];
	if (m == NOACC)
		return 0;
	if (m == NINF) {
		if (v->bits & (V_STACK | V_ARG)) {
			if (!(v->bits & V_STACK)) {
				for (int r = 1; r <= 5; r++)
					if (v->amask & (1 << r))
						vc->sum[vc->cur].argmin[r] = NINF;
				return 0;
			}
			b2n_diag(vc->obj, vc->prog, i,
			         "variable stack access: %s accesses r%d (a stack pointer) at an "
			         "unbounded offset",
			         vc->prog->funcs[g].name, garg);
			return -EINVAL;
		}
		return 0;
	}
	return access(vc, i, reg, v, m, 0);
}

static int helper_call(struct vctx *vc, struct astate *st, size_t i, int64_t id)
{
	const struct hinfo *h = helper_lookup(id);
	int err;
	if (h) {
		for (int r = 1; r <= h->nargs; r++)
			if ((err = rd(vc, st, i, r)))
				return err;
		for (int r = 1; r <= 5; r++)
			if ((h->mem & (1 << r)) && (err = access(vc, i, r, &st->r[r], 0, 0)))
				return err;
		if (id == 181) {
			int64_t flags;
			int ok =
			    is_const(&st->r[4], &flags) && flags == 0 && st->r[2].bits == V_FUNC;
			if (vc->loopfit[i] == 0) {
				vc->loopfit[i] = ok ? 1 : -1;
				vc->loopcb[i] = ok ? st->r[2].func : -1;
			} else if (!ok || vc->loopcb[i] != st->r[2].func) {
				vc->loopfit[i] = -1;
			}
		}
		if ((id == 164 || id == 181) && (st->r[2].bits & V_FUNC)) {
			/* callback(index, ctx) / callback(map, key, value, ctx):
			 * ctx is our r3 */
			size_t g = st->r[2].func;
			if ((err = apply_summary(vc, i, 3, &st->r[3], g, id == 181 ? 2 : 4)))
				return err;
		}
	} else {
		/* Unknown prototype: any frame pointer argument counts. */
		for (int r = 1; r <= 5; r++)
			if (!(st->r[r].bits & V_UNINIT) &&
			    (err = access(vc, i, r, &st->r[r], 0, 0)))
				return err;
	}
	if (id == 12)
		vc->prog->funcs[vc->cur].calls_tail = 1;
	st->r[0] = v_scalar(FULL);
	for (int r = 1; r <= 5; r++)
		st->r[r] = v_uninit(U_CALL);
	return 0;
}

static int local_call(struct vctx *vc, struct astate *st, size_t i, size_t g)
{
	int err;
	for (int r = 1; r <= 5; r++)
		if (!(st->r[r].bits & V_UNINIT) && (err = apply_summary(vc, i, r, &st->r[r], g, r)))
			return err;
	const struct fsum *gs = &vc->sum[g];
	const struct aval *ret = &gs->ret;
	uint8_t kinds = ret->bits & V_KINDS;
	struct aval r0;
	if (!gs->has_ret || !kinds) {
		r0 = v_uninit(U_RET);
	} else {
		if (kinds == V_ARG) {
			int first = 1;
			for (int r = 1; r <= 5; r++) {
				if (!(ret->amask & (1 << r)))
					continue;
				struct aval x = v_shift(&st->r[r], ret->a);
				r0 = first ? x : v_join(&r0, &x);
				first = 0;
			}
			if (first)
				r0 = v_scalar(FULL);
			if (r0.bits & V_STACK) {
				b2n_diag(vc->obj, vc->prog, i,
				         "%s returns a pointer to its caller's stack (the kernel "
				         "refuses stack pointers returned by subprograms)",
				         vc->prog->funcs[g].name);
				return -EINVAL;
			}
		} else if (kinds == V_SCALAR) {
			r0 = v_scalar(ret->s);
		} else {
			r0 = v_scalar(FULL);
		}
		if (ret->bits & V_UNINIT)
			r0.bits |= U_RET;
	}
	canon(&r0);
	st->r[0] = r0;
	for (int r = 1; r <= 5; r++)
		st->r[r] = v_uninit(U_CALL);
	return 0;
}

/* ---- transfer function ---------------------------------------------------- */

static int size_range(int size, int sx, struct ival *s)
{
	if (size >= 8) {
		*s = FULL;
		return 0;
	}
	int64_t bits = 8 * (int64_t)size;
	*s = sx ? iv(-((int64_t)1 << (bits - 1)), ((int64_t)1 << (bits - 1)) - 1)
	        : iv(0, ((int64_t)1 << bits) - 1);
	return 0;
}

static int step_alu(struct vctx *vc, struct astate *st, size_t i, const struct b2n_insn *in,
                    const struct b2n_form *f)
{
	int op = f->op, err;
	int movlike = op == B2N_ALU_MOV || op == B2N_ALU_MOVSX8 || op == B2N_ALU_MOVSX16 ||
	              op == B2N_ALU_MOVSX32;
	if (!movlike && (err = rd(vc, st, i, in->dst)))
		return err;
	if (f->src_reg && (err = rd(vc, st, i, in->src)))
		return err;
	if ((err = wr_check(vc, i, in->dst)))
		return err;
	struct aval x = st->r[in->dst];
	struct aval y = f->src_reg ? st->r[in->src] : v_const(in->imm);
	struct aval r;
	int64_t cx, cy;
	if (op == B2N_ALU_NEG)
		y = v_const(0);

	if (f->is64 && op == B2N_ALU_MOV) {
		r = y;
	} else if (is_const(&y, &cy) && (movlike || is_const(&x, &cx))) {
		if (movlike)
			cx = 0;
		r = v_const((int64_t)eval_alu(op, f->is64, (uint64_t)cx, (uint64_t)cy));
	} else if (f->is64 && op == B2N_ALU_ADD && pure_scalar(&y)) {
		r = v_shift(&x, y.s);
	} else if (f->is64 && op == B2N_ALU_ADD && pure_scalar(&x)) {
		r = v_shift(&y, x.s);
	} else if (f->is64 && op == B2N_ALU_SUB && pure_scalar(&y)) {
		r = v_shift(&x, iv_neg(y.s));
	} else if (f->is64 && op == B2N_ALU_SUB && x.bits == V_STACK && y.bits == V_STACK) {
		r = v_scalar(iv_add(x.k, iv_neg(y.k)));
	} else if ((movlike || pure_scalar(&x)) && pure_scalar(&y)) {
		r = v_scalar(range_alu(op, f->is64, x.s, y.s));
	} else {
		r = v_scalar(f->is64 ? FULL : iv(0, UINT32_MAX));
	}
	canon(&r);
	st->r[in->dst] = r;
	return 0;
}

static int step(struct vctx *vc, struct astate *st, size_t i)
{
	const struct b2n_insn *in = &vc->prog->insns[i];
	const struct b2n_form *f = &vc->form[i];
	struct ival s;
	int err;

	switch (f->family) {
	case B2N_F_ALU:
		return step_alu(vc, st, i, in, f);
	case B2N_F_END:
		if ((err = rd(vc, st, i, in->dst)) || (err = wr_check(vc, i, in->dst)))
			return err;
		size_range(f->size / 8, 0, &s);
		st->r[in->dst] = v_scalar(s);
		return 0;
	case B2N_F_LDX:
	case B2N_F_LDXSX: {
		if ((err = rd(vc, st, i, in->src)) || (err = wr_check(vc, i, in->dst)))
			return err;
		struct aval p = st->r[in->src];
		if ((err = access(vc, i, in->src, &p, in->off, f->size)))
			return err;
		size_range(f->size, f->family == B2N_F_LDXSX, &s);
		st->r[in->dst] = load_slot(st, &p, in->off, f->size, v_scalar(s));
		return 0;
	}
	case B2N_F_ST: {
		if ((err = rd(vc, st, i, in->dst)))
			return err;
		struct aval p = st->r[in->dst];
		if ((err = access(vc, i, in->dst, &p, in->off, f->size)))
			return err;
		struct aval val = v_const(in->imm);
		store_slots(st, &p, in->off, f->size, &val);
		return 0;
	}
	case B2N_F_STX: {
		if ((err = rd(vc, st, i, in->dst)) || (err = rd(vc, st, i, in->src)))
			return err;
		struct aval p = st->r[in->dst];
		if ((err = access(vc, i, in->dst, &p, in->off, f->size)))
			return err;
		store_slots(st, &p, in->off, f->size, &st->r[in->src]);
		return 0;
	}
	case B2N_F_ATOMIC: {
		int cmpxchg = b2n_atomic_table[f->op].imm == 0xf1;
		int xchg = b2n_atomic_table[f->op].imm == 0xe1;
		if ((err = rd(vc, st, i, in->dst)) || (err = rd(vc, st, i, in->src)))
			return err;
		if (cmpxchg && (err = rd(vc, st, i, 0)))
			return err;
		struct aval p = st->r[in->dst];
		if ((err = access(vc, i, in->dst, &p, in->off, f->size)))
			return err;
		/* An atomic cannot be split into byte accesses: a misaligned
		 * one dies of SIGBUS on strict-alignment targets.  The kernel
		 * refuses every misaligned stack access (strict for the stack). */
		if ((p.bits & V_STACK) && p.k.lo != p.k.hi) {
			b2n_diag(vc->obj, vc->prog, i,
			         "atomic at a variable stack offset r10%+" PRId64 "..%+" PRId64
			         " cannot be proven aligned",
			         p.k.lo + in->off, p.k.hi + in->off);
			return -EINVAL;
		}
		if ((p.bits & V_STACK) && (p.k.lo + in->off) % f->size) {
			b2n_diag(vc->obj, vc->prog, i,
			         "misaligned stack access off 0+%" PRId64 "+%d size %d", p.k.lo,
			         in->off, f->size);
			return -EINVAL;
		}
		struct aval any = v_scalar(FULL);
		store_slots(st, &p, in->off, 1, &any); /* forget the slot */
		size_range(f->size, 0, &s);
		if (cmpxchg)
			st->r[0] = v_scalar(s);
		else if (f->fetch || xchg) {
			if ((err = wr_check(vc, i, in->src)))
				return err;
			st->r[in->src] = v_scalar(s);
		}
		return 0;
	}
	case B2N_F_LDDW: {
		if ((err = wr_check(vc, i, in->dst)))
			return err;
		if (in->src == 0) {
			uint64_t v = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
			st->r[in->dst] = v_const((int64_t)v);
		} else if (in->src == B2N_PSEUDO_FUNC) {
			struct aval v;
			memset(&v, 0, sizeof(v));
			v.bits = V_FUNC;
			v.func = (uint16_t)vc->func_of[i + 1 + in->imm];
			st->r[in->dst] = v;
		} else {
			st->r[in->dst] = v_scalar(FULL); /* map or data address */
		}
		return 0;
	}
	case B2N_F_CALL:
		return helper_call(vc, st, i, in->imm);
	case B2N_F_CALLX: {
		int64_t id;
		if ((err = rd(vc, st, i, in->dst)))
			return err;
		if (!is_const(&st->r[in->dst], &id))
			id = -1;
		return helper_call(vc, st, i, id);
	}
	case B2N_F_CALL_LOCAL:
		return local_call(vc, st, i, (size_t)vc->func_of[i + 1 + in->imm]);
	case B2N_F_LDABS:
		st->r[0] = v_scalar(FULL);
		for (int r = 1; r <= 5; r++)
			st->r[r] = v_uninit(U_CALL);
		return 0;
	default:
		return 0;
	}
}

/* The negation of a signed or equality test (stored +1; 0: none). */
static const signed char jcc_neg[B2N_JCC__COUNT] = {
    [B2N_JEQ] = B2N_JNE + 1,   [B2N_JNE] = B2N_JEQ + 1,   [B2N_JSGT] = B2N_JSLE + 1,
    [B2N_JSGE] = B2N_JSLT + 1, [B2N_JSLT] = B2N_JSGE + 1, [B2N_JSLE] = B2N_JSGT + 1,
};

/* Refine the scalar v for `v OP c` being `taken`.  Returns 0 when that
 * outcome is impossible. */
static int refine(struct aval *v, int op, int is64, int64_t c, int taken)
{
	if (!pure_scalar(v))
		return 1;
	struct ival s = v->s;
	if (!is64) {
		if (s.lo < 0 || s.hi > UINT32_MAX)
			return 1;
		int sgn = op == B2N_JSGT || op == B2N_JSGE || op == B2N_JSLT || op == B2N_JSLE;
		if (sgn && s.hi > INT32_MAX)
			return 1;
		c = sgn ? (int64_t)(int32_t)c : (int64_t)(uint32_t)c;
	}
	int uns = op == B2N_JGT || op == B2N_JGE || op == B2N_JLT || op == B2N_JLE;
	if (uns) {
		if (s.lo < 0)
			return 1;
		if (c < 0) { /* c is above every value of s, unsigned */
			int always = op == B2N_JLT || op == B2N_JLE;
			return taken == always;
		}
		op = op == B2N_JGT   ? B2N_JSGT
		     : op == B2N_JGE ? B2N_JSGE
		     : op == B2N_JLT ? B2N_JSLT
		                     : B2N_JSLE;
	}
	if (!taken) {
		if (!jcc_neg[op])
			return 1;
		op = jcc_neg[op] - 1;
	}
	switch (op) {
	case B2N_JEQ:
		if (c < s.lo || c > s.hi)
			return 0;
		s = iv(c, c);
		break;
	case B2N_JNE:
		if (s.lo == c && s.hi == c)
			return 0;
		if (s.lo == c)
			s.lo++;
		else if (s.hi == c)
			s.hi--;
		break;
	case B2N_JSGT:
		if (c == PINF)
			return 0;
		if (c + 1 > s.lo)
			s.lo = c + 1;
		break;
	case B2N_JSGE:
		if (c > s.lo)
			s.lo = c;
		break;
	case B2N_JSLT:
		if (c == NINF)
			return 0;
		if (c - 1 < s.hi)
			s.hi = c - 1;
		break;
	case B2N_JSLE:
		if (c < s.hi)
			s.hi = c;
		break;
	default:
		return 1;
	}
	if (s.lo > s.hi)
		return 0;
	v->s = s;
	return 1;
}

/* `a OP b` as `b OP' a` (stored +1; 0: symmetric). */
static const signed char jcc_swap[B2N_JCC__COUNT] = {
    [B2N_JGT] = B2N_JLT + 1,   [B2N_JGE] = B2N_JLE + 1,   [B2N_JLT] = B2N_JGT + 1,
    [B2N_JLE] = B2N_JGE + 1,   [B2N_JSGT] = B2N_JSLT + 1, [B2N_JSGE] = B2N_JSLE + 1,
    [B2N_JSLT] = B2N_JSGT + 1, [B2N_JSLE] = B2N_JSGE + 1,
};

static int swap_op(int op)
{
	return jcc_swap[op] ? jcc_swap[op] - 1 : op;
}

/* ---- fixpoint over one function ------------------------------------------ */

struct fblocks {
	size_t nb;
	size_t *bstart;     /* first insn of each block */
	int *block_of;      /* per insn of the function (offset by fn->start), or -1 */
	struct astate **in; /* entry state of each block, allocated when first
	                       reached; freed once the block is analysed unless a
	                       back edge spans it (it can be reached again) */
	unsigned char *keep;
	int *visits;
	unsigned char *queued;
	size_t lo; /* no block below lo is queued: the worklist takes the
	              lowest queued block, found from here (linear, not
	              quadratic, in the number of blocks) */
};

static int is_leader_end(const struct b2n_form *f)
{
	return f->family == B2N_F_JA || f->family == B2N_F_JCC || f->family == B2N_F_EXIT;
}

static long jump_target(const struct b2n_insn *in, const struct b2n_form *f, size_t i)
{
	if (f->family == B2N_F_JA)
		return (long)i + 1 + (f->is64 ? in->off : in->imm);
	if (f->family == B2N_F_JCC)
		return (long)i + 1 + in->off;
	return -1;
}

static void propagate(struct fblocks *fb, size_t b, const struct astate *st)
{
	struct astate *dst = fb->in[b];
	if (!dst) {
		/* first visit, or a block no back edge spans seen again */
		dst = fb->in[b] = b2n_xcalloc(1, sizeof(*dst));
		*dst = *st;
	} else {
		struct astate nw;
		for (int r = 0; r < NREG; r++)
			nw.r[r] = v_join(&dst->r[r], &st->r[r]);
		for (int s = 0; s < NSLOT; s++)
			nw.slot[s] = v_join(&dst->slot[s], &st->slot[s]);
		if (fb->visits[b] > WIDEN_AFTER) {
			for (int r = 0; r < NREG; r++)
				nw.r[r] = v_widen(&dst->r[r], &nw.r[r]);
			for (int s = 0; s < NSLOT; s++)
				nw.slot[s] = v_widen(&dst->slot[s], &nw.slot[s]);
		}
		if (!memcmp(&nw, dst, sizeof(nw)))
			return;
		*dst = nw;
	}
	fb->visits[b]++;
	fb->queued[b] = 1;
	if (b < fb->lo)
		fb->lo = b;
}

static int analyse_func(struct vctx *vc, size_t k)
{
	const struct b2n_func *fn = &vc->prog->funcs[k];
	const struct b2n_insn *insns = vc->prog->insns;
	size_t n = fn->end - fn->start;
	struct fblocks fb;
	int err = 0;

	vc->cur = k;
	memset(&fb, 0, sizeof(fb));
	fb.block_of = malloc(n * sizeof(int));
	unsigned char *lead = b2n_xcalloc(n + 1, 1);
	if (!fb.block_of) {
		free(lead);
		return -ENOMEM;
	}
	lead[0] = 1;
	for (size_t i = fn->start; i < fn->end; i++) {
		if (vc->second[i])
			continue;
		const struct b2n_form *f = &vc->form[i];
		long t = jump_target(&insns[i], f, i);
		if (t >= 0)
			lead[t - (long)fn->start] = 1;
		if (is_leader_end(f))
			lead[i + f->slots - fn->start] = 1;
	}
	for (size_t j = 0; j < n; j++)
		if (lead[j] && !vc->second[fn->start + j])
			fb.nb++;
	fb.bstart = b2n_xcalloc(fb.nb, sizeof(size_t));
	fb.in = calloc(fb.nb, sizeof(*fb.in));
	fb.keep = b2n_xcalloc(fb.nb + 1, 1);
	fb.visits = b2n_xcalloc(fb.nb, sizeof(int));
	fb.queued = b2n_xcalloc(fb.nb, 1);
	if (!fb.in) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t j = 0, b = 0; j < n; j++) {
		if (lead[j] && !vc->second[fn->start + j]) {
			fb.bstart[b++] = fn->start + j;
		}
		fb.block_of[j] = (int)b - 1;
	}
	/* Blocks inside the span of a back edge keep their entry state. */
	{
		int *span = b2n_xcalloc(fb.nb + 1, sizeof(int));
		for (size_t i = fn->start; i < fn->end; i++) {
			if (vc->second[i])
				continue;
			long t = jump_target(&insns[i], &vc->form[i], i);
			if (t < 0)
				continue;
			int bt = fb.block_of[t - (long)fn->start];
			int bs = fb.block_of[i - fn->start];
			if (bt <= bs) {
				span[bt]++;
				span[bs + 1]--;
			}
		}
		int depth = 0;
		for (size_t b = 0; b < fb.nb; b++) {
			depth += span[b];
			fb.keep[b] = depth > 0;
		}
		free(span);
	}

	/* Entry state. */
	struct astate st;
	memset(&st, 0, sizeof(st));
	for (int r = 0; r < NREG; r++)
		st.r[r] = v_uninit(U_ENTRY);
	for (int s = 0; s < NSLOT; s++)
		st.slot[s] = v_scalar(FULL);
	st.r[10] = v_stack(0);
	if (k == 0) {
		st.r[1] = v_scalar(FULL); /* ctx */
		for (int r = 2; r <= vc->entry_args && r <= 5; r++)
			st.r[r] = v_scalar(FULL); /* more arguments of the native ABI */
	} else {
		for (int r = 1; r <= 5; r++) {
			memset(&st.r[r], 0, sizeof(st.r[r]));
			st.r[r].bits = V_ARG;
			st.r[r].amask = (uint8_t)(1 << r);
		}
	}
	propagate(&fb, 0, &st);

	for (;;) {
		size_t b = fb.lo;
		while (b < fb.nb && !fb.queued[b])
			b++;
		fb.lo = b;
		if (b == fb.nb)
			break;
		fb.queued[b] = 0;
		st = *fb.in[b];
		if (!fb.keep[b]) {
			free(fb.in[b]);
			fb.in[b] = NULL;
		}
		size_t i = fb.bstart[b];
		for (;;) {
			const struct b2n_form *f = &vc->form[i];
			const struct b2n_insn *in = &insns[i];
			if (f->family == B2N_F_EXIT) {
				struct fsum *fs = &vc->sum[k];
				if (k == 0 || fs->is_cb) {
					if (st.r[0].bits & V_UNINIT && !vc->allow_uninit) {
						b2n_diag(
						    vc->obj, vc->prog, i,
						    "r0 is not set at this exit on some path (%s)",
						    uninit_why(st.r[0].bits));
						err = -EINVAL;
						goto out;
					}
				} else if (st.r[0].bits & V_STACK) {
					b2n_diag(vc->obj, vc->prog, i,
					         "%s returns a pointer to its own stack", fn->name);
					err = -EINVAL;
					goto out;
				}
				fs->ret = fs->has_ret ? v_join(&fs->ret, &st.r[0]) : st.r[0];
				fs->has_ret = 1;
				break;
			}
			if (f->family == B2N_F_JA) {
				long t = jump_target(in, f, i);
				propagate(&fb, (size_t)fb.block_of[t - (long)fn->start], &st);
				break;
			}
			if (f->family == B2N_F_JCC) {
				long t = jump_target(in, f, i);
				int64_t cd = 0, cs = 0;
				if ((err = rd(vc, &st, i, in->dst)) ||
				    (f->src_reg && (err = rd(vc, &st, i, in->src))))
					goto out;
				struct aval *d = &st.r[in->dst];
				struct aval ys = f->src_reg ? st.r[in->src] : v_const(in->imm);
				int kd = is_const(d, &cd), ks = is_const(&ys, &cs);
				for (int taken = 0; taken <= 1; taken++) {
					struct astate e = st;
					int ok = 1;
					if (kd && ks) {
						ok = b2n_jcc_eval(f->op, f->is64, (uint64_t)cd,
						                  (uint64_t)cs) == taken;
					} else if (ks) {
						ok = refine(&e.r[in->dst], f->op, f->is64, cs,
						            taken);
					} else if (kd && f->src_reg) {
						ok = refine(&e.r[in->src], swap_op(f->op), f->is64,
						            cd, taken);
					}
					if (!ok)
						continue;
					size_t to = taken ? (size_t)t : i + 1;
					propagate(&fb, (size_t)fb.block_of[to - fn->start], &e);
				}
				break;
			}
			if ((err = step(vc, &st, i)))
				goto out;
			i += (size_t)f->slots;
			if (i >= fn->end)
				break; /* cannot happen: check.c ends functions with exit/ja */
			if (lead[i - fn->start]) {
				propagate(&fb, (size_t)fb.block_of[i - fn->start], &st);
				break;
			}
		}
	}
out:
	free(lead);
	free(fb.block_of);
	free(fb.bstart);
	if (fb.in)
		for (size_t b = 0; b < fb.nb; b++)
			free(fb.in[b]);
	free(fb.in);
	free(fb.keep);
	free(fb.visits);
	free(fb.queued);
	return err;
}

/* ---- control flow and call graph ------------------------------------------ */

/* Successor edges of insn i (at most 3): fall-through, jump, call target. */
static int succs(const struct vctx *vc, size_t i, size_t *out)
{
	const struct b2n_insn *in = &vc->prog->insns[i];
	const struct b2n_form *f = &vc->form[i];
	int n = 0;
	switch (f->family) {
	case B2N_F_EXIT:
		return 0;
	case B2N_F_JA:
		out[n++] = (size_t)jump_target(in, f, i);
		return n;
	case B2N_F_JCC:
		out[n++] = i + 1;
		out[n++] = (size_t)jump_target(in, f, i);
		return n;
	case B2N_F_CALL_LOCAL:
		out[n++] = i + 1;
		out[n++] = (size_t)((long)i + 1 + in->imm);
		return n;
	case B2N_F_LDDW:
		out[n++] = i + 2;
		if (in->src == B2N_PSEUDO_FUNC)
			out[n++] = (size_t)((long)i + 1 + in->imm);
		return n;
	default:
		out[n++] = i + 1;
		return n;
	}
}

static int check_reachable(struct vctx *vc)
{
	size_t n = vc->prog->ninsns, *work = b2n_xcalloc(n + 1, sizeof(size_t)), nw = 0;
	unsigned char *seen = b2n_xcalloc(n + 1, 1);
	int err = 0;
	work[nw++] = 0;
	seen[0] = 1;
	while (nw) {
		size_t i = work[--nw], s[3];
		int ns = succs(vc, i, s);
		for (int j = 0; j < ns; j++)
			if (s[j] < n && !seen[s[j]]) {
				seen[s[j]] = 1;
				work[nw++] = s[j];
			}
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i] && !vc->second[i]) {
			b2n_diag(vc->obj, vc->prog, i,
			         "unreachable instruction (the kernel refuses unreachable insns)");
			err = -EINVAL;
			break;
		}
	free(work);
	free(seen);
	return err;
}

/* Call edges: calls and lddw function references of every function. */
struct edge {
	size_t from, to, insn;
};

static size_t collect_edges(struct vctx *vc, struct edge **out)
{
	size_t ne = 0, cap = 16;
	struct edge *e = b2n_xcalloc(cap, sizeof(*e));
	for (size_t i = 0; i < vc->prog->ninsns; i++) {
		const struct b2n_form *f = &vc->form[i];
		const struct b2n_insn *in = &vc->prog->insns[i];
		if (vc->second[i])
			continue;
		if (f->family != B2N_F_CALL_LOCAL &&
		    !(f->family == B2N_F_LDDW && in->src == B2N_PSEUDO_FUNC))
			continue;
		if (ne == cap) {
			cap *= 2;
			struct edge *ne2 = realloc(e, cap * sizeof(*e));
			if (!ne2)
				abort();
			e = ne2;
		}
		e[ne].from = (size_t)vc->func_of[i];
		e[ne].to = (size_t)vc->func_of[i + 1 + in->imm];
		e[ne].insn = i;
		ne++;
	}
	*out = e;
	return ne;
}

/* Depth-first post-order of the call graph from function 0; a back edge is
 * recursion. */
static int call_order(struct vctx *vc, const struct edge *e, size_t ne, size_t *order)
{
	size_t nf = vc->prog->nfuncs, no = 0, sp = 0;
	unsigned char *color = b2n_xcalloc(nf, 1);
	size_t *stk = b2n_xcalloc(nf + 1, sizeof(size_t)), *pos = b2n_xcalloc(nf, sizeof(size_t));
	int err = 0;
	stk[sp++] = 0;
	color[0] = 1;
	while (sp) {
		size_t f = stk[sp - 1];
		int pushed = 0;
		for (; pos[f] < ne; pos[f]++) {
			const struct edge *x = &e[pos[f]];
			if (x->from != f)
				continue;
			if (color[x->to] == 1) {
				b2n_diag(
				    vc->obj, vc->prog, x->insn,
				    "recursive call: %s is already on the call stack (the kernel "
				    "refuses recursion)",
				    vc->prog->funcs[x->to].name);
				err = -EINVAL;
				goto out;
			}
			if (color[x->to] == 0) {
				color[x->to] = 1;
				stk[sp++] = x->to;
				pos[f]++;
				pushed = 1;
				break;
			}
		}
		if (!pushed) {
			color[f] = 2;
			order[no++] = f;
			sp--;
		}
	}
	for (size_t f = 0; f < nf; f++)
		if (!color[f])
			order[no++] = f; /* unreachable: already refused */
out:
	free(color);
	free(stk);
	free(pos);
	return err;
}

/* Size of one frame in a call chain as check_max_stack_depth counts it
 * (round_up_stack_depth, kernels >= 6.10): round_up(depth, 16) when the
 * program is JITed -- always on x86-64 kernels built with
 * BPF_JIT_ALWAYS_ON, and what the running kernel 6.18 reports ("combined
 * stack size of 2 calls is 608" for two 300-byte frames) -- and
 * round_up(max(depth, 1), 32) for the interpreter and older kernels.
 * Build with -DB2N_VERIFY_INTERP_FRAMES=1 for the latter. */
#ifndef B2N_VERIFY_INTERP_FRAMES
#define B2N_VERIFY_INTERP_FRAMES 0
#endif
#if B2N_VERIFY_INTERP_FRAMES
#define FRAME_ROUNDING "rounded up to 32"
#else
#define FRAME_ROUNDING "rounded up to 16"
#endif

static uint32_t frame_size(uint32_t d)
{
	if (B2N_VERIFY_INTERP_FRAMES)
		return ((d ? d : 1) + 31) & ~31u;
	return (d + 15) & ~15u;
}

/* The kernel's check_max_stack_depth, over the call DAG. */
static int check_chains(struct vctx *vc, const struct edge *e, size_t ne, const size_t *order)
{
	size_t nf = vc->prog->nfuncs;
	struct b2n_func *fn = vc->prog->funcs;
	uint32_t *frames = b2n_xcalloc(nf, sizeof(uint32_t));
	uint32_t *above = b2n_xcalloc(nf, sizeof(uint32_t));
	int err = 0;

	for (size_t j = 0; j < nf; j++) { /* callees first */
		size_t f = order[j];
		uint32_t best = 0, bfr = 0;
		for (size_t x = 0; x < ne; x++)
			if (e[x].from == f) {
				if (fn[e[x].to].chain_depth > best)
					best = fn[e[x].to].chain_depth;
				if (frames[e[x].to] > bfr)
					bfr = frames[e[x].to];
			}
		fn[f].chain_depth = frame_size(fn[f].stack_depth) + best;
		frames[f] = 1 + bfr;
	}
	/* Follow the deepest chain from the entry to name the call that breaks
	 * a limit. */
	if (frames[0] > MAX_FRAMES || fn[0].chain_depth > B2N_STACK_SIZE) {
		size_t f = 0;
		uint32_t fr = 1, acc = frame_size(fn[0].stack_depth);
		int by_frames = frames[0] > MAX_FRAMES;
		for (;;) {
			const struct edge *bx = NULL;
			for (size_t x = 0; x < ne; x++)
				if (e[x].from == f &&
				    (!bx || (by_frames ? frames[e[x].to] > frames[bx->to]
				                       : fn[e[x].to].chain_depth >
				                             fn[bx->to].chain_depth)))
					bx = &e[x];
			if (!bx)
				break;
			fr++;
			acc += frame_size(fn[bx->to].stack_depth);
			if (by_frames && fr > MAX_FRAMES) {
				b2n_diag(
				    vc->obj, vc->prog, bx->insn,
				    "call stack of %u frames is too deep (the kernel allows %d)",
				    fr, MAX_FRAMES);
				err = -EINVAL;
				goto out;
			}
			if (!by_frames && acc > B2N_STACK_SIZE) {
				b2n_diag(vc->obj, vc->prog, bx->insn,
				         "combined stack of %u calls is %u bytes (each "
				         "frame " FRAME_ROUNDING "), above the 512-byte budget",
				         fr, acc);
				err = -EINVAL;
				goto out;
			}
			f = bx->to;
		}
		if (!by_frames) { /* main alone is above 512: cannot happen */
			b2n_diag(vc->obj, vc->prog, fn[0].start, "stack of %u bytes is above 512",
			         acc);
			err = -EINVAL;
			goto out;
		}
	}
	/* Tail calls in subprograms: the frames above must sum below 256. */
	for (size_t j = nf; j-- > 0;) { /* callers first */
		size_t f = order[j];
		for (size_t x = 0; x < ne; x++)
			if (e[x].from == f) {
				uint32_t a = above[f] + frame_size(fn[f].stack_depth);
				if (a > above[e[x].to])
					above[e[x].to] = a;
			}
	}
	for (size_t f = 1; f < nf; f++) {
		if (!fn[f].calls_tail || above[f] < 256)
			continue;
		size_t at = fn[f].start;
		for (size_t i = fn[f].start; i < fn[f].end; i++)
			if (!vc->second[i] && vc->form[i].family == B2N_F_CALL &&
			    vc->prog->insns[i].imm == 12) {
				at = i;
				break;
			}
		b2n_diag(vc->obj, vc->prog, at,
		         "tail call in %s, whose callers already use %u bytes of stack "
		         "(frames " FRAME_ROUNDING
		         "); the kernel allows tail calls in subprograms only "
		         "below 256",
		         fn[f].name, above[f]);
		err = -EINVAL;
		goto out;
	}
out:
	free(frames);
	free(above);
	return err;
}

int b2n_prog__verify(const struct b2n_input *obj, struct b2n_prog *prog,
                     const struct b2n_verify_opts *opts)
{
	struct vctx vc;
	size_t n = prog->ninsns, nf = prog->nfuncs;
	struct edge *edges = NULL;
	size_t *order = NULL;
	int err = 0;

	if (!prog->funcs || nf == 0) {
		b2n_diag(obj, prog, 0, "program was not checked before verification");
		return -EINVAL;
	}
	memset(&vc, 0, sizeof(vc));
	vc.obj = obj;
	vc.prog = prog;
	vc.allow_uninit = opts && opts->sz >= offsetof(struct b2n_verify_opts, allow_uninit) +
	                                          sizeof(opts->allow_uninit)
	                      ? opts->allow_uninit
	                      : 0;
	vc.entry_args = opts && opts->sz >= offsetof(struct b2n_verify_opts, entry_args) +
	                                        sizeof(opts->entry_args)
	                    ? opts->entry_args
	                    : 1;
	vc.form = b2n_xcalloc(n, sizeof(*vc.form));
	vc.second = b2n_xcalloc(n + 2, 1);
	vc.func_of = b2n_xcalloc(n + 1, sizeof(int));
	vc.loopfit = b2n_xcalloc(n + 1, 1);
	vc.loopcb = b2n_xcalloc(n + 1, sizeof(int));
	vc.sum = b2n_xcalloc(nf, sizeof(*vc.sum));
	for (size_t i = 0; i < n; i++) {
		b2n_isa_classify(&prog->insns[i], &vc.form[i]);
		if (vc.form[i].family == B2N_F_LDDW && !vc.second[i])
			vc.second[i + 1] = 1;
		if (vc.second[i])
			vc.form[i].family = B2N_F_INVALID;
	}
	for (size_t k = 0; k < nf; k++) {
		for (size_t i = prog->funcs[k].start; i < prog->funcs[k].end; i++)
			vc.func_of[i] = (int)k;
		prog->funcs[k].stack_depth = 0;
		prog->funcs[k].chain_depth = 0;
		prog->funcs[k].calls_tail = 0;
		for (int r = 0; r < 6; r++)
			vc.sum[k].argmin[r] = NOACC;
	}

	if ((err = check_reachable(&vc)))
		goto out;
	size_t ne = collect_edges(&vc, &edges);
	for (size_t x = 0; x < ne; x++)
		if (vc.form[edges[x].insn].family == B2N_F_LDDW)
			vc.sum[edges[x].to].is_cb = 1;
	order = b2n_xcalloc(nf, sizeof(size_t));
	if ((err = call_order(&vc, edges, ne, order)))
		goto out;
	for (size_t j = 0; j < nf; j++) {
		size_t k = order[j];
		if ((err = analyse_func(&vc, k)))
			goto out;
		prog->funcs[k].stack_depth = vc.sum[k].depth;
	}
	err = check_chains(&vc, edges, ne, order);
	for (size_t k = 0; k < nf && !err; k++)
		for (size_t i = prog->funcs[k].start; i < prog->funcs[k].end; i++)
			if (vc.loopfit[i] == 1) {
				prog->funcs[k].stack_depth += LOOP_INLINE_EXTRA;
				break;
			}
out:
	free(edges);
	free(order);
	free(vc.form);
	free(vc.second);
	free(vc.func_of);
	free(vc.loopfit);
	free(vc.loopcb);
	free(vc.sum);
	return err;
}
