/*
 * ctx.c - the context pass: which values are the ctx pointer, which ctx
 * accesses the program type allows, and their rewrite against the native
 * layouts of <bpf2native/ctx.h> (the kernel's convert_ctx_accesses).
 *
 * Approach.  A small forward dataflow per function over its basic blocks,
 * on the eleven registers and the 64 eight-byte stack slots.  A value is
 * one of: none (never written on any path so far: the identity of join),
 * ctx + k (k = 0 is the unmodified pointer; "var" when k is unknown), fp
 * + k (so that a spill to [r10-8] and its fill are followed), a function
 * (lddw of a subprogram, for bpf_loop callbacks), other (anything that is
 * not the ctx), and mixed: ctx on one path and something else on another.
 * Calls are interprocedural through per-function summaries: which value
 * each argument register r1..r5 receives (joined over the call sites, and
 * over bpf_loop / bpf_for_each_map_elem calls for their callbacks, whose
 * ctx argument is the caller's r3), and what the function returns in r0.
 * All functions are analysed again until no summary changes (the lattice
 * is small, so this ends quickly).  Then one last walk over every block
 * checks each load, store and atomic whose base may be the ctx:
 *  - mixed, modified (ctx + k, k != 0) or variable ctx: refused;
 *  - atomics into the ctx: refused, as the kernel does (BPF_ST is an
 *    ordinary write since Linux 6.3); a spilled ctx filled partially:
 *    refused;
 *  - the access must be allowed for the program type, as the kernel's
 *    xdp_is_valid_access, sk_filter_is_valid_access,
 *    tc_cls_act_is_valid_access and bpf_skb_is_valid_access decide
 *    (field, read or write, size, alignment, bounds; narrow loads of the
 *    scalar fields, but data/data_end/data_meta only as whole u32 loads);
 *  - a load of data, data_end or data_meta becomes an 8-byte load of the
 *    real pointer at B2N_*_PTR_OFF.  Every other field keeps its offset
 *    and size (the native context starts with the UAPI struct).
 * LD_ABS/LD_IND need r6 = the unmodified ctx, as in the kernel.
 *
 * Known limits (the kernel is path-sensitive, this is not): a register
 * that is the ctx on one path and, say, NULL on another is "mixed" at the
 * join, so dereferencing it after a null check is refused although the
 * kernel accepts it; values a callee writes through a pointer into its
 * caller's stack are not followed (such a slot keeps its old value).
 * Every refusal is one b2n_diag line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/ctx.h>

#include "frontend.h"

#define NREG 11
#define NSLOT (B2N_STACK_SIZE / 8)
#define HELPER_FOR_EACH_MAP_ELEM 164
#define HELPER_LOOP 181

/* ---- program types ------------------------------------------------------ */

/* libbpf's sec_def_matches: "name" exactly, or "name/..." when the
 * definition takes extras ("name+"). */
static int sec_is(const char *sec, const char *name, int extras)
{
	size_t n = strlen(name);
	if (strncmp(sec, name, n))
		return 0;
	return sec[n] == 0 || (extras && sec[n] == '/');
}

uint32_t b2n_prog_type_of_section(const char *sec)
{
	if (!sec)
		return B2N_PROG_UNSPEC;
	if (sec_is(sec, "xdp", 1) || sec_is(sec, "xdp.frags", 1))
		return B2N_PROG_XDP;
	if (sec_is(sec, "tc", 1) || sec_is(sec, "tcx", 1) || sec_is(sec, "classifier", 1))
		return B2N_PROG_SCHED_CLS;
	if (sec_is(sec, "action", 1))
		return B2N_PROG_SCHED_ACT;
	if (sec_is(sec, "socket", 1))
		return B2N_PROG_SOCKET_FILTER;
	return B2N_PROG_UNSPEC;
}

