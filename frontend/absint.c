/*
 * absint.c - the safety pass of the verifier (issue #10): a path-sensitive
 * abstract interpreter over the kernel verifier's register model, which
 * proves that a program touches no memory outside what it may.
 *
 * Approach, as the kernel's do_check: a depth-first walk of every path
 * from instruction 0, one abstract state at a time.  A conditional jump
 * whose outcome is not known pushes the other way's state on a stack.  A
 * state is the call stack (up to 8 frames of eleven registers and a
 * 512-byte stack whose bytes are invalid, data, or part of a spilled
 * register) and the references held (ring-buffer records).  A register
 * is not initialised, a scalar (scalar.c: tnum and bounds), or a pointer:
 * ctx, stack (of some frame), map, map value, map key, packet, packet
 * meta, packet end, memory of a known size, or a function; "or NULL"
 * pointers carry an id shared by their copies, so that one NULL check
 * refines them all; packet pointers carry an id and the range that
 * comparisons with the packet end proved.  Pointers carry a fixed offset
 * and a scalar variable offset.  At jump targets the states already seen
 * are kept, and a state inside one of them (same pointer kinds and fixed
 * offsets, scalars within, packet ranges at least as large) ends the path:
 * that one's walk covers it.  Loops are unrolled, as the kernel does; once
 * the walk has used WIDEN_BUDGET instructions, a loop head seen again gets a
 * state that also holds the last one kept there, with its moving bounds
 * widened, so that loops the kernel gives up on still end (their body then
 * has to be safe for any trip count).  A walk of more than 1,000,000
 * instructions (or 8 per instruction of a larger program) is refused, as
 * the kernel does.
 *
 * Every load, store, atomic and helper memory argument is checked against
 * the pointer's kind: stack bytes within [-512, 0) of a live frame, map
 * values within value_size, packet bytes within the proven range, records
 * within their size; NULL-able pointers, scalars, map and packet-end
 * pointers are never dereferenced.  Helper arguments follow the
 * prototypes of <bpf2native/helpers.def>; ring-buffer records must be
 * released on every path.  Messages use the kernel's wording.
 *
 * Where bpf2native differs from the kernel (privileged): a misaligned
 * plain stack access is lowered with the alignment it has instead of
 * being refused (atomics are refused by verify.c); an untyped program's
 * ctx (asm/raw input without --prog-type, ELF sections of other program
 * types) is opaque memory whose accesses are the host's responsibility.
 *
 * Preconditions: b2n_prog__check and b2n_prog__verify succeeded (the
 * program is structurally sound, every jump lands on an instruction,
 * functions are known).  Runs before the ctx rewrite, on the kernel's ctx
 * offsets.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/ctx.h>
#include <linux/bpf.h>

#include "frontend.h"

#define NREG 11
#define MAX_FRAMES 8
#define STACK B2N_STACK_SIZE
#define MAX_PROCESSED 1000000
#define MAX_KEPT 32           /* states kept per jump target ... */
#define MAX_KEPT_ALL 100000   /* ... and in all (about 0.7 GB of frames) */
#define MAX_VAR_OFF (1 << 29) /* the kernel's BPF_MAX_VAR_OFF */
#define MAX_PKT_OFF 0xffff
#define MAX_REFS 16
#define WIDEN_AFTER 64 /* visits of a loop head before widening ... */
#define WIDEN_BUDGET                                                                               \
	150000 /* ... once the walk has used this many instructions:                               \
	          loops the kernel can unroll are unrolled */

enum rtype {
	T_NONE,
	T_SCALAR,
	T_CTX,
	T_OPAQUE, /* the ctx of an untyped program */
	T_STACK,
	T_MAP,
	T_MAP_VALUE,
	T_MAP_KEY,
	T_PKT,
	T_PKT_META,
	T_PKT_END,
	T_MEM,
	T_FUNC,
};
static const char *const type_name[] = {"?",       "scalar",    "ctx",     "ctx", "fp",
                                        "map_ptr", "map_value", "map_key", "pkt", "pkt_meta",
                                        "pkt_end", "mem",       "func"};

struct reg {
	uint8_t type;
	uint8_t maybe_null; /* "_or_null": NULL until a check says otherwise */
	uint8_t frame;      /* T_STACK: whose stack */
	uint8_t pad;
	uint32_t map;        /* T_MAP*: map index; T_FUNC: first instruction */
	int32_t off;         /* fixed offset */
	uint32_t id;         /* NULL-check family; packet pointer family */
	uint32_t ref;        /* reference held (ring-buffer record), 0 = none */
	uint32_t range;      /* T_PKT*: bytes proven from the pointer; T_MEM: size */
	struct b2n_scalar v; /* the value (scalar), or the variable offset */
};

enum { S_INVALID, S_MISC, S_SPILL };

struct frame {
	struct reg r[NREG];
	uint8_t stype[STACK];        /* byte kinds; byte k is r10 - STACK + k */
	struct reg spill[STACK / 8]; /* slot j covers bytes [8j, 8j+8) */
	size_t callsite;             /* the call instruction (return goes on after it) */
	int callback;                /* a helper's callback: returns into the helper */
	size_t func;                 /* index in prog->funcs */
};

struct vstate {
	int cur;
	uint32_t pkt_range; /* bytes proven from the packet start */
	struct frame *f[MAX_FRAMES];
	int nrefs;
	uint32_t refs[MAX_REFS];
	size_t ref_insn[MAX_REFS];
	size_t insn;
};

struct kept {
	struct vstate **s;
	int n, next;
};

struct actx {
	const struct b2n_input *obj;
	struct b2n_prog *prog;
	const struct b2n_verify_opts *opts;
	struct b2n_form *form;
	unsigned char *prune;    /* jump targets and fall-throughs of branches */
	unsigned char *loophead; /* targets of backward jumps */
	uint32_t *visits;        /* paths that reached each loop head */
	unsigned *live;          /* registers live at each instruction */
	size_t nkept;            /* states kept in all */
	unsigned *precise;       /* ... and those of them whose value matters */
	uint64_t *pslots;        /* stack slots whose reloaded value matters */
	struct kept *kept;
	struct vstate **stack;
	size_t nstack, capstack;
	uint32_t next_id;
	uint64_t processed;
	int *func_of; /* instruction -> function index */
};

/* ---- states -------------------------------------------------------------- */

static struct frame *frame_dup(const struct frame *f)
{
	struct frame *n = malloc(sizeof(*n));
	if (!n)
		abort();
	memcpy(n, f, sizeof(*n));
	return n;
}

static struct vstate *state_dup(const struct vstate *s)
{
	struct vstate *n = b2n_xcalloc(1, sizeof(*n));
	*n = *s;
	for (int k = 0; k <= s->cur; k++)
		n->f[k] = frame_dup(s->f[k]);
	return n;
}

static void state_free(struct vstate *s)
{
	if (!s)
		return;
	for (int k = 0; k <= s->cur; k++)
		free(s->f[k]);
	free(s);
}

static struct reg r_scalar(struct b2n_scalar v)
{
	struct reg r;
	memset(&r, 0, sizeof(r));
	r.type = T_SCALAR;
	r.v = v;
	return r;
}

static struct reg r_unknown(void)
{
	return r_scalar(b2n_scalar_unknown());
}

static struct reg r_const(uint64_t c)
{
	return r_scalar(b2n_scalar_const(c));
}

static struct reg r_none(void)
{
	struct reg r;
	memset(&r, 0, sizeof(r));
	r.v = b2n_scalar_const(0);
	return r;
}

static struct reg r_ptr(int type, int32_t off)
{
	struct reg r = r_none();
	r.type = (uint8_t)type;
	r.off = off;
	return r;
}

/* A scalar of `size` loaded bytes (zero-extended), sign-extended when sx. */
static struct reg r_loaded(int size, int sx)
{
	struct b2n_scalar v = b2n_scalar_unknown();
	if (size < 8) {
		struct b2n_scalar m = b2n_scalar_const(size == 1   ? 0xff
		                                       : size == 2 ? 0xffff
		                                                   : 0xffffffff);
		v = b2n_scalar_alu(B2N_ALU_AND, 1, &v, &m);
		if (sx) {
			enum b2n_alu_op op = size == 1   ? B2N_ALU_MOVSX8
			                     : size == 2 ? B2N_ALU_MOVSX16
			                                 : B2N_ALU_MOVSX32;
			v = b2n_scalar_alu(op, 1, &v, &v);
		}
	}
	return r_scalar(v);
}

/* Scalar ids of an explored state and of a new one must correspond one to
 * one where the explored state links copies (a branch refined them all
 * there): the kernel's check_ids. */
#define IDMAP 64
struct idmap {
	uint32_t o[IDMAP], n[IDMAP];
	int len;
};
static struct idmap *cur_idmap;

static int ids_match(uint32_t oid, uint32_t nid)
{
	struct idmap *m = cur_idmap;
	if (!oid)
		return 1; /* not linked there: this continuation refines less */
	if (!nid || !m)
		return 0;
	for (int k = 0; k < m->len; k++)
		if (m->o[k] == oid || m->n[k] == nid)
			return m->o[k] == oid && m->n[k] == nid;
	if (m->len == IDMAP)
		return 0;
	m->o[m->len] = oid;
	m->n[m->len++] = nid;
	return 1;
}

static int reg_within(const struct reg *n, const struct reg *o)
{
	if (n->type != o->type)
		return 0;
	if (n->type == T_NONE)
		return 1;
	if (n->type == T_SCALAR)
		return b2n_scalar_within(&n->v, &o->v) && ids_match(o->id, n->id);
	if (n->maybe_null != o->maybe_null || n->frame != o->frame || n->map != o->map ||
	    n->off != o->off || n->id != o->id || n->ref != o->ref)
		return 0;
	if ((n->type == T_PKT || n->type == T_PKT_META) ? n->range < o->range
	                                                : n->range != o->range)
		return 0;
	return b2n_scalar_within(&n->v, &o->v);
}

/* Whether state n is covered by the explored state o, at an instruction
 * where the current frame's registers outside `live` are never read again
 * (and the callers' r0-r5 are overwritten on return). */
/* Whether the bytes of slot j in n are covered by those in o, where the
 * slot's value matters (precise) or only its kind does. */