int b2n_prog_type_by_name(const char *name, uint32_t *type)
{
	static const struct {
		const char *name;
		uint32_t type;
	} names[] = {
		{"none", B2N_PROG_UNSPEC},          {"xdp", B2N_PROG_XDP},
		{"tc", B2N_PROG_SCHED_CLS},         {"sched_cls", B2N_PROG_SCHED_CLS},
		{"sched_act", B2N_PROG_SCHED_ACT},  {"socket", B2N_PROG_SOCKET_FILTER},
		{"socket_filter", B2N_PROG_SOCKET_FILTER},
	};
	for (size_t i = 0; i < B2N_ARRAY_LEN(names); i++)
		if (!strcmp(name, names[i].name)) {
			*type = names[i].type;
			return 0;
		}
	return -EINVAL;
}

int b2n_prog_type_has_skb(uint32_t type)
{
	return type == B2N_PROG_SOCKET_FILTER || type == B2N_PROG_SCHED_CLS ||
	       type == B2N_PROG_SCHED_ACT;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case B2N_PROG_XDP:
		return "an XDP";
	case B2N_PROG_SCHED_CLS:
		return "a tc";
	case B2N_PROG_SCHED_ACT:
		return "a tc action";
	case B2N_PROG_SOCKET_FILTER:
		return "a socket filter";
	default:
		return "this";
	}
}

/* ---- which ctx accesses a program type allows --------------------------- */

struct field {
	int off, size;
	const char *name;
};

static const struct field xdp_fields[] = {
	{0, 4, "data"},         {4, 4, "data_end"},        {8, 4, "data_meta"},
	{12, 4, "ingress_ifindex"}, {16, 4, "rx_queue_index"}, {20, 4, "egress_ifindex"},
};

static const struct field skb_fields[] = {
	{0, 4, "len"},           {4, 4, "pkt_type"},       {8, 4, "mark"},
	{12, 4, "queue_mapping"}, {16, 4, "protocol"},      {20, 4, "vlan_present"},
	{24, 4, "vlan_tci"},     {28, 4, "vlan_proto"},    {32, 4, "priority"},
	{36, 4, "ingress_ifindex"}, {40, 4, "ifindex"},    {44, 4, "tc_index"},
	{48, 20, "cb"},          {68, 4, "hash"},          {72, 4, "tc_classid"},
	{76, 4, "data"},         {80, 4, "data_end"},      {84, 4, "napi_id"},
	{88, 4, "family"},       {92, 4, "remote_ip4"},    {96, 4, "local_ip4"},
	{100, 16, "remote_ip6"}, {116, 16, "local_ip6"},   {132, 4, "remote_port"},
	{136, 4, "local_port"},  {140, 4, "data_meta"},    {144, 8, "flow_keys"},
	{152, 8, "tstamp"},      {160, 4, "wire_len"},     {164, 4, "gso_segs"},
	{168, 8, "sk"},          {176, 4, "gso_size"},     {180, 1, "tstamp_type"},
	{181, 3, "padding"},     {184, 8, "hwtstamp"},
};

static const char *field_name(const struct field *t, size_t n, int off)
{
	for (size_t i = 0; i < n; i++)
		if (off >= t[i].off && off < t[i].off + t[i].size)
			return t[i].name;
	return NULL;
}

#define IN(off, a, b) ((off) >= (a) && (off) <= (b))

/* xdp_is_valid_access + __is_valid_xdp_access.  Returns NULL when valid,
 * else why not; *ptr_off is the native offset of a pointer field, or 0. */
static const char *xdp_access(const struct b2n_prog *p, int off, int size, int write,
                              int *ptr_off)
{
	int devmap = p->section && (!strncmp(p->section, "xdp/devmap", 10) ||
	                            !strncmp(p->section, "xdp.frags/devmap", 16));
	if (off == 20 && !devmap)
		return "egress_ifindex is only readable by devmap programs (section xdp/devmap)";
	if (write)
		return "struct xdp_md is read-only";
	if (off < 0 || off >= B2N_XDP_UAPI_SIZE)
		return "outside struct xdp_md (24 bytes)";
	if (off % size)
		return "misaligned";
	if (size != 4)
		return "xdp_md fields are only read as whole 32-bit words";
	*ptr_off = off == 0 ? B2N_XDP_DATA_PTR_OFF
	         : off == 4 ? B2N_XDP_DATA_END_PTR_OFF
	         : off == 8 ? B2N_XDP_DATA_META_PTR_OFF
	                    : 0;
	return NULL;
}

/* bpf_skb_is_valid_access: the checks every __sk_buff program type shares. */
static const char *skb_access(int off, int size, int write, int *ptr_off)
{
	if (off < 0 || off >= B2N_SKB_UAPI_SIZE)
		return "outside struct __sk_buff (192 bytes)";
	if (off % size)
		return "misaligned";
	if (IN(off, 48, 67)) { /* cb[0..4]: any size inside */
		if (off + size > 68)
			return "goes past cb[4]";
	} else if (IN(off, 76, 83) || IN(off, 140, 143) || IN(off, 92, 131)) {
		if (size != 4)
			return write ? "not writable" : "only read as a whole 32-bit word";
	} else if (IN(off, 144, 151)) {
		return "flow_keys is only for flow dissector programs";
	} else if (IN(off, 184, 191)) {
		if (write || size != 8)
			return write ? "hwtstamp is read-only" : "hwtstamp is read as a __u64";
	} else if (IN(off, 152, 159)) {
		if (size != 8)
			return "tstamp is accessed as a __u64";
	} else if (off == 168) {
		if (write || size != 8)
			return write ? "sk is read-only" : "sk is read as a 64-bit pointer";
	} else if (IN(off, 169, 175)) {
		return "inside the sk pointer";
	} else if (off == 180) {
		return "tstamp_type is only readable by tc programs";
	} else if (IN(off, 181, 183)) {
		return "padding";
	} else if (write) {
		if (size != 4)
			return "fields are written as whole 32-bit words";
	} else if (size > 4) {
		return "wider than the field (narrow loads are fine, wider ones are not)";
	}
	*ptr_off = off == 76 ? B2N_SKB_DATA_PTR_OFF
	         : off == 80 ? B2N_SKB_DATA_END_PTR_OFF
	         : off == 140 ? B2N_SKB_DATA_META_PTR_OFF
	                      : 0;
	return NULL;
}

/* sk_filter_is_valid_access */
static const char *socket_access(int off, int size, int write, int *ptr_off)
{
	if (IN(off, 72, 83) || IN(off, 140, 143) || IN(off, 88, 139) || IN(off, 152, 163) ||
	    IN(off, 184, 191))
		return "not accessible from socket filters";
	if (write && !IN(off, 48, 67))
		return "socket filters may only write cb[]";
	return skb_access(off, size, write, ptr_off);
}

/* tc_cls_act_is_valid_access */
static const char *tc_access(int off, int size, int write, int *ptr_off)
{
	if (write && !(IN(off, 8, 15) || IN(off, 44, 47) || IN(off, 32, 35) ||
	               IN(off, 72, 75) || IN(off, 48, 67) || IN(off, 152, 159)))
		return "not writable by tc programs (mark, priority, queue_mapping, tc_index, "
		       "tc_classid, cb[] and tstamp are)";
	if (IN(off, 88, 139))
		return "socket fields are not accessible from tc programs";
	if (off == 180)
		return size == 1 ? NULL : "tstamp_type is read as a __u8";
	return skb_access(off, size, write, ptr_off);
}

/* ---- values ------------------------------------------------------------- */

/* K_PFP: a pointer into a caller's frame, passed as an argument (the
 * caller's r10 + off); loads through it read the summary's oslots. */
enum kind { K_NONE, K_CTX, K_FP, K_PFP, K_FUNC, K_OTHER, K_MIXED };

struct cval {
	uint8_t kind;
	uint8_t var; /* K_CTX / K_FP: unknown offset */
	uint16_t pad;
	int32_t off; /* K_CTX / K_FP: offset; K_FUNC: function index */
};

struct cstate {
	struct cval r[NREG];
	struct cval s[NSLOT];
};

static const struct cval V_NONE = {K_NONE, 0, 0, 0};
static const struct cval V_OTHER = {K_OTHER, 0, 0, 0};
static const struct cval V_MIXED = {K_MIXED, 0, 0, 0};

static int same(struct cval a, struct cval b)
{
	return a.kind == b.kind && a.var == b.var && a.off == b.off;
}