static int slot_within(const struct frame *n, const struct frame *o, int j, int precise)
{
	const uint8_t *a = n->stype + 8 * j, *b = o->stype + 8 * j;
	if (!memcmp(a, b, 8)) {
		if (a[0] != S_SPILL)
			return 1;
		if (!precise && n->spill[j].type == T_SCALAR && o->spill[j].type == T_SCALAR)
			return 1;
		return reg_within(&n->spill[j], &o->spill[j]);
	}
	if (precise)
		return 0;
	/* data of any kind is covered by data: a spilled pointer is not, and
	 * never-written bytes only by never-written bytes (so that a read of
	 * them is always seen, for the lowering's zeroing) */
	for (int k = 0; k < 8; k++) {
		if (a[k] == S_SPILL && n->spill[j].type != T_SCALAR)
			return 0;
		if (b[k] == S_SPILL && o->spill[j].type != T_SCALAR)
			return 0;
		if ((a[k] == S_INVALID) != (b[k] == S_INVALID) && b[k] != S_INVALID)
			return 0;
		if (a[k] == S_INVALID && b[k] != S_INVALID)
			return 0;
	}
	return 1;
}

static int state_within_ids(const struct vstate *n, const struct vstate *o, unsigned live,
                            unsigned precise, uint64_t pslots);
static int state_within(const struct vstate *n, const struct vstate *o, unsigned live,
                        unsigned precise, uint64_t pslots)
{
	struct idmap m;
	m.len = 0;
	cur_idmap = &m;
	int r = state_within_ids(n, o, live, precise, pslots);
	cur_idmap = NULL;
	return r;
}

static int state_within_ids(const struct vstate *n, const struct vstate *o, unsigned live,
                            unsigned precise, uint64_t pslots)
{
	if (n->cur != o->cur || n->nrefs != o->nrefs || n->pkt_range < o->pkt_range ||
	    memcmp(n->refs, o->refs, sizeof(n->refs[0]) * (size_t)n->nrefs))
		return 0;
	for (int k = 0; k <= n->cur; k++) {
		const struct frame *a = n->f[k], *b = o->f[k];
		if (a->callsite != b->callsite || a->callback != b->callback)
			return 0;
		unsigned regs = k == n->cur ? live : 0x7c0u; /* callers: r6-r10 */
		unsigned prec = k == n->cur ? precise : 0x7c0u;
		for (int r = 0; r < NREG; r++) {
			if (!(regs >> r & 1))
				continue;
			if (!(prec >> r & 1) && a->r[r].type == T_SCALAR &&
			    b->r[r].type == T_SCALAR)
				continue; /* data only: its value decides nothing */
			if (!reg_within(&a->r[r], &b->r[r]))
				return 0;
		}
		uint64_t slots = k == n->cur ? pslots : ~0ull;
		for (int j = 0; j < STACK / 8; j++)
			if (!slot_within(a, b, j, (int)(slots >> j & 1)))
				return 0;
	}
	return 1;
}

/* ---- diagnostics ---------------------------------------------------------- */

#define DIAG(a, i, ...) (b2n_diag((a)->obj, (a)->prog, (i), __VA_ARGS__), -EACCES)

static const char *tname(const struct reg *r, char *buf, size_t len)
{
	if (r->type == T_MEM && r->ref)
		snprintf(buf, len, "%s%s", "alloc_mem", r->maybe_null ? "_or_null" : "");
	else
		snprintf(buf, len, "%s%s", type_name[r->type], r->maybe_null ? "_or_null" : "");
	return buf;
}

static int read_ok(struct actx *a, size_t i, const struct vstate *st, int regno)
{
	if (st->f[st->cur]->r[regno].type == T_NONE)
		return DIAG(a, i, "R%d !read_ok", regno);
	return 0;
}

/* ---- memory ----------------------------------------------------------------- */

static int is_const(const struct b2n_scalar *v)
{
	return b2n_scalar_is_const(v);
}

/* The low `size` bytes of a scalar, zero-extended. */
static struct reg truncated(const struct reg *v, int64_t size)
{
	if (size >= 8)
		return *v;
	uint64_t mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
	struct b2n_scalar m = b2n_scalar_const(mask);
	return r_scalar(b2n_scalar_alu(B2N_ALU_AND, 1, &v->v, &m));
}

/* Stack access of `size` bytes at r10 + [lo, hi] of frame f (hi = lo for a
 * fixed offset).  A store at an 8-byte aligned offset spills the register
 * (a pointer: all 8 bytes; a scalar: any size, as the kernel keeps bounded
 * scalars); any other store makes its bytes data, and a slot it overlaps
 * stops holding a spill.  A load of a whole spill restores the register. */
static int stack_access(struct actx *a, size_t i, struct vstate *st, const struct reg *p, int regno,
                        int64_t lo, int64_t hi, int64_t size, int write, struct reg *out,
                        const struct reg *val)
{
	struct frame *f = st->f[p->frame];
	if (lo < -STACK || hi + size > 0 || size <= 0) {
		if (lo != hi)
			return DIAG(a, i,
			            "invalid variable-offset %s stack R%d var_off=(%" PRId64
			            "; %" PRId64 ") size=%" PRId64,
			            write ? "write to" : "read from", regno, lo, hi, size);
		return DIAG(a, i, "invalid %s stack R%d off=%" PRId64 " size=%" PRId64,
		            write ? "write to" : "read from", regno, lo, size);
	}
	size_t b0 = (size_t)(lo + STACK), b1 = (size_t)(hi + size + STACK);
	if (write) {
		for (size_t b = b0; b < b1; b++)
			if (f->stype[b] == S_SPILL)
				for (size_t k = b & ~(size_t)7; k < (b & ~(size_t)7) + 8; k++)
					if (f->stype[k] == S_SPILL)
						f->stype[k] = S_MISC;
		if (val && lo == hi && b0 % 8 == 0 && (size == 8 || val->type == T_SCALAR)) {
			memset(f->stype + b0, S_SPILL, (size_t)size);
			f->spill[b0 / 8] = truncated(val, size);
			return 0;
		}
		memset(f->stype + b0, S_MISC, b1 - b0);
		return 0;
	}
	if (out)
		*out = r_loaded((int)(size < 8 ? size : 8), 0);
	if (lo == hi && b0 % 8 == 0 && f->stype[b0] == S_SPILL) {
		const struct reg *s = &f->spill[b0 / 8];
		int64_t n = 0;
		while (n < 8 && f->stype[b0 + (size_t)n] == S_SPILL)
			n++;
		if (size == n) {
			if (out)
				*out = *s;
			return 0;
		}
		if (s->type != T_SCALAR && out) /* a helper may read a spilled pointer's bytes */
			return DIAG(a, i, "invalid size of register fill");
	}
	for (size_t b = b0; b < b1; b++) {
		if (f->stype[b] == S_SPILL && f->spill[b / 8].type != T_SCALAR && out)
			return DIAG(a, i, "invalid size of register fill");
		if (f->stype[b] == S_INVALID)
			a->prog->funcs[f->func].reads_uninit_stack = 1;
	}
	return 0;
}

/* The kernel's data/data_end/data_meta fields of the ctx, by program type. */
static int ctx_pkt_field(uint32_t type, int64_t off, int size)
{
	if (size != 4)
		return T_NONE;
	if (type == B2N_PROG_XDP)
		return off == 0 ? T_PKT : off == 4 ? T_PKT_END : off == 8 ? T_PKT_META : T_NONE;
	if (type == B2N_PROG_SCHED_CLS || type == B2N_PROG_SCHED_ACT)
		return off == 76 ? T_PKT : off == 80 ? T_PKT_END : off == 140 ? T_PKT_META : T_NONE;
	return T_NONE;
}

/* Memory access of `size` bytes at register regno + off.  For loads, *out
 * receives the value read. */
static int mem_access(struct actx *a, size_t i, struct vstate *st, int regno, int64_t off,
                      int64_t size, int write, int atomic, struct reg *out, const struct reg *val)
{
	struct frame *f = st->f[st->cur];
	const struct reg *p = &f->r[regno];
	char tb[40];
	int64_t total = (int64_t)p->off + off;
	if (p->type == T_NONE)
		return DIAG(a, i, "R%d !read_ok", regno);
	if (p->maybe_null || p->type == T_SCALAR || p->type == T_MAP || p->type == T_PKT_END ||
	    p->type == T_FUNC)
		return DIAG(a, i, "R%d invalid mem access '%s'", regno, tname(p, tb, sizeof(tb)));
	if (out)
		*out = r_loaded((int)(size < 8 ? size : 8), 0);
	switch (p->type) {
	case T_OPAQUE:                /* what an untyped program's ctx leads to is the host's */
		if (out && size == 8) /* maybe a host pointer */
			*out = r_ptr(T_OPAQUE, 0);
		return 0;
	case T_CTX: {
		if (!is_const(&p->v))
			return DIAG(a, i,
			            "variable ctx access var_off=(%#" PRIx64 "; %#" PRIx64
			            ") off=%" PRId64 " size=%" PRId64,
			            p->v.t.value, p->v.t.mask, total, size);
		if (atomic)
			return DIAG(a, i, "BPF_ATOMIC stores into R%d ctx is not allowed", regno);
		int t = write ? T_NONE : ctx_pkt_field(a->prog->type, total, (int)size);
		if (t != T_NONE && out)
			*out = r_ptr(t, 0);
		return 0; /* which fields: the ctx pass (ctx.c) */
	}
	case T_STACK: {
		if (p->v.smin < -STACK || p->v.smax > STACK)
			return DIAG(a, i, "R%d unbounded indirect variable offset stack access",
			            regno);
		int64_t lo = total + (is_const(&p->v) ? (int64_t)p->v.t.value : p->v.smin);
		int64_t hi = total + (is_const(&p->v) ? (int64_t)p->v.t.value : p->v.smax);
		return stack_access(a, i, st, p, regno, lo, hi, size, write, out, val);
	}
	case T_MAP_VALUE:
	case T_MAP_KEY:
	case T_MEM: {
		uint64_t limit;
		const struct b2n_map_def *m = NULL;
		if (p->type == T_MEM) {
			limit = p->range;
		} else {
			m = &a->obj->maps[p->map];
			limit = p->type == T_MAP_KEY ? m->key_size : m->value_size;
		}
		if (p->type == T_MAP_KEY && write)
			return DIAG(a, i, "R%d cannot write into map_key", regno);
		if (m && p->type == T_MAP_VALUE && write && (m->map_flags & BPF_F_RDONLY_PROG))
			return DIAG(a, i,
			            "write into map forbidden, value_size=%u off=%" PRId64
			            " size=%" PRId64,
			            m->value_size, total, size);
		if (m && p->type == T_MAP_VALUE && !write && (m->map_flags & BPF_F_WRONLY_PROG))
			return DIAG(a, i,
			            "read from map forbidden, value_size=%u off=%" PRId64
			            " size=%" PRId64,
			            m->value_size, total, size);
		int var = !is_const(&p->v);
		if (var && p->v.smin < 0)
			return DIAG(
			    a, i,
			    "R%d min value is negative, either use unsigned index or do a if "
			    "(index >=0) check.",
			    regno);
		if (var && p->v.umax >= MAX_VAR_OFF)
			return DIAG(
			    a, i,
			    "R%d unbounded memory access, make sure to bounds check any such "
			    "access",
			    regno);
		int64_t lo = total + (var ? p->v.smin : (int64_t)p->v.t.value);
		int64_t hi = total + (var ? (int64_t)p->v.umax : (int64_t)p->v.t.value);
		if (lo < 0 || (uint64_t)(hi + size) > limit || size <= 0) {
			if (var)
				return DIAG(a, i,
				            "R%d %s value is outside of the allowed memory range",
				            regno, lo < 0 ? "min" : "max");
			if (p->type == T_MEM)
				return DIAG(a, i,
				            "invalid access to memory, mem_size=%" PRIu64
				            " off=%" PRId64 " size=%" PRId64,
				            limit, lo, size);
			return DIAG(a, i,
			            "invalid access to map %s, %s_size=%" PRIu64 " off=%" PRId64
			            " size=%" PRId64,
			            p->type == T_MAP_KEY ? "key" : "value",
			            p->type == T_MAP_KEY ? "key" : "value", limit, lo, size);
		}
		return 0;
	}
	case T_PKT:
	case T_PKT_META: {
		uint32_t type = a->prog->type;
		if (atomic)
			return DIAG(a, i, "BPF_ATOMIC stores into R%d pkt is not allowed", regno);
		if (write && type != B2N_PROG_XDP && type != B2N_PROG_SCHED_CLS &&
		    type != B2N_PROG_SCHED_ACT)
			return DIAG(a, i, "cannot write into packet");
		if (p->v.smin < 0)
			return DIAG(
			    a, i,
			    "R%d min value is negative, either use unsigned index or do a if "
			    "(index >=0) check.",
			    regno);
		if (p->v.umax > MAX_PKT_OFF)
			return DIAG(a, i, "R%d unbounded memory access", regno);
		/* within the family's proven range (from its base + v), or within
		 * the bytes proven from the packet start (base + v <= start +
		 * v.umax): the second goes beyond the kernel, for pointers moved
		 * by a bounded variable after the packet was checked */
		int fam = total >= 0 && size > 0 && (uint64_t)(total + size) <= p->range;
		int start = p->type == T_PKT && total >= 0 && size > 0 &&
		            (uint64_t)total + p->v.umax + (uint64_t)size <= st->pkt_range;
		if (!fam && !start)
			return DIAG(a, i,
			            "invalid access to packet, off=%" PRId64 " size=%" PRId64
			            ", R%d(id=%u,off=%d,r=%u)",
			            total, size, regno, p->id, p->off, p->range);
		return 0;
	}
	default:
		return DIAG(a, i, "R%d invalid mem access '%s'", regno, tname(p, tb, sizeof(tb)));
	}
}

/* ---- ALU ---------------------------------------------------------------------- */

static const char *const alu_str[] = {
    [B2N_ALU_ADD] = "+=",       [B2N_ALU_SUB] = "-=",       [B2N_ALU_MUL] = "*=",
    [B2N_ALU_DIV] = "/=",       [B2N_ALU_SDIV] = "s/=",     [B2N_ALU_OR] = "|=",
    [B2N_ALU_AND] = "&=",       [B2N_ALU_LSH] = "<<=",      [B2N_ALU_RSH] = ">>=",
    [B2N_ALU_NEG] = "neg",      [B2N_ALU_MOD] = "%=",       [B2N_ALU_SMOD] = "s%=",
    [B2N_ALU_XOR] = "^=",       [B2N_ALU_MOV] = "=",        [B2N_ALU_MOVSX8] = "s8=",
    [B2N_ALU_MOVSX16] = "s16=", [B2N_ALU_MOVSX32] = "s32=", [B2N_ALU_ARSH] = "s>>=",
};

/* ptr OP scalar (ADD, or SUB with the pointer in dst). */
static int ptr_arith(struct actx *a, size_t i, int dst, struct reg *p, const struct reg *s, int sub)
{
	char tb[40];
	if (p->type == T_OPAQUE)
		return 0;
	if (p->maybe_null)
		return DIAG(a, i, "R%d pointer arithmetic on %s prohibited, null-check it first",
		            dst, tname(p, tb, sizeof(tb)));
	if (p->type == T_MAP && !sub && is_const(&s->v) && s->v.t.value == 0)
		return 0; /* adding a known 0 is allowed */
	if (p->type == T_MAP || p->type == T_PKT_END || p->type == T_FUNC || p->type == T_MAP_KEY)
		return DIAG(a, i, "R%d pointer arithmetic on %s prohibited", dst,
		            tname(p, tb, sizeof(tb)));
	if (is_const(&s->v)) {
		int64_t c = (int64_t)s->v.t.value;
		int64_t off = sub ? (int64_t)p->off - c : (int64_t)p->off + c;
		if (off <= -MAX_VAR_OFF || off >= MAX_VAR_OFF)
			return DIAG(a, i, "pointer offset %" PRId64 " is not allowed", off);
		p->off = (int32_t)off;
		return 0;
	}
	p->v = b2n_scalar_alu(sub ? B2N_ALU_SUB : B2N_ALU_ADD, 1, &p->v, &s->v);
	if (p->type == T_PKT || p->type == T_PKT_META) {
		/* a new family, as the kernel's: its range counts from base + v
		 * (the bytes proven from the packet start still apply, see
		 * mem_access) */
		p->id = ++a->next_id;
		p->range = 0;
	}
	return 0;
}

static int step_alu(struct actx *a, size_t i, struct vstate *st, const struct b2n_insn *in,
                    const struct b2n_form *f)
{
	struct frame *fr = st->f[st->cur];
	int op = f->op, err;
	int movlike = op == B2N_ALU_MOV || op == B2N_ALU_MOVSX8 || op == B2N_ALU_MOVSX16 ||
	              op == B2N_ALU_MOVSX32;
	if (!movlike && (err = read_ok(a, i, st, in->dst)))
		return err;
	if (f->src_reg && (err = read_ok(a, i, st, in->src)))
		return err;
	struct reg *d = &fr->r[in->dst];
	struct reg s = f->src_reg ? fr->r[in->src] : r_const((uint64_t)(int64_t)in->imm);
	if (op == B2N_ALU_MOV && f->is64) {
		*d = s;
		return 0;
	}
	if (op == B2N_ALU_MOV && s.type != T_SCALAR) { /* the low 32 bits of a pointer */
		struct b2n_scalar u = b2n_scalar_unknown();
		*d = r_scalar(b2n_scalar_alu(B2N_ALU_MOV, 0, &u, &u));
		return 0;
	}
	int dptr = !movlike && d->type != T_SCALAR, sptr = s.type != T_SCALAR;
	if (!dptr && !sptr) {
		struct b2n_scalar dv = movlike ? b2n_scalar_const(0) : d->v;
		*d = r_scalar(b2n_scalar_alu((enum b2n_alu_op)op, f->is64, &dv, &s.v));
		return 0;
	}
	if (d->type == T_OPAQUE || s.type == T_OPAQUE) {
		/* an opaque value (from an untyped program's ctx) stays opaque,
		 * except as an offset of a checked pointer: an unknown scalar */
		const struct reg *o = d->type == T_OPAQUE ? d : &s, *x = o == d ? &s : d;
		struct reg u = r_unknown();
		if (!movlike && x->type != T_OPAQUE && x->type != T_SCALAR) {
			if (o == d && op == B2N_ALU_ADD && f->is64) {
				*d = s;
				return ptr_arith(a, i, in->dst, d, &u, 0);
			}
			if (o == &s && (op == B2N_ALU_ADD || op == B2N_ALU_SUB) && f->is64)
				return ptr_arith(a, i, in->dst, d, &u, op == B2N_ALU_SUB);
		}
		if (f->is64 && (op == B2N_ALU_ADD || op == B2N_ALU_SUB || op == B2N_ALU_MOV)) {
			*d = r_ptr(T_OPAQUE, 0); /* still maybe a host pointer */
			return 0;
		}
		/* any other operation makes a number: an unknown one's result */
		struct b2n_scalar dv = movlike               ? b2n_scalar_const(0)
		                       : d->type == T_OPAQUE ? u.v
		                                             : d->v;
		struct b2n_scalar sv = s.type == T_OPAQUE ? u.v : s.v;
		if ((d->type != T_SCALAR && d->type != T_OPAQUE && !movlike) ||
		    (s.type != T_SCALAR && s.type != T_OPAQUE)) {
			*d = r_ptr(T_OPAQUE, 0);
			return 0;
		}
		*d = r_scalar(b2n_scalar_alu((enum b2n_alu_op)op, f->is64, &dv, &sv));
		return 0;
	}
	if (movlike)
		return DIAG(a, i, "R%d sign-extension of a pointer is prohibited", in->dst);
	/* what the kernel allows privileged programs: a difference involving
	 * pointers (a scalar), and negating one (a scalar) */
	if (op == B2N_ALU_SUB && (!f->is64 || (dptr && sptr))) {
		*d = r_unknown();
		if (!f->is64)
			*d = r_scalar(b2n_scalar_alu(B2N_ALU_MOV, 0, &d->v, &d->v));
		return 0;
	}
	if (op == B2N_ALU_NEG) {
		*d = r_unknown();
		if (!f->is64)
			*d = r_scalar(b2n_scalar_alu(B2N_ALU_MOV, 0, &d->v, &d->v));
		return 0;
	}
	if (!f->is64)
		return DIAG(a, i, "R%d 32-bit pointer arithmetic prohibited", in->dst);
	if (dptr && sptr)
		return DIAG(a, i, "R%d pointer %s pointer prohibited", in->dst, alu_str[op]);
	if (op == B2N_ALU_ADD) {
		if (dptr)
			return ptr_arith(a, i, in->dst, d, &s, 0);
		struct reg sc = *d;
		*d = s;
		return ptr_arith(a, i, in->dst, d, &sc, 0);
	}
	if (op == B2N_ALU_SUB) {
		if (!dptr)
			return DIAG(a, i, "R%d tried to subtract pointer from scalar", in->dst);
		return ptr_arith(a, i, in->dst, d, &s, 1);
	}
	if (op == B2N_ALU_AND || op == B2N_ALU_OR || op == B2N_ALU_XOR)
		return DIAG(a, i, "R%d bitwise operator %s on pointer prohibited", in->dst,
		            alu_str[op]);
	return DIAG(a, i, "R%d pointer arithmetic with %s operator prohibited", in->dst,
	            alu_str[op]);
}