static struct cval join(struct cval a, struct cval b)
{
	if (a.kind == K_NONE)
		return b;
	if (b.kind == K_NONE || same(a, b))
		return a;
	if (a.kind == K_MIXED || b.kind == K_MIXED || (a.kind == K_CTX) != (b.kind == K_CTX))
		return V_MIXED;
	if (a.kind == b.kind && (a.kind == K_CTX || a.kind == K_FP || a.kind == K_PFP))
		return (struct cval){a.kind, 1, 0, 0};
	return V_OTHER;
}

/* ---- the pass ----------------------------------------------------------- */

struct summary {
	struct cval arg[6];         /* r1..r5 at entry */
	struct cval ret;            /* r0 at exit */
	struct cval oslots[NSLOT];  /* the caller's frame that K_PFP points into */
};

struct cpass {
	const struct b2n_input *obj;
	struct b2n_prog *prog;
	struct b2n_form *form;
	unsigned char *second;
	int *func_of;
	int *leader;            /* per insn: index into states, or -1 */
	struct cstate *states;  /* in-state per leader */
	unsigned char *seen;    /* per leader: state valid */
	unsigned char *queued;
	size_t *work;
	struct summary *sum;
	int changed;            /* a summary grew */
	size_t cur;             /* function being analysed */
};

static void join_into(struct cpass *cp, struct cval *dst, struct cval v)
{
	struct cval j = join(*dst, v);
	if (!same(j, *dst)) {
		*dst = j;
		cp->changed = 1;
	}
}

static int slot_of(struct cval base, int16_t off, int size, int *slot)
{
	if ((base.kind != K_FP && base.kind != K_PFP) || base.var)
		return -1;
	int64_t a = (int64_t)base.off + off;
	if (a < -B2N_STACK_SIZE || a + size > 0)
		return -1;
	*slot = (int)((a + B2N_STACK_SIZE) / 8);
	return (a % 8 == 0 && size == 8) ? 1 : 0; /* 1: a whole slot */
}

/* A store of v (size bytes) at base+off: a whole aligned slot takes the
 * value, a narrower or misaligned store makes the slots it touches other,
 * a store through an unknown stack pointer makes every slot other. */
static void store_slot(struct cstate *st, struct cval base, int16_t off, int size, struct cval v)
{
	int slot;
	int r = slot_of(base, off, size, &slot);
	if (r == 1) {
		st->s[slot] = v;
	} else if (r == 0) {
		int64_t a = (int64_t)base.off + off + B2N_STACK_SIZE;
		for (int64_t k = a / 8; k <= (a + size - 1) / 8 && k < NSLOT; k++)
			st->s[k] = V_OTHER;
	} else if (base.kind == K_FP) {
		for (int k = 0; k < NSLOT; k++)
			st->s[k] = V_OTHER;
	}
}

/* Argument v of a call from a state st into callee summary `to`: a
 * pointer into the caller's frame becomes K_PFP, and the slots it points
 * at (the caller's, or what the caller knows of its own caller's) are
 * joined into the callee's view. */
static void pass_arg(struct cpass *cp, struct summary *to, int r, struct cval v,
                     const struct cstate *st)
{
	const struct cval *slots = NULL;
	if (v.kind == K_FP) {
		v.kind = K_PFP;
		slots = st->s;
	} else if (v.kind == K_PFP) {
		slots = cp->sum[cp->cur].oslots;
	}
	join_into(cp, &to->arg[r], v);
	if (slots)
		for (int k = 0; k < NSLOT; k++)
			join_into(cp, &to->oslots[k], slots[k]);
}