/* ---- branches ------------------------------------------------------------------- */

/* Every register and every spilled register of every frame, one per call
 * (start with pos = {0, 0}); NULL after the last. */
struct regpos {
	int k, q;
};
static struct reg *each_reg(struct vstate *st, struct regpos *p)
{
	for (; p->k <= st->cur; p->k++, p->q = 0) {
		struct frame *f = st->f[p->k];
		while (p->q < NREG + STACK / 8) {
			int q = p->q++;
			if (q < NREG)
				return &f->r[q];
			if (f->stype[8 * (q - NREG)] == S_SPILL)
				return &f->spill[q - NREG];
		}
	}
	return NULL;
}

/* Every register (and spill) of every frame in the NULL family id becomes
 * NULL (a scalar 0) or the pointer it is. */
static void mark_null(struct vstate *st, uint32_t id, int is_null)
{
	struct regpos pos = {0, 0};
	for (struct reg *x; (x = each_reg(st, &pos));)
		if (x->maybe_null && x->id == id) {
			if (is_null)
				*x = r_const(0);
			else
				x->maybe_null = 0;
		}
	if (is_null) /* a NULL record holds no reference */
		for (int r = 0; r < st->nrefs; r++)
			if (st->refs[r] == id) {
				st->refs[r] = st->refs[--st->nrefs];
				st->ref_insn[r] = st->ref_insn[st->nrefs];
				break;
			}
}

/* After `pkt <= end` (or `pkt < end`): every packet pointer of the family
 * may read up to the compared one's offset. */
static void mark_pkt_range(struct vstate *st, const struct reg *p, uint32_t range)
{
	struct regpos pos = {0, 0};
	for (struct reg *x; (x = each_reg(st, &pos));)
		if (x->type == p->type && x->id == p->id && x->range < range)
			x->range = range;
}

static int jcc_swap(int op)
{
	switch (op) {
	case B2N_JGT:
		return B2N_JLT;
	case B2N_JLT:
		return B2N_JGT;
	case B2N_JGE:
		return B2N_JLE;
	case B2N_JLE:
		return B2N_JGE;
	case B2N_JSGT:
		return B2N_JSLT;
	case B2N_JSLT:
		return B2N_JSGT;
	case B2N_JSGE:
		return B2N_JSLE;
	case B2N_JSLE:
		return B2N_JSGE;
	default:
		return op;
	}
}

/* Packet comparisons: `op` holds between pkt (x) and its end (y) in the
 * state where it is `taken`.  Proves x <= y (range off) or x < y (off+1). */
static void pkt_compare(struct vstate *st, int op, const struct reg *x, int taken)
{
	/* x = start + off + v with v >= umin: x <= end proves off + umin bytes */
	if (x->off < 0 || x->off > MAX_PKT_OFF || x->v.smin < 0 ||
	    (uint64_t)x->off + x->v.umin > MAX_PKT_OFF)
		return;
	uint32_t at = (uint32_t)((uint64_t)x->off + x->v.umin);
	int le = 0, lt = 0;
	if (op == B2N_JLE || op == B2N_JLT || op == B2N_JGT || op == B2N_JGE) {
		int holds_lt = (op == B2N_JLT && taken) || (op == B2N_JGE && !taken);
		int holds_le = (op == B2N_JLE && taken) || (op == B2N_JGT && !taken);
		lt = holds_lt;
		le = holds_le;
	}
	uint32_t r = lt ? at + 1 : le ? at : 0;
	if (!r)
		return;
	/* the family's range: from its base + v (the kernel's: off only) */
	mark_pkt_range(st, x, (uint32_t)x->off + (lt ? 1u : 0u));
	/* and from the packet start: off + v.umin */
	if (x->type == T_PKT && r > st->pkt_range)
		st->pkt_range = r;
}

static int push(struct actx *a, struct vstate *s)
{
	if (a->nstack == a->capstack) {
		a->capstack = a->capstack ? a->capstack * 2 : 64;
		a->stack = realloc(a->stack, a->capstack * sizeof(*a->stack));
		if (!a->stack)
			abort();
	}
	a->stack[a->nstack++] = s;
	return 0;
}

/* Register regno of the current frame becomes the refined v, and so does
 * every copy of it (same scalar id) in every frame and spill: the
 * kernel's find_equal_scalars. */
static void set_scalar(struct vstate *st, int regno, const struct reg *v)
{
	struct frame *cf = st->f[st->cur];
	uint32_t id = cf->r[regno].id;
	cf->r[regno] = *v;
	if (!id)
		return;
	struct regpos pos = {0, 0};
	for (struct reg *x; (x = each_reg(st, &pos));)
		if (x->type == T_SCALAR && x->id == id)
			x->v = v->v;
}

/* A conditional jump: refines this state for one way and pushes the other
 * (or follows the only possible one). */
static int step_jcc(struct actx *a, size_t i, struct vstate *st, const struct b2n_insn *in,
                    const struct b2n_form *f)
{
	struct frame *fr = st->f[st->cur];
	int err;
	if ((err = read_ok(a, i, st, in->dst)))
		return err;
	if (f->src_reg && (err = read_ok(a, i, st, in->src)))
		return err;
	size_t target = i + 1 + (size_t)(int64_t)in->off;
	struct reg x = fr->r[in->dst];
	struct reg y = f->src_reg ? fr->r[in->src] : r_const((uint64_t)(int64_t)in->imm);
	int op = f->op;
	/* an opaque value compared with a number is a number from here on */
	if (x.type == T_OPAQUE && y.type == T_SCALAR)
		x = fr->r[in->dst] = r_unknown();
	if (y.type == T_OPAQUE && x.type == T_SCALAR && f->src_reg)
		y = fr->r[in->src] = r_unknown();
	/* two pointers into the same object compare by their offsets */
	int same = x.type == y.type && !x.maybe_null && !y.maybe_null &&
	           ((x.type == T_STACK && x.frame == y.frame) ||
	            (x.type == T_MAP_VALUE && x.map == y.map) ||
	            (x.type == T_MEM && x.ref && x.ref == y.ref) ||
	            ((x.type == T_PKT || x.type == T_PKT_META) && x.id == y.id));
	if (same && f->is64 && op != B2N_JSET) {
		struct b2n_scalar xo = b2n_scalar_const((uint64_t)(int64_t)x.off);
		struct b2n_scalar yo = b2n_scalar_const((uint64_t)(int64_t)y.off);
		struct b2n_scalar X = b2n_scalar_alu(B2N_ALU_ADD, 1, &x.v, &xo);
		struct b2n_scalar Y = b2n_scalar_alu(B2N_ALU_ADD, 1, &y.v, &yo);
		struct b2n_scalar tX = X, tY = Y, nX = X, nY = Y;
		int can_t = !b2n_scalar_branch((enum b2n_jcc_op)op, 1, 1, &tX, &tY);
		int can_n = !b2n_scalar_branch((enum b2n_jcc_op)op, 1, 0, &nX, &nY);
		if (!can_t && !can_n)
			return 1;
		/* back to variable parts: offset - fixed offset */
		struct b2n_scalar *vs[4] = {&tX, &tY, &nX, &nY};
		for (int k = 0; k < 4; k++)
			*vs[k] = b2n_scalar_alu(B2N_ALU_SUB, 1, vs[k], k % 2 ? &yo : &xo);
		if (can_t && can_n) {
			struct vstate *o = state_dup(st);
			o->f[o->cur]->r[in->dst].v = tX;
			o->f[o->cur]->r[in->src].v = tY;
			o->insn = target;
			push(a, o);
		}
		fr->r[in->dst].v = can_n ? nX : tX;
		fr->r[in->src].v = can_n ? nY : tY;
		st->insn = can_n ? i + 1 : target;
		return 0;
	}

	if (x.type == T_SCALAR && y.type == T_SCALAR) {
		struct reg tx = x, ty = y, nx = x, ny = y;
		int can_t = !b2n_scalar_branch((enum b2n_jcc_op)op, f->is64, 1, &tx.v, &ty.v);
		int can_n = !b2n_scalar_branch((enum b2n_jcc_op)op, f->is64, 0, &nx.v, &ny.v);
		if (!can_t && !can_n) /* an infeasible path: nothing follows */
			return 1;
		if (can_t && can_n) {
			struct vstate *o = state_dup(st);
			set_scalar(o, in->dst, &tx);
			if (f->src_reg)
				set_scalar(o, in->src, &ty);
			o->insn = target;
			push(a, o);
		}
		if (can_n) {
			set_scalar(st, in->dst, &nx);
			if (f->src_reg)
				set_scalar(st, in->src, &ny);
			st->insn = i + 1;
		} else {
			set_scalar(st, in->dst, &tx);
			if (f->src_reg)
				set_scalar(st, in->src, &ty);
			st->insn = target;
		}
		return 0;
	}
	struct vstate *o = state_dup(st); /* the taken way */
	o->insn = target;
	st->insn = i + 1;
	/* NULL checks: ptr_or_null ==/!= 0 */
	const struct reg *p = x.type != T_SCALAR ? &x : &y;
	const struct reg *z = x.type != T_SCALAR ? &y : &x;
	if (f->is64 && (op == B2N_JEQ || op == B2N_JNE) && p->maybe_null && z->type == T_SCALAR &&
	    is_const(&z->v) && z->v.t.value == 0) {
		mark_null(o, p->id, op == B2N_JEQ);
		mark_null(st, p->id, op != B2N_JEQ);
	}
	/* packet bounds: pkt vs pkt_end, pkt_meta vs pkt */
	if (f->is64) {
		/* meta is bounded by data itself: the packet start, unmoved */
		int xdata = x.type == T_PKT && !x.off && is_const(&x.v) && !x.v.t.value;
		int ydata = y.type == T_PKT && !y.off && is_const(&y.v) && !y.v.t.value;
		int kind =
		    (x.type == T_PKT && y.type == T_PKT_END) || (x.type == T_PKT_META && ydata);
		int rkind =
		    (y.type == T_PKT && x.type == T_PKT_END) || (y.type == T_PKT_META && xdata);
		if (kind) {
			pkt_compare(o, op, &x, 1);
			pkt_compare(st, op, &x, 0);
		} else if (rkind) {
			pkt_compare(o, jcc_swap(op), &y, 1);
			pkt_compare(st, jcc_swap(op), &y, 0);
		}
	}
	push(a, o);
	return 0;
}

/* ---- calls ----------------------------------------------------------------------- */

#define HF_0 0
enum hret {
#define H(k) HR_##k,
	H(INT) H(VOID) H(MAPVAL_OR_NULL) H(MEM_OR_NULL)
#undef H
};
enum harg {
	HA_NONE,
	HA_ANY,
	HA_CTX,
	HA_MAP,
	HA_KEY,
	HA_VAL,
	HA_UVAL,
	HA_MEM,
	HA_UMEM,
	HA_MEM_OR_NULL,
	HA_UMEM_OR_NULL,
	HA_SIZE,
	HA_SIZE0,
	HA_CONST_STR,
	HA_LONG,
	HA_FUNC,
	HA_LOCK,
	HA_RINGBUF_MEM,
};
#define HF_PKT 1 /* changes packet data */
struct proto {
	int32_t id;
	const char *name;
	enum hret ret;
	enum harg arg[5];
	int flags;
};
static const struct proto protos[] = {
#define X(id, name, ret, a1, a2, a3, a4, a5, fl)                                                   \
	{id, #name, HR_##ret, {HA_##a1, HA_##a2, HA_##a3, HA_##a4, HA_##a5}, HF_##fl},
#include <bpf2native/helpers.def>
#undef X
};

static const struct proto *proto_of(int32_t id)
{
	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++)
		if (protos[k].id == id)
			return &protos[k];
	return NULL;
}

static void clobber_args(struct frame *f)
{
	for (int r = 1; r <= 5; r++)
		f->r[r] = r_none();
}

/* A memory argument: `size` bytes (at most; at least min) at register
 * regno, read or written by the helper. */
static int helper_mem(struct actx *a, size_t i, struct vstate *st, int regno, uint64_t min,
                      uint64_t max, int write)
{
	const struct reg *p = &st->f[st->cur]->r[regno];
	char tb[40];
	if (p->type == T_SCALAR && !(is_const(&p->v) && p->v.t.value == 0))
		return DIAG(a, i, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem",
		            regno, tname(p, tb, sizeof(tb)));
	if (max == 0)
		return 0;
	(void)min;
	if (p->type == T_CTX)
		return DIAG(a, i,
		            "R%d type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem",
		            regno);
	return mem_access(a, i, st, regno, 0, (int64_t)max, write, 0, NULL, NULL);
}

/* The size argument of a memory argument, into [*lo, *hi]. */
static int helper_size(struct actx *a, size_t i, const struct reg *s, int regno, int zero_ok,
                       uint64_t *lo, uint64_t *hi)
{
	char tb[40];
	if (s->type == T_OPAQUE) { /* the host's business (untyped program) */
		*lo = 0;
		*hi = 0;
		return 0;
	}
	if (s->type != T_SCALAR)
		return DIAG(a, i, "R%d type=%s expected=scalar", regno, tname(s, tb, sizeof(tb)));
	if (s->v.smin < 0)
		return DIAG(a, i,
		            "R%d min value is negative, either use unsigned or 'var &= const'",
		            regno);
	if (s->v.umax >= MAX_VAR_OFF)
		return DIAG(a, i,
		            "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'",
		            regno);
	if (!zero_ok && s->v.umin == 0 && s->v.umax == 0)
		return DIAG(a, i, "invalid zero-sized read");
	*lo = s->v.umin;
	*hi = s->v.umax;
	return 0;
}

/* The map types a map helper takes (the kernel's check_map_func_compatibility,
 * for the helpers bpf2native has). */
static int map_type_ok(int32_t id, uint32_t mt)
{
	int special = mt == BPF_MAP_TYPE_PROG_ARRAY || mt == BPF_MAP_TYPE_RINGBUF ||
	              mt == BPF_MAP_TYPE_QUEUE || mt == BPF_MAP_TYPE_STACK;
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
		return !special;
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
		return mt == BPF_MAP_TYPE_QUEUE || mt == BPF_MAP_TYPE_STACK;
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_query:
		return mt == BPF_MAP_TYPE_RINGBUF;
	case BPF_FUNC_redirect_map:
		return mt == BPF_MAP_TYPE_DEVMAP || mt == BPF_MAP_TYPE_DEVMAP_HASH ||
		       mt == BPF_MAP_TYPE_CPUMAP || mt == BPF_MAP_TYPE_XSKMAP;
	default:
		return 1;
	}
}

static int helper_call(struct actx *a, size_t i, struct vstate *st, int32_t id, int *callback)
{
	struct frame *fr = st->f[st->cur];
	char h[64], tb[40];
	const struct proto *pr = proto_of(id);
	int err;
	*callback = -1;
	if (id == BPF_FUNC_tail_call) {
		for (int r = 1; r <= 3; r++)
			if ((err = read_ok(a, i, st, r)))
				return err;
		if ((fr->r[2].type != T_MAP || fr->r[2].maybe_null) && fr->r[2].type != T_OPAQUE)
			return DIAG(a, i, "R2 type=%s expected=map_ptr",
			            tname(&fr->r[2], tb, sizeof(tb)));
		if (st->nrefs)
			return DIAG(a, i, "tail_call would lead to reference leak");
		clobber_args(fr);
		fr->r[0] = r_unknown();
		return 0;
	}
	if (!pr) { /* an application's helper (--allow-unknown-helpers): no prototype */
		clobber_args(fr);
		fr->r[0] = r_unknown();
		return 0;
	}
	const struct b2n_map_def *map = NULL;
	uint32_t map_idx = 0;
	for (int k = 0; k < 5; k++) {
		int regno = k + 1;
		struct reg *r = &fr->r[regno];
		enum harg ak = pr->arg[k];
		if (ak == HA_NONE)
			break;
		if (ak != HA_SIZE && ak != HA_SIZE0 && (err = read_ok(a, i, st, regno)))
			return err;
		if (r->type == T_OPAQUE) { /* the host's business (untyped program) */
			if (ak == HA_MEM || ak == HA_UMEM || ak == HA_MEM_OR_NULL ||
			    ak == HA_UMEM_OR_NULL)
				k++;
			continue;
		}
		switch (ak) {
		case HA_ANY:
			break;
		case HA_CTX:
			if (r->type != T_CTX && r->type != T_OPAQUE)
				return DIAG(a, i, "R%d type=%s expected=ctx", regno,
				            tname(r, tb, sizeof(tb)));
			if (r->type == T_CTX && (r->off || !is_const(&r->v) || r->v.t.value))
				return DIAG(a, i,
				            "dereference of modified ctx ptr R%d off=%d disallowed",
				            regno, r->off);
			break;
		case HA_MAP:
			if (r->type != T_MAP || r->maybe_null)
				return DIAG(a, i, "R%d type=%s expected=map_ptr", regno,
				            tname(r, tb, sizeof(tb)));
			map_idx = r->map;
			map = &a->obj->maps[map_idx];
			if (!map_type_ok(id, map->type))
				return DIAG(a, i, "cannot pass map_type %u into func %s", map->type,
				            b2n_helper_desc(id, h, sizeof(h)));
			break;
		case HA_KEY:
		case HA_VAL:
		case HA_UVAL: {
			if (!map)
				return DIAG(a, i, "invalid map_ptr to access map->%s",
				            ak == HA_KEY ? "key" : "value");
			uint32_t n = ak == HA_KEY ? map->key_size : map->value_size;
			if ((err = helper_mem(a, i, st, regno, n, n, ak == HA_UVAL)))
				return err;
			if (r->type == T_SCALAR)
				return DIAG(a, i, "R%d type=scalar expected=fp", regno);
			break;
		}
		case HA_MEM:
		case HA_UMEM:
		case HA_MEM_OR_NULL:
		case HA_UMEM_OR_NULL: {
			uint64_t lo, hi;
			int zero = pr->arg[k + 1] == HA_SIZE0;
			if ((err = read_ok(a, i, st, regno + 1)) ||
			    (err = helper_size(a, i, &fr->r[regno + 1], regno + 1, zero, &lo, &hi)))
				return err;
			int null_ok = ak == HA_MEM_OR_NULL || ak == HA_UMEM_OR_NULL;
			if (r->type == T_SCALAR && hi > 0) /* NULL takes size 0 only */
				null_ok = 0;
			if (r->type == T_SCALAR &&
			    !(null_ok && is_const(&r->v) && r->v.t.value == 0))
				return DIAG(a, i,
				            "R%d type=scalar expected=fp, pkt, pkt_meta, map_key, "
				            "map_value, mem%s",
				            regno, null_ok ? "" : " (size > 0 needs memory)");
			if (r->type != T_SCALAR &&
			    (err = helper_mem(a, i, st, regno, lo, hi,
			                      ak == HA_UMEM || ak == HA_UMEM_OR_NULL)))
				return err;
			k++; /* the size argument is done */
			break;
		}
		case HA_SIZE:
		case HA_SIZE0:
			break;
		case HA_LONG:
			if ((err = helper_mem(a, i, st, regno, 8, 8, 1)))
				return err;
			break;
		case HA_CONST_STR:
			if (r->type != T_MAP_VALUE || r->maybe_null)
				return DIAG(a, i, "R%d type=%s expected=map_value", regno,
				            tname(r, tb, sizeof(tb)));
			break;
		case HA_FUNC:
			if (r->type != T_FUNC)
				return DIAG(a, i, "R%d type=%s expected=func", regno,
				            tname(r, tb, sizeof(tb)));
			*callback = (int)r->map;
			break;
		case HA_LOCK:
			if (r->type != T_MAP_VALUE || r->maybe_null)
				return DIAG(a, i, "R%d type=%s expected=map_value", regno,
				            tname(r, tb, sizeof(tb)));
			if (a->obj->maps[r->map].spin_lock_off < 0)
				return DIAG(a, i, "map '%s' has no valid bpf_spin_lock",
				            a->obj->maps[r->map].name);
			if (!is_const(&r->v) ||
			    r->off + (int64_t)r->v.t.value != a->obj->maps[r->map].spin_lock_off)
				return DIAG(a, i,
				            "off %" PRId64
				            " doesn't point to 'struct bpf_spin_lock' "
				            "that is at %d",
				            r->off + (int64_t)r->v.t.value,
				            a->obj->maps[r->map].spin_lock_off);
			break;
		case HA_RINGBUF_MEM: {
			if (r->type != T_MEM || !r->ref || r->maybe_null)
				return DIAG(a, i, "R%d type=%s expected=alloc_mem", regno,
				            tname(r, tb, sizeof(tb)));
			if (r->off || !is_const(&r->v) || r->v.t.value)
				return DIAG(a, i,
				            "R%d must have zero offset when passed to release func",
				            regno);
			int found = -1;
			for (int q = 0; q < st->nrefs; q++)
				if (st->refs[q] == r->ref)
					found = q;
			if (found < 0)
				return DIAG(
				    a, i, "R%d must be referenced when passed to release function",
				    regno);
			uint32_t ref = r->ref;
			st->refs[found] = st->refs[--st->nrefs];
			st->ref_insn[found] = st->ref_insn[st->nrefs];
			/* every copy of the record dies with it */
			struct regpos pos = {0, 0};
			for (struct reg *x; (x = each_reg(st, &pos));)
				if (x->type == T_MEM && x->ref == ref)
					*x = r_unknown();
			break;
		}
		case HA_NONE:
			break;
		}
	}
	if (pr->flags & HF_PKT) { /* the packet may have moved: its pointers die */
		struct regpos pos = {0, 0};
		st->pkt_range = 0;
		for (struct reg *x; (x = each_reg(st, &pos));)
			if (x->type == T_PKT || x->type == T_PKT_META || x->type == T_PKT_END)
				*x = r_unknown();
	}
	struct reg r0 = r_unknown();
	if (pr->ret == HR_MAPVAL_OR_NULL && map) {
		int inner = map->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		            map->type == BPF_MAP_TYPE_HASH_OF_MAPS;
		r0 = r_ptr(inner ? T_MAP : T_MAP_VALUE, 0);
		r0.map = inner ? (uint32_t)map->inner_map : map_idx;
		r0.maybe_null = 1;
		r0.id = ++a->next_id;
	} else if (pr->ret == HR_MEM_OR_NULL) {
		const struct reg *sz = &fr->r[2];
		if (sz->type != T_SCALAR || !is_const(&sz->v))
			return DIAG(a, i, "R2 is not a known constant'");
		if (st->nrefs == MAX_REFS)
			return DIAG(a, i, "too many references held");
		r0 = r_ptr(T_MEM, 0);
		r0.range = (uint32_t)sz->v.t.value;
		r0.maybe_null = 1;
		r0.id = r0.ref = ++a->next_id;
		st->refs[st->nrefs] = r0.ref;
		st->ref_insn[st->nrefs++] = i;
	} else if (pr->ret == HR_VOID) {
		r0 = r_none();
	}
	if (*callback >= 0) {
		/* the callback's arguments, from this call's */
		struct frame *cb = b2n_xcalloc(1, sizeof(*cb));
		for (int r = 0; r < NREG; r++)
			cb->r[r] = r_none();
		if (id == BPF_FUNC_loop) { /* bpf_loop(n, cb, ctx, flags): cb(index, ctx) */
			struct b2n_scalar m = b2n_scalar_const(0xffffffff),
			                  u = b2n_scalar_unknown();
			cb->r[1] = r_scalar(b2n_scalar_alu(B2N_ALU_AND, 1, &u, &m));
			cb->r[2] = fr->r[3];
		} else { /* for_each_map_elem(map, cb, ctx, flags): cb(map, key, value, ctx) */
			cb->r[1] = r_ptr(T_MAP, 0);
			cb->r[1].map = map_idx;
			cb->r[2] = r_ptr(T_MAP_KEY, 0);
			cb->r[2].map = map_idx;
			cb->r[3] = r_ptr(T_MAP_VALUE, 0);
			cb->r[3].map = map_idx;
			cb->r[4] = fr->r[3];
		}
		cb->callsite = i;
		cb->callback = 1;
		if (st->cur + 1 >= MAX_FRAMES)
			return free(cb),
			       DIAG(a, i, "the call stack of %d frames is too deep", MAX_FRAMES);
		fr->r[0] = r0;
		st->f[++st->cur] = cb;
		return 0;
	}
	clobber_args(fr);
	fr->r[0] = r0;
	return 0;
}