static int check_access(struct cpass *cp, struct cstate *st, size_t i, int base_reg)
{
	struct b2n_insn *in = &cp->prog->insns[i];
	const struct b2n_form *f = &cp->form[i];
	struct cval v = st->r[base_reg];
	const char *why;
	int ptr_off = 0, write = f->family != B2N_F_LDX && f->family != B2N_F_LDXSX;

	if (v.kind == K_MIXED) {
		b2n_diag(cp->obj, cp->prog, i,
		         "same insn cannot be used with different pointers (R%d is the ctx on one "
		         "path and another value on another)",
		         base_reg);
		return -EINVAL;
	}
	if (v.kind != K_CTX)
		return 0;
	if (v.var) {
		b2n_diag(cp->obj, cp->prog, i,
		         "variable ctx access disallowed (R%d is the ctx plus an unknown offset)",
		         base_reg);
		return -EINVAL;
	}
	if (v.off < 0) {
		b2n_diag(cp->obj, cp->prog, i, "negative offset ctx ptr R%d off=%d disallowed",
		         base_reg, (int)v.off);
		return -EINVAL;
	}
	if (v.off) {
		b2n_diag(cp->obj, cp->prog, i,
		         "dereference of modified ctx ptr R%d off=%d disallowed (use the field "
		         "offset in the instruction instead)",
		         base_reg, (int)v.off);
		return -EINVAL;
	}
	/* BPF_ST into the ctx is an ordinary write since Linux 6.3 (commit
	 * "bpf: allow ctx writes using BPF_ST_MEM instruction"). */
	if (f->family == B2N_F_ATOMIC) {
		b2n_diag(cp->obj, cp->prog, i, "BPF_ATOMIC stores into R%d ctx is not allowed",
		         base_reg);
		return -EINVAL;
	}
	uint32_t type = cp->prog->type;
	if (type == B2N_PROG_XDP)
		why = xdp_access(cp->prog, in->off, f->size, write, &ptr_off);
	else if (type == B2N_PROG_SOCKET_FILTER)
		why = socket_access(in->off, f->size, write, &ptr_off);
	else
		why = tc_access(in->off, f->size, write, &ptr_off);
	if (!why && ptr_off && f->family == B2N_F_LDXSX)
		why = "a packet pointer field cannot be loaded sign-extended";
	if (why) {
		const char *fname =
			type == B2N_PROG_XDP
				? field_name(xdp_fields, B2N_ARRAY_LEN(xdp_fields), in->off)
				: field_name(skb_fields, B2N_ARRAY_LEN(skb_fields), in->off);
		b2n_diag(cp->obj, cp->prog, i,
		         "invalid bpf_context access off=%d size=%d (%s of %s%s%s in %s "
		         "program: %s)",
		         in->off, f->size, write ? "write" : "read",
		         type == B2N_PROG_XDP ? "xdp_md" : "__sk_buff", fname ? "." : "",
		         fname ? fname : "", type_name(type), why);
		return -EINVAL;
	}
	if (ptr_off) { /* convert_ctx_access: the real pointer */
		in->code = B2N_CLS_LDX | B2N_MODE_MEM | 0x18;
		in->off = (int16_t)ptr_off;
	}
	return 0;
}

/* A spilled ctx pointer may only be filled whole (the kernel's "invalid
 * size of register fill"). */
static int check_fill(struct cpass *cp, const struct cstate *st, size_t i)
{
	const struct b2n_insn *in = &cp->prog->insns[i];
	struct cval b = st->r[in->src];
	int size = cp->form[i].size, slot;
	if (cp->form[i].family == B2N_F_LDX && slot_of(b, in->off, size, &slot) == 1)
		return 0;
	if ((b.kind != K_FP && b.kind != K_PFP) || b.var)
		return 0;
	int64_t a = (int64_t)b.off + in->off + B2N_STACK_SIZE;
	for (int64_t k = a / 8; k >= 0 && k <= (a + size - 1) / 8 && k < NSLOT; k++) {
		struct cval v = b.kind == K_FP ? st->s[k] : cp->sum[cp->cur].oslots[k];
		if (v.kind == K_CTX || v.kind == K_MIXED) {
			b2n_diag(cp->obj, cp->prog, i,
			         "invalid size of register fill (a spilled ctx pointer is read "
			         "with a %d-byte%s load)",
			         size, cp->form[i].family == B2N_F_LDXSX ? " sign-extending" : "");
			return -EINVAL;
		}
	}
	return 0;
}

/* Transfer function of instruction i; in the final walk (check) also the
 * checks and rewrites. */