/* Enter a subprogram (or a callback) starting at `start`; the new frame's
 * r10 points at its own stack. */
static int enter(struct actx *a, size_t i, struct vstate *st, size_t start)
{
	struct frame *f = st->f[st->cur];
	if (!f->callback || f->callsite != i) { /* a local call: copy r1-r5 */
		if (st->cur + 1 >= MAX_FRAMES)
			return DIAG(a, i, "the call stack of %d frames is too deep", MAX_FRAMES);
		struct frame *n = b2n_xcalloc(1, sizeof(*n));
		for (int r = 0; r < NREG; r++)
			n->r[r] = r <= 5 && r >= 1 ? f->r[r] : r_none();
		n->callsite = i;
		st->f[++st->cur] = n;
		f = n;
	}
	f->func = (size_t)a->func_of[start];
	f->r[10] = r_ptr(T_STACK, 0);
	f->r[10].frame = (uint8_t)st->cur;
	st->insn = start;
	return 0;
}

/* EXIT: return to the caller, or end the path. */
static int step_exit(struct actx *a, size_t i, struct vstate *st, int *done)
{
	struct frame *f = st->f[st->cur];
	int err;
	*done = 0;
	/* the program's and a callback's r0 are read; a subprogram may return
	 * nothing (its caller then cannot read r0) */
	if ((st->cur == 0 || f->callback) && (err = read_ok(a, i, st, 0)))
		return err;
	if (st->cur == 0) {
		if (st->nrefs)
			return DIAG(a, i, "Unreleased reference id=%u alloc_insn=%zu", st->refs[0],
			            st->ref_insn[0]);
		*done = 1;
		return 0;
	}
	struct reg r0 = f->r[0];
	if (r0.type == T_STACK && r0.frame == st->cur)
		return DIAG(a, i, "cannot return stack pointer to the caller");
	if (f->callback) {
		if (r0.type != T_SCALAR && r0.type != T_OPAQUE)
			return DIAG(a, i,
			            "At callback return the register R0 is not a known value (%s)",
			            type_name[r0.type]);
		r0 = st->f[st->cur - 1]->r[0]; /* what the helper returns */
	}
	size_t site = f->callsite;
	free(f);
	st->f[st->cur--] = NULL;
	struct frame *c = st->f[st->cur];
	/* stack pointers into the frame that ended must not survive */
	for (int r = 0; r < NREG; r++)
		if (c->r[r].type == T_STACK && c->r[r].frame > st->cur)
			c->r[r] = r_unknown();
	clobber_args(c);
	c->r[0] = r0;
	st->insn = site + 1;
	return 0;
}

/* ---- one instruction ----------------------------------------------------------------- */

/* Returns 0 (st->insn is the next instruction), 1 (the path ended) or a
 * negative errno after one diagnostic. */