static int transfer(struct cpass *cp, struct cstate *st, size_t i, int check)
{
	const struct b2n_insn *in = &cp->prog->insns[i];
	const struct b2n_form *f = &cp->form[i];
	struct cval *dst = &st->r[in->dst];
	int err;

	switch (f->family) {
	case B2N_F_ALU: {
		struct cval s = f->src_reg ? st->r[in->src] : V_OTHER;
		if (f->op == B2N_ALU_MOV) {
			*dst = f->is64 ? s : V_OTHER;
		} else if (f->op == B2N_ALU_MOVSX8 || f->op == B2N_ALU_MOVSX16 ||
		           f->op == B2N_ALU_MOVSX32) {
			*dst = V_OTHER;
		} else if (dst->kind == K_MIXED || (f->src_reg && f->op == B2N_ALU_ADD &&
		                                    s.kind == K_MIXED)) {
			*dst = V_MIXED;
		} else if ((dst->kind == K_CTX || dst->kind == K_FP) && f->is64 && !f->src_reg &&
		           (f->op == B2N_ALU_ADD || f->op == B2N_ALU_SUB)) {
			int64_t o = (int64_t)dst->off + (f->op == B2N_ALU_ADD ? in->imm : -(int64_t)in->imm);
			if (o < -(1 << 20) || o > (1 << 20))
				dst->var = 1, dst->off = 0;
			else
				dst->off = (int32_t)o;
		} else if (dst->kind == K_CTX) {
			dst->var = 1, dst->off = 0; /* modified ctx */
		} else if (f->is64 && f->op == B2N_ALU_ADD && f->src_reg && s.kind == K_CTX) {
			*dst = (struct cval){K_CTX, 1, 0, 0}; /* scalar += ctx */
		} else if (dst->kind == K_FP && f->is64 &&
		           (f->op == B2N_ALU_ADD || f->op == B2N_ALU_SUB) && s.kind != K_FP) {
			dst->var = 1, dst->off = 0;
		} else {
			*dst = V_OTHER;
		}
		return 0;
	}
	case B2N_F_END:
		if (dst->kind == K_CTX)
			dst->var = 1, dst->off = 0;
		else if (dst->kind != K_MIXED)
			*dst = V_OTHER;
		return 0;
	case B2N_F_LDX:
	case B2N_F_LDXSX: {
		int slot;
		if (check && (err = check_access(cp, st, i, in->src)))
			return err;
		if (check && (err = check_fill(cp, st, i)))
			return err;
		if (f->family == B2N_F_LDX && slot_of(st->r[in->src], in->off, f->size, &slot) == 1)
			*dst = st->r[in->src].kind == K_FP ? st->s[slot] : cp->sum[cp->cur].oslots[slot];
		else
			*dst = V_OTHER;
		return 0;
	}
	case B2N_F_ST:
	case B2N_F_STX:
		if (check && (err = check_access(cp, st, i, in->dst)))
			return err;
		store_slot(st, *dst, in->off, f->size,
		           f->family == B2N_F_STX ? st->r[in->src] : V_OTHER);
		return 0;
	case B2N_F_ATOMIC:
		if (check && (err = check_access(cp, st, i, in->dst)))
			return err;
		store_slot(st, *dst, in->off, f->size, V_OTHER);
		if (f->op == B2N_ATOMIC_CMPXCHG)
			st->r[0] = V_OTHER;
		else if (f->fetch || f->op == B2N_ATOMIC_XCHG)
			st->r[in->src] = V_OTHER;
		return 0;
	case B2N_F_LDDW:
		if (in->src == B2N_PSEUDO_FUNC)
			*dst = (struct cval){K_FUNC, 0, 0, cp->func_of[i + 1 + in->imm]};
		else
			*dst = V_OTHER;
		return 0;
	case B2N_F_CALL:
		if ((in->imm == HELPER_LOOP || in->imm == HELPER_FOR_EACH_MAP_ELEM) &&
		    st->r[2].kind == K_FUNC) {
			/* callback(index, ctx) / callback(map, key, value, ctx) */
			struct summary *cb = &cp->sum[st->r[2].off];
			int ctx_arg = in->imm == HELPER_LOOP ? 2 : 4;
			for (int r = 1; r <= ctx_arg; r++)
				pass_arg(cp, cb, r, r == ctx_arg ? st->r[3] : V_OTHER, st);
		}
		/* fall through */
	case B2N_F_CALLX:
		st->r[0] = V_OTHER;
		for (int r = 1; r <= 5; r++)
			st->r[r] = V_NONE;
		return 0;
	case B2N_F_CALL_LOCAL: {
		struct summary *callee = &cp->sum[cp->func_of[i + 1 + in->imm]];
		for (int r = 1; r <= 5; r++)
			pass_arg(cp, callee, r, st->r[r], st);
		st->r[0] = callee->ret.kind == K_FP || callee->ret.kind == K_PFP ? V_OTHER : callee->ret;
		for (int r = 1; r <= 5; r++)
			st->r[r] = V_NONE;
		return 0;
	}
	case B2N_F_EXIT:
		join_into(cp, &cp->sum[cp->cur].ret, st->r[0]);
		return 0;
	case B2N_F_LDABS: {
		struct cval c = st->r[6];
		if (check && (c.kind != K_CTX || c.var || c.off)) {
			b2n_diag(cp->obj, cp->prog, i,
			         "at the time of BPF_LD_ABS|IND R6 != pointer to skb (R6 must hold "
			         "the program's ctx)");
			return -EINVAL;
		}
		st->r[0] = V_OTHER;
		for (int r = 1; r <= 5; r++)
			st->r[r] = V_NONE;
		return 0;
	}
	default:
		return 0;
	}
}