static int step(struct actx *a, struct vstate *st)
{
	size_t i = st->insn;
	const struct b2n_insn *in = &a->prog->insns[i];
	const struct b2n_form *f = &a->form[i];
	struct frame *fr = st->f[st->cur];
	int err;
	st->insn = i + 1;
	switch (f->family) {
	case B2N_F_ALU:
		return step_alu(a, i, st, in, f);
	case B2N_F_END: {
		if ((err = read_ok(a, i, st, in->dst)))
			return err;
		struct reg *d = &fr->r[in->dst];
		if (d->type != T_SCALAR) {
			if (d->type == T_OPAQUE)
				return 0;
			return DIAG(a, i, "R%d pointer arithmetic with %s operator prohibited",
			            in->dst, b2n_end_table[f->op].mnem);
		}
		/* le/be swap or not by the target's byte order: an object whose
		 * order is not known yet (asm, raw) gets both readings */
		enum b2n_end_op eo = (enum b2n_end_op)f->op;
		if (eo == B2N_END_BSWAP || a->obj->big_endian >= 0) {
			int swap = eo == B2N_END_BSWAP || (eo == B2N_END_BE) != a->obj->big_endian;
			d->v = b2n_scalar_end(eo, f->size, swap, &d->v);
		} else {
			struct b2n_scalar x = b2n_scalar_end(eo, f->size, 0, &d->v);
			struct b2n_scalar y = b2n_scalar_end(eo, f->size, 1, &d->v);
			d->v = b2n_scalar_join(&x, &y);
		}
		return 0;
	}
	case B2N_F_JA:
		st->insn = i + 1 + (size_t)(int64_t)(f->is64 ? in->off : in->imm);
		return 0;
	case B2N_F_JCC:
		return step_jcc(a, i, st, in, f);
	case B2N_F_EXIT: {
		int done;
		if ((err = step_exit(a, i, st, &done)))
			return err;
		return done;
	}
	case B2N_F_CALL: {
		int cb;
		if ((err = helper_call(a, i, st, in->imm, &cb)))
			return err;
		if (cb >= 0)
			return enter(a, i, st, (size_t)cb);
		return 0;
	}
	case B2N_F_CALLX:
		if ((err = read_ok(a, i, st, in->dst)))
			return err;
		clobber_args(fr);
		fr->r[0] = r_unknown();
		return 0;
	case B2N_F_CALL_LOCAL:
		return enter(a, i, st, i + 1 + (size_t)(int64_t)in->imm);
	case B2N_F_LDX:
	case B2N_F_LDXSX: {
		struct reg v;
		if ((err = mem_access(a, i, st, in->src, in->off, f->size, 0, 0, &v, NULL)))
			return err;
		if (f->family == B2N_F_LDXSX && v.type == T_SCALAR)
			v = r_loaded(f->size, 1);
		fr->r[in->dst] = v;
		return 0;
	}
	case B2N_F_ST: {
		struct reg v = r_const((uint64_t)(int64_t)in->imm);
		return mem_access(a, i, st, in->dst, in->off, f->size, 1, 0, NULL,
		                  f->size == 8 ? &v : NULL);
	}
	case B2N_F_STX: {
		if ((err = read_ok(a, i, st, in->src)))
			return err;
		struct reg v = fr->r[in->src];
		const struct reg *p = &fr->r[in->dst];
		if (v.type == T_STACK && p->type == T_STACK && v.frame > p->frame)
			return DIAG(
			    a, i, "cannot spill pointers to stack into stack frame of the caller");
		return mem_access(a, i, st, in->dst, in->off, f->size, 1, 0, NULL, &v);
	}
	case B2N_F_ATOMIC: {
		if ((err = read_ok(a, i, st, in->src)))
			return err;
		int cmpxchg = f->op == B2N_ATOMIC_CMPXCHG;
		if (cmpxchg && (err = read_ok(a, i, st, 0)))
			return err;
		/* an atomic cannot be split: its address must be aligned (the
		 * stack's own case is refused by verify.c, in the kernel's words) */
		const struct reg *p = &fr->r[in->dst];
		if (p->type != T_OPAQUE && p->type != T_NONE &&
		    ((((uint64_t)(int64_t)p->off + (uint64_t)(int64_t)in->off + p->v.t.value) |
		      p->v.t.mask) &
		     (uint64_t)(f->size - 1)))
			return DIAG(a, i,
			            "misaligned %saccess off (%#" PRIx64 "; %#" PRIx64
			            ")+%d+%d size %d",
			            p->type == T_MAP_VALUE ? "value "
			            : p->type == T_STACK   ? "stack "
			                                   : "",
			            p->v.t.value, p->v.t.mask, p->off, in->off, f->size);
		/* an atomic reads (what it fetches: a spilled register comes back
		 * whole) and writes (data, whatever it was) */
		struct reg old;
		if ((err = mem_access(a, i, st, in->dst, in->off, f->size, 0, 1, &old, NULL)) ||
		    (err = mem_access(a, i, st, in->dst, in->off, f->size, 1, 1, NULL, NULL)))
			return err;
		if (cmpxchg)
			fr->r[0] = old;
		else if (f->fetch || f->op == B2N_ATOMIC_XCHG)
			fr->r[in->src] = old;
		return 0;
	}
	case B2N_F_LDDW: {
		st->insn = i + 2;
		uint64_t v = (uint64_t)(uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		struct reg r = r_const(v);
		if (in->src == B2N_PSEUDO_MAP_IDX || in->src == B2N_PSEUDO_MAP_IDX_VALUE) {
			r = r_ptr(in->src == B2N_PSEUDO_MAP_IDX ? T_MAP : T_MAP_VALUE,
			          in->src == B2N_PSEUDO_MAP_IDX ? 0 : in[1].imm);
			r.map = (uint32_t)in->imm;
		} else if (in->src == B2N_PSEUDO_FUNC) {
			r = r_ptr(T_FUNC, 0);
			r.map = (uint32_t)(i + 1 + (size_t)(int64_t)in->imm);
		}
		fr->r[in->dst] = r;
		return 0;
	}
	case B2N_F_LDABS:
		if (in->src && (err = read_ok(a, i, st, in->src)))
			return err;
		clobber_args(fr);
		fr->r[0] = r_loaded(f->size, 0);
		return 0;
	case B2N_F_INVALID:
		break;
	}
	abort(); /* b2n_prog__check refuses every other instruction */
}

/* ---- register liveness -------------------------------------------------------------------- */

/* Registers an instruction reads (use) and writes (def), as bit masks. */
static void use_def(const struct b2n_insn *in, const struct b2n_form *f, unsigned *use,
                    unsigned *def)
{
	unsigned u = 0, d = 0, args = 0x3e, clob = 0x3f; /* r1-r5; r0-r5 */
	switch (f->family) {
	case B2N_F_ALU: {
		int movlike = f->op == B2N_ALU_MOV || f->op == B2N_ALU_MOVSX8 ||
		              f->op == B2N_ALU_MOVSX16 || f->op == B2N_ALU_MOVSX32;
		u = (movlike ? 0 : 1u << in->dst) | (f->src_reg ? 1u << in->src : 0);
		d = 1u << in->dst;
		break;
	}
	case B2N_F_END:
		u = d = 1u << in->dst;
		break;
	case B2N_F_JCC:
		u = (1u << in->dst) | (f->src_reg ? 1u << in->src : 0);
		break;
	case B2N_F_EXIT:
		u = 1;
		break;
	case B2N_F_CALL:
	case B2N_F_CALL_LOCAL:
		u = args, d = clob;
		break;
	case B2N_F_CALLX:
		u = args | (1u << in->dst), d = clob;
		break;
	case B2N_F_LDX:
	case B2N_F_LDXSX:
		u = 1u << in->src, d = 1u << in->dst;
		break;
	case B2N_F_ST:
		u = 1u << in->dst;
		break;
	case B2N_F_STX:
		u = (1u << in->dst) | (1u << in->src);
		break;
	case B2N_F_ATOMIC:
		u = (1u << in->dst) | (1u << in->src) | (f->op == B2N_ATOMIC_CMPXCHG ? 1 : 0);
		d = f->op == B2N_ATOMIC_CMPXCHG              ? 1
		    : (f->fetch || f->op == B2N_ATOMIC_XCHG) ? 1u << in->src
		                                             : 0;
		break;
	case B2N_F_LDDW:
		d = 1u << in->dst;
		break;
	case B2N_F_LDABS:
		u = (1u << 6) | (in->src ? 1u << in->src : 0), d = clob;
		break;
	default:
		break;
	}
	*use = u | (1u << 10);
	*def = d;
}

/* Registers whose value an instruction uses for a decision (a branch, an
 * address, a helper argument, a stored value that may come back) rather
 * than just passing it on: the seeds of precision. */
static unsigned precise_use(const struct b2n_insn *in, const struct b2n_form *f)
{
	switch (f->family) {
	case B2N_F_JCC:
		return (1u << in->dst) | (f->src_reg ? 1u << in->src : 0);
	case B2N_F_CALL:
	case B2N_F_CALL_LOCAL:
		return 0x3e;
	case B2N_F_CALLX:
		return 0x3e | (1u << in->dst);
	case B2N_F_LDX:
	case B2N_F_LDXSX:
		return 1u << in->src;
	case B2N_F_ST:
		return 1u << in->dst;
	case B2N_F_STX:
	case B2N_F_ATOMIC:
		return (1u << in->dst) | (1u << in->src) | (f->op == B2N_ATOMIC_CMPXCHG ? 1 : 0);
	case B2N_F_LDABS:
		return (1u << 6) | (in->src ? 1u << in->src : 0);
	default:
		return 0;
	}
}

/* live[i]: the registers read before being written on some path from i
 * within its function (a backward fixpoint over the instructions);
 * precise[i]: those whose value may reach a decision (precise_use), where
 * an ALU result's precision flows back to its operands.  A live scalar
 * that is not precise only carries data (a sum returned in r0): pruning
 * need not compare its value, as the kernel's precision tracking does. */
static void liveness(struct actx *a)
{
	size_t n = a->prog->ninsns;
	unsigned *use = b2n_xcalloc(n, sizeof(*use)), *def = b2n_xcalloc(n, sizeof(*def));
	for (size_t i = 0; i < n; i++) {
		use_def(&a->prog->insns[i], &a->form[i], &use[i], &def[i]);
		a->live[i] = use[i];
		if (a->form[i].slots == 2)
			i++;
	}
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = n; i-- > 0;) {
			const struct b2n_form *f = &a->form[i];
			if (i > 0 && a->form[i - 1].slots == 2)
				continue; /* the second slot of an lddw */
			unsigned out = 0;
			const struct b2n_insn *in = &a->prog->insns[i];
			if (f->family != B2N_F_EXIT && f->family != B2N_F_JA &&
			    i + (size_t)f->slots < n)
				out |= a->live[i + (size_t)f->slots];
			if (f->family == B2N_F_JA || f->family == B2N_F_JCC) {
				size_t t =
				    i + 1 +
				    (size_t)(int64_t)(f->family == B2N_F_JA && !f->is64 ? in->imm
				                                                        : in->off);
				if (t < n)
					out |= a->live[t];
			}
			unsigned l = use[i] | (out & ~def[i]);
			if (l != a->live[i]) {
				a->live[i] = l;
				changed = 1;
			}
		}
	}
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = n; i-- > 0;) {
			const struct b2n_form *f = &a->form[i];
			if (i > 0 && a->form[i - 1].slots == 2)
				continue;
			const struct b2n_insn *in = &a->prog->insns[i];
			unsigned out = 0;
			if (f->family != B2N_F_EXIT && f->family != B2N_F_JA &&
			    i + (size_t)f->slots < n)
				out |= a->precise[i + (size_t)f->slots];
			if (f->family == B2N_F_JA || f->family == B2N_F_JCC) {
				size_t t =
				    i + 1 +
				    (size_t)(int64_t)(f->family == B2N_F_JA && !f->is64 ? in->imm
				                                                        : in->off);
				if (t < n)
					out |= a->precise[t];
			}
			unsigned p = precise_use(in, f) | (out & ~def[i]);
			/* dst op= src: a precise result needs precise operands */
			if ((f->family == B2N_F_ALU || f->family == B2N_F_END) &&
			    (out >> in->dst & 1))
				p |= use[i];
			if (f->family == B2N_F_EXIT)
				p |= 1; /* a callback's r0 is checked */
			p &= a->live[i];
			/* stack slots: a reload whose value matters makes its slot
			 * matter before it; an 8-byte store at r10 ends that; a load
			 * through another base, or a call, may read any slot */
			uint64_t ps = 0;
			if (f->family != B2N_F_EXIT && f->family != B2N_F_JA &&
			    i + (size_t)f->slots < n)
				ps |= a->pslots[i + (size_t)f->slots];
			if (f->family == B2N_F_JA || f->family == B2N_F_JCC) {
				size_t t =
				    i + 1 +
				    (size_t)(int64_t)(f->family == B2N_F_JA && !f->is64 ? in->imm
				                                                        : in->off);
				if (t < n)
					ps |= a->pslots[t];
			}
			int st10 =
			    (f->family == B2N_F_ST || f->family == B2N_F_STX) && in->dst == 10;
			if (st10 && f->size == 8 && in->off < 0 && in->off >= -STACK &&
			    !(in->off % 8))
				ps &= ~(1ull << ((STACK + in->off) / 8));
			if ((f->family == B2N_F_LDX || f->family == B2N_F_LDXSX) &&
			    (out >> in->dst & 1)) {
				if (in->src == 10 && in->off < 0 && in->off >= -STACK)
					ps |= 1ull << ((STACK + in->off) / 8);
				else
					ps = ~0ull;
			}
			if (f->family == B2N_F_CALL_LOCAL || f->family == B2N_F_ATOMIC)
				ps = ~0ull;
			if (p != a->precise[i] || ps != a->pslots[i]) {
				a->precise[i] = p;
				a->pslots[i] = ps;
				changed = 1;
			}
		}
	}
	free(use);
	free(def);
}