static int ends_block(const struct b2n_form *f)
{
	return f->family == B2N_F_JA || f->family == B2N_F_JCC || f->family == B2N_F_EXIT;
}

static void push(struct cpass *cp, size_t *nwork, size_t i, const struct cstate *st)
{
	int k = cp->leader[i];
	struct cstate *in = &cp->states[k];
	int changed = 0;
	if (!cp->seen[k]) {
		*in = *st;
		cp->seen[k] = 1;
		changed = 1;
	} else {
		for (int r = 0; r < NREG; r++) {
			struct cval j = join(in->r[r], st->r[r]);
			changed |= !same(j, in->r[r]);
			in->r[r] = j;
		}
		for (int s = 0; s < NSLOT; s++) {
			struct cval j = join(in->s[s], st->s[s]);
			changed |= !same(j, in->s[s]);
			in->s[s] = j;
		}
	}
	if (changed && !cp->queued[k]) {
		cp->queued[k] = 1;
		cp->work[(*nwork)++] = i;
	}
}

/* Walk the block at leader b from its in-state; queue its successors. */
static int walk_block(struct cpass *cp, size_t b, size_t end, size_t *nwork, int check)
{
	struct cstate st = cp->states[cp->leader[b]];
	const struct b2n_insn *insns = cp->prog->insns;
	for (size_t i = b; i < end;) {
		const struct b2n_form *f = &cp->form[i];
		int err = transfer(cp, &st, i, check);
		if (err)
			return err;
		size_t next = i + (size_t)f->slots;
		if (f->family == B2N_F_EXIT)
			return 0;
		if (f->family == B2N_F_JA) {
			if (!check)
				push(cp, nwork, i + 1 + (size_t)(f->is64 ? insns[i].off : insns[i].imm),
				     &st);
			return 0;
		}
		if (f->family == B2N_F_JCC && !check)
			push(cp, nwork, i + 1 + (size_t)insns[i].off, &st);
		if (next >= end)
			return 0; /* the checker forbids falling off a function */
		if (cp->leader[next] >= 0) {
			if (!check)
				push(cp, nwork, next, &st);
			return 0;
		}
		i = next;
	}
	return 0;
}