/* ---- the walk ------------------------------------------------------------------------- */

/* ---- widening ------------------------------------------------------------------------ */

/* n := a register that holds both o and n, with moved bounds widened
 * (widen) or not (a plain join). */
static void reg_widen(struct actx *a, const struct reg *o, struct reg *n, int widen)
{
	if (n->type != o->type || (n->type != T_SCALAR && n->type != T_NONE &&
	                           (n->maybe_null != o->maybe_null || n->frame != o->frame ||
	                            n->map != o->map || n->ref != o->ref))) {
		/* cannot be both: any value, never a pointer (reads of a register
		 * unset on some path are verify.c's to refuse) */
		*n = o->type == T_OPAQUE || n->type == T_OPAQUE ? r_ptr(T_OPAQUE, 0) : r_unknown();
		return;
	}
	if (n->type == T_NONE || n->type == T_OPAQUE)
		return;
	if (n->type != T_SCALAR && n->off != o->off) {
		/* a fixed offset that moves becomes a variable one */
		struct b2n_scalar oo = b2n_scalar_const((uint64_t)(int64_t)o->off);
		struct b2n_scalar no = b2n_scalar_const((uint64_t)(int64_t)n->off);
		struct b2n_scalar ov = b2n_scalar_alu(B2N_ALU_ADD, 1, &o->v, &oo);
		struct b2n_scalar nv = b2n_scalar_alu(B2N_ALU_ADD, 1, &n->v, &no);
		n->v = widen ? b2n_scalar_widen(&ov, &nv) : b2n_scalar_join(&ov, &nv);
		n->off = 0;
	} else {
		n->v = widen ? b2n_scalar_widen(&o->v, &n->v) : b2n_scalar_join(&o->v, &n->v);
	}
	if (n->id != o->id) { /* another family: nothing proven carries over */
		n->id = ++a->next_id;
		if (n->type == T_PKT || n->type == T_PKT_META)
			n->range = 0;
	} else if (n->range > o->range) {
		n->range = o->range;
	}
}

/* st := a state that holds both old and st (loop heads after many
 * visits).  Returns -1 when their shapes differ (frames, references). */
static int widen_state(struct actx *a, const struct vstate *old, struct vstate *st, int widen)
{
	if (old->pkt_range < st->pkt_range)
		st->pkt_range = old->pkt_range;
	if (old->cur != st->cur || old->nrefs != st->nrefs ||
	    memcmp(old->refs, st->refs, sizeof(st->refs[0]) * (size_t)st->nrefs))
		return -1;
	for (int k = 0; k <= st->cur; k++)
		if (old->f[k]->callsite != st->f[k]->callsite ||
		    old->f[k]->callback != st->f[k]->callback)
			return -1;
	for (int k = 0; k <= st->cur; k++) {
		const struct frame *o = old->f[k];
		struct frame *f = st->f[k];
		for (int r = 0; r < NREG; r++)
			reg_widen(a, &o->r[r], &f->r[r], widen);
		for (int j = 0; j < STACK / 8; j++) {
			int both = o->stype[8 * j] == S_SPILL && f->stype[8 * j] == S_SPILL &&
			           !memcmp(o->stype + 8 * j, f->stype + 8 * j, 8);
			if (both) {
				reg_widen(a, &o->spill[j], &f->spill[j], widen);
				continue;
			}
			for (int b = 8 * j; b < 8 * j + 8; b++) {
				if (o->stype[b] == f->stype[b] && f->stype[b] != S_SPILL)
					continue;
				if (o->stype[b] == S_INVALID || f->stype[b] == S_INVALID)
					a->prog->funcs[f->func].reads_uninit_stack = 1;
				f->stype[b] = S_MISC;
			}
			for (int b = 8 * j; b < 8 * j + 8; b++) /* no half spills */
				if (f->stype[b] == S_SPILL)
					f->stype[b] = S_MISC;
		}
	}
	return 0;
}

/* Whether st is covered by a state already seen here; if not, keep it. */
static int seen(struct actx *a, struct vstate *st)
{
	struct kept *k = &a->kept[st->insn];
	for (int j = 0; j < k->n; j++)
		if (state_within(st, k->s[j], a->live[st->insn], a->precise[st->insn],
		                 a->pslots[st->insn]))
			return 1;
	/* A loop head seen many times: go on with a state that holds this one
	 * and the last kept one, bounds widened, so that the loop ends. */
	if (a->loophead[st->insn] && ++a->visits[st->insn] > WIDEN_AFTER &&
	    a->processed > WIDEN_BUDGET && k->n) {
		int last = k->n < MAX_KEPT ? k->n - 1 : (k->next + MAX_KEPT - 1) % MAX_KEPT;
		if (!widen_state(a, k->s[last], st, 1))
			for (int j = 0; j < k->n; j++)
				if (state_within(st, k->s[j], a->live[st->insn],
				                 a->precise[st->insn], a->pslots[st->insn]))
					return 1;
	}
	/* Many different states here (branchy straight-line code) once the
	 * walk is long: go on with one that also holds the last one kept,
	 * joined, instead of another path of its own, so that the walk stays
	 * about linear. */
	if (k->n == MAX_KEPT && a->processed > WIDEN_BUDGET) {
		int last = (k->next + MAX_KEPT - 1) % MAX_KEPT;
		if (!widen_state(a, k->s[last], st, 0))
			for (int j = 0; j < k->n; j++)
				if (state_within(st, k->s[j], a->live[st->insn],
				                 a->precise[st->insn], a->pslots[st->insn]))
					return 1;
	}
	if (a->nkept >= MAX_KEPT_ALL && k->n)
		return 0; /* memory bound: prune only against what is kept */
	if (!k->s)
		k->s = b2n_xcalloc(MAX_KEPT, sizeof(*k->s));
	if (k->n < MAX_KEPT) {
		a->nkept++;
		k->s[k->n++] = state_dup(st);
	} else { /* replace the oldest */
		state_free(k->s[k->next]);
		k->s[k->next] = state_dup(st);
		k->next = (k->next + 1) % MAX_KEPT;
	}
	return 0;
}

static struct vstate *initial(struct actx *a)
{
	struct vstate *st = b2n_xcalloc(1, sizeof(*st));
	struct frame *f = b2n_xcalloc(1, sizeof(*f));
	for (int r = 0; r < NREG; r++)
		f->r[r] = a->opts && a->opts->allow_uninit ? r_const(0) : r_none();
	f->r[1] = r_ptr(a->prog->type ? T_CTX : T_OPAQUE, 0);
	if (a->opts && a->opts->entry_args >= 2)
		f->r[2] = r_unknown();
	f->r[10] = r_ptr(T_STACK, 0);
	st->f[0] = f;
	return st;
}

int b2n_prog__safety(const struct b2n_input *obj, struct b2n_prog *prog,
                     const struct b2n_verify_opts *opts)
{
	struct actx a;
	memset(&a, 0, sizeof(a));
	a.obj = obj;
	a.prog = prog;
	a.opts = opts;
	size_t n = prog->ninsns;
	a.form = b2n_xcalloc(n, sizeof(*a.form));
	a.prune = b2n_xcalloc(n + 1, 1);
	a.loophead = b2n_xcalloc(n + 1, 1);
	a.visits = b2n_xcalloc(n + 1, sizeof(*a.visits));
	a.live = b2n_xcalloc(n + 1, sizeof(*a.live));
	a.precise = b2n_xcalloc(n + 1, sizeof(*a.precise));
	a.pslots = b2n_xcalloc(n + 1, sizeof(*a.pslots));
	a.kept = b2n_xcalloc(n + 1, sizeof(*a.kept));
	a.func_of = b2n_xcalloc(n + 1, sizeof(*a.func_of));
	for (size_t k = 0; k < prog->nfuncs; k++) {
		prog->funcs[k].reads_uninit_stack = 0;
		for (size_t j = prog->funcs[k].start; j < prog->funcs[k].end && j < n; j++)
			a.func_of[j] = (int)k;
	}
	for (size_t i = 0; i < n; i++) {
		if (b2n_isa_classify(&prog->insns[i], &a.form[i]))
			abort(); /* checked */
		const struct b2n_form *f = &a.form[i];
		if (f->family == B2N_F_JCC || f->family == B2N_F_JA) {
			size_t t = i + 1 +
			           (size_t)(int64_t)(f->family == B2N_F_JA && !f->is64
			                                 ? prog->insns[i].imm
			                                 : prog->insns[i].off);
			if (t < n)
				a.prune[t] = 1;
			if (t <= i)
				a.loophead[t] = 1;
			if (f->family == B2N_F_JCC && i + 1 < n)
				a.prune[i + 1] = 1;
		}
		if (f->slots == 2)
			i++;
	}
	liveness(&a);
	/* the kernel's 1M instructions of walk; a program that is itself
	 * larger (bpf2native takes up to millions) gets 8 per instruction */
	uint64_t limit = MAX_PROCESSED > 8 * (uint64_t)n ? MAX_PROCESSED : 8 * (uint64_t)n;
	int err = 0;
	push(&a, initial(&a));
	while (!err && a.nstack) {
		struct vstate *st = a.stack[--a.nstack];
		for (;;) {
			if (st->insn >= n) {
				err = DIAG(&a, n - 1, "jump out of range");
				break;
			}
			if (a.prune[st->insn] && seen(&a, st))
				break;
			if (++a.processed > limit) {
				err = DIAG(&a, st->insn,
				           "BPF program is too large. Processed %" PRIu64 " insn",
				           limit + 1);
				break;
			}
			int r = step(&a, st);
			if (r < 0) {
				err = r;
				break;
			}
			if (r == 1)
				break;
		}
		state_free(st);
	}
	while (a.nstack)
		state_free(a.stack[--a.nstack]);
	free(a.stack);
	for (size_t i = 0; i <= n; i++) {
		for (int j = 0; j < a.kept[i].n; j++)
			state_free(a.kept[i].s[j]);
		free(a.kept[i].s);
	}
	free(a.kept);
	free(a.prune);
	free(a.loophead);
	free(a.visits);
	free(a.live);
	free(a.precise);
	free(a.pslots);
	free(a.form);
	free(a.func_of);
	return err ? -EACCES : 0;
}