static int analyse(struct cpass *cp, size_t k, int check)
{
	const struct b2n_func *fn = &cp->prog->funcs[k];
	size_t nwork = 0;
	struct cstate entry;

	cp->cur = k;
	for (size_t i = fn->start; i < fn->end; i++)
		if (cp->leader[i] >= 0)
			cp->seen[cp->leader[i]] = cp->queued[cp->leader[i]] = 0;
	for (int r = 0; r < NREG; r++)
		entry.r[r] = r >= 1 && r <= 5 ? cp->sum[k].arg[r] : V_NONE;
	entry.r[10] = (struct cval){K_FP, 0, 0, 0};
	for (int s = 0; s < NSLOT; s++)
		entry.s[s] = V_NONE;
	push(cp, &nwork, fn->start, &entry);
	while (nwork) {
		size_t b = cp->work[--nwork];
		cp->queued[cp->leader[b]] = 0;
		walk_block(cp, b, fn->end, &nwork, 0);
	}
	if (!check)
		return 0;
	for (size_t i = fn->start; i < fn->end; i++)
		if (cp->leader[i] >= 0 && cp->seen[cp->leader[i]]) {
			int err = walk_block(cp, i, fn->end, &nwork, 1);
			if (err)
				return err;
		}
	return 0;
}

int b2n_prog__ctx(const struct b2n_input *obj, struct b2n_prog *prog)
{
	struct cpass cp = {.obj = obj, .prog = prog};
	size_t n = prog->ninsns, nleaders = 0;
	int err = 0;

	if (!prog->type || !prog->nfuncs)
		return 0;
	cp.form = b2n_xcalloc(n, sizeof(*cp.form));
	cp.second = b2n_xcalloc(n, 1);
	cp.func_of = b2n_xcalloc(n, sizeof(*cp.func_of));
	cp.leader = b2n_xcalloc(n, sizeof(*cp.leader));
	cp.sum = b2n_xcalloc(prog->nfuncs, sizeof(*cp.sum));
	for (size_t i = 0; i < n; i++) {
		b2n_isa_classify(&prog->insns[i], &cp.form[i]);
		cp.leader[i] = -1;
		if (cp.form[i].family == B2N_F_LDDW && i + 1 < n) {
			cp.second[i + 1] = 1;
			cp.form[i + 1] = cp.form[i];
		}
	}
	for (size_t k = 0; k < prog->nfuncs; k++)
		for (size_t i = prog->funcs[k].start; i < prog->funcs[k].end; i++)
			cp.func_of[i] = (int)k;
	/* Leaders: function starts, jump targets, instructions after a jump
	 * or exit. */
	unsigned char *lead = b2n_xcalloc(n + 1, 1);
	for (size_t k = 0; k < prog->nfuncs; k++)
		lead[prog->funcs[k].start] = 1;
	for (size_t i = 0; i < n; i++) {
		const struct b2n_form *f = &cp.form[i];
		if (cp.second[i])
			continue;
		if (f->family == B2N_F_JA)
			lead[i + 1 + (size_t)(f->is64 ? prog->insns[i].off : prog->insns[i].imm)] = 1;
		else if (f->family == B2N_F_JCC)
			lead[i + 1 + (size_t)prog->insns[i].off] = 1;
		if (ends_block(f))
			lead[i + 1] = 1;
	}
	for (size_t i = 0; i < n; i++)
		if (lead[i] && !cp.second[i])
			cp.leader[i] = (int)nleaders++;
	free(lead);
	cp.states = b2n_xcalloc(nleaders, sizeof(*cp.states));
	cp.seen = b2n_xcalloc(nleaders, 1);
	cp.queued = b2n_xcalloc(nleaders, 1);
	cp.work = b2n_xcalloc(nleaders + 1, sizeof(*cp.work));

	cp.sum[0].arg[1] = (struct cval){K_CTX, 0, 0, 0};
	/* Interprocedural fixpoint: summaries only grow in a finite lattice. */
	do {
		cp.changed = 0;
		for (size_t k = 0; k < prog->nfuncs; k++)
			analyse(&cp, k, 0);
	} while (cp.changed);
	for (size_t k = 0; k < prog->nfuncs && !err; k++)
		err = analyse(&cp, k, 1);

	free(cp.form);
	free(cp.second);
	free(cp.func_of);
	free(cp.leader);
	free(cp.sum);
	free(cp.states);
	free(cp.seen);
	free(cp.queued);
	free(cp.work);
	return err;
}
