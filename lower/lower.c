/*
 * lower.c - BPF instructions to LLVM IR.
 *
 * Every BPF function of a program (the entry and each local-call target)
 * becomes one internal LLVM function `i64 f(i64 r1, .., i64 r5)` with its
 * own frame: eleven i64 allocas for r0..r10, which SROA/mem2reg promote to
 * SSA values, and one 512-byte stack alloca with r10 pointing at its end.
 * The exported symbol of a program is a thin wrapper
 * `i64 sym(ptr ctx, i64 r2)` that calls the entry function.
 *
 * Control flow: an instruction starts a basic block when it is a jump
 * target or follows a jump or exit; straight-line code is lowered in
 * order.  Semantics that LLVM leaves undefined (division by zero, INT_MIN /
 * -1, shifts by the width) are guarded explicitly; loads and stores are
 * emitted with alignment 1 unless the address is a known offset from r10;
 * atomics are real atomicrmw/cmpxchg instructions.  Byte-order
 * instructions are resolved against the target's byte order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define B2N_LOWER_INTERNAL
#include "lower.h"

#include <bpf2native/runtime.h>



static LLVMTypeRef int_ty(struct lctx *c, int bytes)
{
	switch (bytes) {
	case 1:
		return c->i8;
	case 2:
		return c->i16;
	case 4:
		return c->i32;
	default:
		return c->i64;
	}
}

LLVMValueRef b2n_k64(struct lctx *c, uint64_t v)
{
	return LLVMConstInt(c->i64, v, 0);
}

static LLVMValueRef kty(LLVMTypeRef ty, uint64_t v)
{
	return LLVMConstInt(ty, v, 0);
}

LLVMValueRef b2n_reg(struct lctx *c, int r)
{
	return LLVMBuildLoad2(c->B, c->i64, c->regs[r], "");
}

void b2n_set_reg(struct lctx *c, int r, LLVMValueRef v)
{
	LLVMBuildStore(c->B, v, c->regs[r]);
}

static LLVMValueRef zext64(struct lctx *c, LLVMValueRef v)
{
	return LLVMTypeOf(v) == c->i64 ? v : LLVMBuildZExt(c->B, v, c->i64, "");
}

static LLVMValueRef sext64(struct lctx *c, LLVMValueRef v)
{
	return LLVMTypeOf(v) == c->i64 ? v : LLVMBuildSExt(c->B, v, c->i64, "");
}

static LLVMValueRef trunc_to(struct lctx *c, LLVMValueRef v, LLVMTypeRef ty)
{
	return LLVMTypeOf(v) == ty ? v : LLVMBuildTrunc(c->B, v, ty, "");
}

/* Address of [base + off] and the alignment that is proven for it. */
static LLVMValueRef mem_addr(struct lctx *c, int base, int16_t off, int size, unsigned *align)
{
	if (base == 10) {
		long idx = (long)c->stack_size + off;
		unsigned a = 8;
		while (a > 1 && (idx % (long)a) != 0)
			a >>= 1;
		*align = a < (unsigned)size ? a : (unsigned)size;
		LLVMValueRef i = b2n_k64(c, (uint64_t)idx);
		return LLVMBuildGEP2(c->B, c->i8, c->stack, &i, 1, "");
	}
	*align = 1;
	LLVMValueRef a = LLVMBuildAdd(c->B, b2n_reg(c, base), b2n_k64(c, (uint64_t)(int64_t)off), "");
	return LLVMBuildIntToPtr(c->B, a, c->ptr, "");
}

static LLVMValueRef load_mem(struct lctx *c, int base, int16_t off, int size)
{
	unsigned align;
	LLVMValueRef p = mem_addr(c, base, off, size, &align);
	LLVMValueRef v = LLVMBuildLoad2(c->B, int_ty(c, size), p, "");
	LLVMSetAlignment(v, align);
	return v;
}

static void store_mem(struct lctx *c, int base, int16_t off, int size, LLVMValueRef v)
{
	unsigned align;
	LLVMValueRef p = mem_addr(c, base, off, size, &align);
	LLVMValueRef s = LLVMBuildStore(c->B, trunc_to(c, v, int_ty(c, size)), p);
	LLVMSetAlignment(s, align);
}

static LLVMValueRef bswap(struct lctx *c, LLVMValueRef v)
{
	LLVMTypeRef ty = LLVMTypeOf(v);
	unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);
	LLVMValueRef f = LLVMGetIntrinsicDeclaration(c->M, id, &ty, 1);
	return LLVMBuildCall2(c->B, LLVMIntrinsicGetType(c->C, id, &ty, 1), f, &v, 1, "");
}

/* Arithmetic on values of one width (i32 or i64).  Division and shifts are
 * guarded so that no LLVM undefined behaviour can arise. */
static LLVMValueRef alu_op(struct lctx *c, enum b2n_alu_op op, LLVMValueRef a, LLVMValueRef b,
                           LLVMValueRef src_full)
{
	LLVMBuilderRef B = c->B;
	LLVMTypeRef ty = LLVMTypeOf(a);
	unsigned bits = LLVMGetIntTypeWidth(ty);
	LLVMValueRef zero = kty(ty, 0), one = kty(ty, 1), m1 = LLVMConstAllOnes(ty);
	LLVMValueRef isz, ism1, sd;

	switch (op) {
	case B2N_ALU_ADD:
		return LLVMBuildAdd(B, a, b, "");
	case B2N_ALU_SUB:
		return LLVMBuildSub(B, a, b, "");
	case B2N_ALU_MUL:
		return LLVMBuildMul(B, a, b, "");
	case B2N_ALU_OR:
		return LLVMBuildOr(B, a, b, "");
	case B2N_ALU_AND:
		return LLVMBuildAnd(B, a, b, "");
	case B2N_ALU_XOR:
		return LLVMBuildXor(B, a, b, "");
	case B2N_ALU_LSH:
		return LLVMBuildShl(B, a, LLVMBuildAnd(B, b, kty(ty, bits - 1), ""), "");
	case B2N_ALU_RSH:
		return LLVMBuildLShr(B, a, LLVMBuildAnd(B, b, kty(ty, bits - 1), ""), "");
	case B2N_ALU_ARSH:
		return LLVMBuildAShr(B, a, LLVMBuildAnd(B, b, kty(ty, bits - 1), ""), "");
	case B2N_ALU_NEG:
		return LLVMBuildNeg(B, a, "");
	case B2N_ALU_MOV:
		return b;
	case B2N_ALU_MOVSX8:
	case B2N_ALU_MOVSX16:
	case B2N_ALU_MOVSX32: {
		int w = op == B2N_ALU_MOVSX8 ? 1 : op == B2N_ALU_MOVSX16 ? 2 : 4;
		LLVMValueRef nar = LLVMBuildTrunc(B, src_full, int_ty(c, w), "");
		return LLVMBuildSExt(B, nar, ty, "");
	}
	case B2N_ALU_DIV:
	case B2N_ALU_MOD:
		isz = LLVMBuildICmp(B, LLVMIntEQ, b, zero, "");
		sd = LLVMBuildSelect(B, isz, one, b, "");
		if (op == B2N_ALU_DIV)
			return LLVMBuildSelect(B, isz, zero, LLVMBuildUDiv(B, a, sd, ""), "");
		return LLVMBuildSelect(B, isz, a, LLVMBuildURem(B, a, sd, ""), "");
	case B2N_ALU_SDIV:
	case B2N_ALU_SMOD:
		isz = LLVMBuildICmp(B, LLVMIntEQ, b, zero, "");
		ism1 = LLVMBuildICmp(B, LLVMIntEQ, b, m1, "");
		sd = LLVMBuildSelect(B, LLVMBuildOr(B, isz, ism1, ""), one, b, "");
		if (op == B2N_ALU_SDIV) {
			/* x / -1 = -x (wrapping: INT_MIN / -1 = INT_MIN), x / 0 = 0 */
			LLVMValueRef q = LLVMBuildSDiv(B, a, sd, "");
			q = LLVMBuildSelect(B, ism1, LLVMBuildSub(B, zero, a, ""), q, "");
			return LLVMBuildSelect(B, isz, zero, q, "");
		} else {
			/* x % -1 = 0, x % 0 = x */
			LLVMValueRef r = LLVMBuildSRem(B, a, sd, "");
			r = LLVMBuildSelect(B, ism1, zero, r, "");
			return LLVMBuildSelect(B, isz, a, r, "");
		}
	case B2N_ALU__COUNT:
		break;
	}
	abort();
}

static LLVMIntPredicate jcc_pred(enum b2n_jcc_op op)
{
	switch (op) {
	case B2N_JEQ:
		return LLVMIntEQ;
	case B2N_JGT:
		return LLVMIntUGT;
	case B2N_JGE:
		return LLVMIntUGE;
	case B2N_JNE:
	case B2N_JSET:
		return LLVMIntNE;
	case B2N_JSGT:
		return LLVMIntSGT;
	case B2N_JSGE:
		return LLVMIntSGE;
	case B2N_JLT:
		return LLVMIntULT;
	case B2N_JLE:
		return LLVMIntULE;
	case B2N_JSLT:
		return LLVMIntSLT;
	case B2N_JSLE:
		return LLVMIntSLE;
	case B2N_JCC__COUNT:
		break;
	}
	abort();
}

static LLVMAtomicRMWBinOp atomic_binop(enum b2n_atomic_op op)
{
	switch (op) {
	case B2N_ATOMIC_ADD:
		return LLVMAtomicRMWBinOpAdd;
	case B2N_ATOMIC_OR:
		return LLVMAtomicRMWBinOpOr;
	case B2N_ATOMIC_AND:
		return LLVMAtomicRMWBinOpAnd;
	case B2N_ATOMIC_XOR:
		return LLVMAtomicRMWBinOpXor;
	case B2N_ATOMIC_XCHG:
		return LLVMAtomicRMWBinOpXchg;
	default:
		abort();
	}
}

static LLVMBasicBlockRef block_at(struct lctx *c, size_t i)
{
	if (!c->blocks[i]) {
		char nm[32];
		snprintf(nm, sizeof(nm), "i%zu", i);
		c->blocks[i] = LLVMAppendBasicBlockInContext(c->C, c->fn, nm);
	}
	return c->blocks[i];
}

static LLVMValueRef func_at(struct lctx *c, size_t start)
{
	for (size_t k = 0; k < c->prog->nfuncs; k++)
		if (c->prog->funcs[k].start == start)
			return c->funcs[k];
	abort(); /* the checker guarantees every call target starts a function */
}

static LLVMValueRef call_args(struct lctx *c, LLVMValueRef callee, LLVMTypeRef ty,
                              LLVMValueRef first)
{
	LLVMValueRef args[6];
	unsigned n = 0;
	if (first)
		args[n++] = first;
	for (int r = 1; r <= 5; r++)
		args[n++] = b2n_reg(c, r);
	return LLVMBuildCall2(c->B, ty, callee, args, n, "");
}

static LLVMValueRef helper_table(struct lctx *c)
{
	LLVMValueRef g = LLVMGetNamedGlobal(c->M, "b2n_helper_table");
	if (!g) {
		LLVMTypeRef aty = LLVMArrayType2(c->ptr, B2N_HELPER_TABLE_SIZE);
		g = LLVMAddGlobal(c->M, aty, "b2n_helper_table");
		LLVMSetLinkage(g, LLVMExternalLinkage);
	}
	return g;
}

static LLVMValueRef callx_fn(struct lctx *c, LLVMTypeRef *ty)
{
	LLVMTypeRef ps[6] = {c->i64, c->i64, c->i64, c->i64, c->i64, c->i64};
	*ty = LLVMFunctionType(c->i64, ps, 6, 0);
	LLVMValueRef f = LLVMGetNamedFunction(c->M, "b2n_callx");
	if (!f)
		f = LLVMAddFunction(c->M, "b2n_callx", *ty);
	return f;
}

/* LD_ABS / LD_IND (socket filters and tc; the ctx pass made sure r6 is
 * the skb): r0 = b2n_ld_pkt(r6, off, size, &val) == 0 ? val : the current
 * function returns 0, as the kernel's converted LD_ABS does.  The offset is
 * imm (+ src for LD_IND) truncated to an int, as the kernel passes it to
 * bpf_skb_load_helper_*.  r1-r5 are clobbered (left as they are: the
 * verifier refuses reading them). */
static void lower_ld_pkt(struct lctx *c, const struct b2n_insn *in, int size)
{
	LLVMBuilderRef B = c->B;
	LLVMTypeRef ps[4] = {c->ptr, c->i64, c->i32, c->ptr};
	LLVMTypeRef ty = LLVMFunctionType(c->i32, ps, 4, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(c->M, "b2n_ld_pkt");
	/* size is a uint32_t in C: zeroext, or s390x, riscv64 and sparcv9
	 * callees see garbage in the register's upper half */
	unsigned zext = LLVMGetEnumAttributeKindForName("zeroext", 7);
	if (!fn) {
		fn = LLVMAddFunction(c->M, "b2n_ld_pkt", ty);
		LLVMAddAttributeAtIndex(fn, 3, LLVMCreateEnumAttribute(c->C, zext, 0));
	}
	LLVMValueRef off = b2n_k64(c, (uint64_t)(int64_t)in->imm);
	if ((in->code & 0xe0) == B2N_MODE_IND)
		off = LLVMBuildAdd(B, b2n_reg(c, in->src), off, "");
	off = LLVMBuildSExt(B, LLVMBuildTrunc(B, off, c->i32, ""), c->i64, "");
	/* the value slot lives in the entry block, like the registers */
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(c->fn);
	LLVMValueRef first = LLVMGetFirstInstruction(entry);
	if (first)
		LLVMPositionBuilderBefore(B, first);
	else
		LLVMPositionBuilderAtEnd(B, entry);
	LLVMValueRef val = LLVMBuildAlloca(B, c->i64, "ldpkt");
	LLVMPositionBuilderAtEnd(B, cur);
	LLVMValueRef args[4] = {LLVMBuildIntToPtr(B, b2n_reg(c, 6), c->ptr, ""), off,
	                        LLVMConstInt(c->i32, (unsigned)size, 0), val};
	LLVMValueRef rc = LLVMBuildCall2(B, ty, fn, args, 4, "");
	LLVMAddCallSiteAttribute(rc, 3, LLVMCreateEnumAttribute(c->C, zext, 0));
	LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(c->C, c->fn, "ldpkt.ok");
	LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(c->C, c->fn, "ldpkt.out");
	LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, rc, LLVMConstInt(c->i32, 0, 0), ""), ok,
	                bad);
	LLVMPositionBuilderAtEnd(B, bad);
	LLVMBuildRet(B, b2n_k64(c, 0));
	LLVMPositionBuilderAtEnd(B, ok);
	b2n_set_reg(c, 0, LLVMBuildLoad2(B, c->i64, val, ""));
}

/* ---- bpf_loop inlined -----------------------------------------------------
 * As the kernel's verifier does (optimize_bpf_loop), a bpf_loop call whose
 * callback and flags are known becomes a loop in the caller that calls the
 * callback's function directly, so LLVM may inline it.  "Known" is local:
 * the last writer of r2 in the call's basic block is a pseudo-function lddw
 * and that of r4 a mov of the immediate 0.  The semantics are exactly
 * runtime/helpers_loop.c's (which the other calls still take): nr_loops is
 * r1's low 32 bits, above 1 << 23 r0 = (u32)-E2BIG, else the callback runs
 * as cb(i, r3, 0, 0, 0) until it returns non-zero (r0 = i + 1) or i reaches
 * nr_loops (r0 = nr_loops).  Like the helper, no tail-call or loop-limit
 * check follows the callback: its return value is all that is looked at. */
#define B2N_HELPER_LOOP 181
#define B2N_MAX_LOOPS (UINT32_C(1) << 23)

/* The instruction before i, in i's basic block, that may write register
 * r: its index, or -1 when none can be told (block start, a call). */
static long last_writer(struct lctx *c, size_t i, int r)
{
	for (size_t k = i; k-- > 0;) {
		if (c->second[k])
			continue;
		const struct b2n_insn *in = &c->prog->insns[k];
		struct b2n_form f;
		if (b2n_isa_classify(in, &f))
			return -1;
		switch (f.family) {
		case B2N_F_ALU:
		case B2N_F_END:
		case B2N_F_LDX:
		case B2N_F_LDXSX:
		case B2N_F_LDDW:
			if (in->dst == r)
				return (long)k;
			break;
		case B2N_F_ATOMIC:
			if (in->src == r || r == 0)
				return -1;
			break;
		case B2N_F_ST:
		case B2N_F_STX:
			break;
		default: /* calls, LD_ABS, jumps */
			return -1;
		}
		if (c->blocks[k])
			return -1;
	}
	return -1;
}

/* The callback of an inlinable bpf_loop call at i, or NULL. */
static LLVMValueRef loop_callback(struct lctx *c, size_t i)
{
	long d4 = last_writer(c, i, 4), d2 = last_writer(c, i, 2);
	if (d4 < 0 || d2 < 0)
		return NULL;
	const struct b2n_insn *m = &c->prog->insns[d4], *l = &c->prog->insns[d2];
	struct b2n_form f;
	if (b2n_isa_classify(m, &f) || f.family != B2N_F_ALU || f.op != B2N_ALU_MOV ||
	    f.src_reg || m->imm != 0)
		return NULL;
	if (l->src != B2N_PSEUDO_FUNC)
		return NULL;
	return func_at(c, (size_t)d2 + 1 + (size_t)l->imm);
}

static void lower_loop_inline(struct lctx *c, LLVMValueRef cb)
{
	LLVMBuilderRef B = c->B;
	LLVMValueRef n = LLVMBuildTrunc(B, b2n_reg(c, 1), c->i32, "nr_loops");
	LLVMValueRef ctx = b2n_reg(c, 3);
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(B);
	LLVMBasicBlockRef big = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.e2big");
	LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.head");
	LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.body");
	LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.next");
	LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.done");
	LLVMBuildCondBr(B,
	                LLVMBuildICmp(B, LLVMIntUGT, n, LLVMConstInt(c->i32, B2N_MAX_LOOPS, 0), ""),
	                big, head);
	LLVMPositionBuilderAtEnd(B, big);
	LLVMBuildBr(B, done);

	LLVMPositionBuilderAtEnd(B, head);
	LLVMValueRef i = LLVMBuildPhi(B, c->i32, "loop.i");
	LLVMValueRef i64 = LLVMBuildZExt(B, i, c->i64, "");
	LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, i, n, ""), body, done);

	LLVMPositionBuilderAtEnd(B, body);
	LLVMValueRef args[5] = {i64, ctx, b2n_k64(c, 0), b2n_k64(c, 0), b2n_k64(c, 0)};
	LLVMValueRef ret = LLVMBuildCall2(B, c->fnty, cb, args, 5, "");
	LLVMValueRef i1 = LLVMBuildAdd(B, i, LLVMConstInt(c->i32, 1, 0), "");
	LLVMValueRef i1_64 = LLVMBuildZExt(B, i1, c->i64, "");
	LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, ret, b2n_k64(c, 0), ""), done, next);

	LLVMPositionBuilderAtEnd(B, next);
	LLVMBuildBr(B, head);

	LLVMValueRef zero = LLVMConstInt(c->i32, 0, 0);
	LLVMValueRef iv[2] = {zero, i1};
	LLVMBasicBlockRef ib[2] = {pre, next};
	LLVMAddIncoming(i, iv, ib, 2);

	/* r0: (u32)-E2BIG, i (= nr_loops) from the head, i + 1 on a stop
	 * (i + 1 <= 1 << 23: no wrap) */
	LLVMPositionBuilderAtEnd(B, done);
	LLVMValueRef r0 = LLVMBuildPhi(B, c->i64, "loop.r0");
	LLVMValueRef rv[3] = {b2n_k64(c, (uint32_t)-E2BIG), i64, i1_64};
	LLVMBasicBlockRef rb[3] = {big, head, body};
	LLVMAddIncoming(r0, rv, rb, 3);
	b2n_set_reg(c, 0, r0);
}

/* Lower instruction i of the current function; returns slots consumed. */
static size_t lower_insn(struct lctx *c, size_t i)
{
	const struct b2n_insn *in = &c->prog->insns[i];
	LLVMBuilderRef B = c->B;
	struct b2n_form f;

	if (b2n_isa_classify(in, &f))
		abort(); /* checked by the frontend */
	switch (f.family) {
	case B2N_F_ALU: {
		LLVMTypeRef ty = f.is64 ? c->i64 : c->i32;
		LLVMValueRef srcv = f.src_reg ? b2n_reg(c, in->src) : b2n_k64(c, (uint64_t)(int64_t)in->imm);
		LLVMValueRef a = trunc_to(c, b2n_reg(c, in->dst), ty);
		LLVMValueRef b = trunc_to(c, srcv, ty);
		LLVMValueRef r = alu_op(c, (enum b2n_alu_op)f.op, a, b, srcv);
		b2n_set_reg(c, in->dst, zext64(c, r));
		return 1;
	}
	case B2N_F_END: {
		LLVMValueRef v = trunc_to(c, b2n_reg(c, in->dst), int_ty(c, f.size / 8));
		int swap = f.op == B2N_END_BSWAP || (f.op == B2N_END_LE && c->t->big_endian) ||
		           (f.op == B2N_END_BE && !c->t->big_endian);
		if (swap && f.size > 8)
			v = bswap(c, v);
		b2n_set_reg(c, in->dst, zext64(c, v));
		return 1;
	}
	case B2N_F_JA: {
		size_t t = i + 1 + (size_t)(f.is64 ? in->off : in->imm);
		LLVMBasicBlockRef bb = block_at(c, t);
		LLVMBuildBr(B, t <= i ? b2n_loop__edge(c, bb) : bb);
		return 1;
	}
	case B2N_F_JCC: {
		LLVMTypeRef ty = f.is64 ? c->i64 : c->i32;
		LLVMValueRef a = trunc_to(c, b2n_reg(c, in->dst), ty);
		LLVMValueRef b = trunc_to(
			c, f.src_reg ? b2n_reg(c, in->src) : b2n_k64(c, (uint64_t)(int64_t)in->imm), ty);
		LLVMValueRef cond;
		if (f.op == B2N_JSET)
			cond = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildAnd(B, a, b, ""), kty(ty, 0), "");
		else
			cond = LLVMBuildICmp(B, jcc_pred((enum b2n_jcc_op)f.op), a, b, "");
		size_t t = i + 1 + (size_t)in->off;
		LLVMBasicBlockRef bb = block_at(c, t);
		LLVMBuildCondBr(B, cond, t <= i ? b2n_loop__edge(c, bb) : bb, block_at(c, i + 1));
		return 1;
	}
	case B2N_F_EXIT:
		LLVMBuildRet(B, b2n_reg(c, 0));
		return 1;
	case B2N_F_CALL: {
		if (in->imm == B2N_HELPER_TAIL_CALL) {
			b2n_tail__lower_call(c);
			return 1;
		}
		if (in->imm == B2N_HELPER_LOOP) {
			LLVMValueRef cb = loop_callback(c, i);
			if (cb) {
				lower_loop_inline(c, cb);
				return 1;
			}
		}
		LLVMValueRef idx[2] = {b2n_k64(c, 0), b2n_k64(c, (uint64_t)in->imm)};
		LLVMValueRef tab = helper_table(c);
		LLVMValueRef slot = LLVMBuildGEP2(B, LLVMGlobalGetValueType(tab), tab, idx, 2, "");
		LLVMValueRef fp = LLVMBuildLoad2(B, c->ptr, slot, "");
		b2n_set_reg(c, 0, call_args(c, fp, c->fnty, NULL));
		return 1;
	}
	case B2N_F_CALLX: {
		LLVMTypeRef ty;
		LLVMValueRef fn = callx_fn(c, &ty);
		b2n_set_reg(c, 0, call_args(c, fn, ty, b2n_reg(c, in->dst)));
		return 1;
	}
	case B2N_F_CALL_LOCAL:
		b2n_set_reg(c, 0, call_args(c, func_at(c, i + 1 + (size_t)in->imm), c->fnty, NULL));
		b2n_tail__after_local_call(c);
		b2n_loop__after_call(c);
		return 1;
	case B2N_F_LDX:
		b2n_set_reg(c, in->dst, zext64(c, load_mem(c, in->src, in->off, f.size)));
		return 1;
	case B2N_F_LDXSX:
		b2n_set_reg(c, in->dst, sext64(c, load_mem(c, in->src, in->off, f.size)));
		return 1;
	case B2N_F_ST:
		store_mem(c, in->dst, in->off, f.size, b2n_k64(c, (uint64_t)(int64_t)in->imm));
		return 1;
	case B2N_F_STX:
		store_mem(c, in->dst, in->off, f.size, b2n_reg(c, in->src));
		return 1;
	case B2N_F_ATOMIC: {
		unsigned align;
		LLVMTypeRef ty = int_ty(c, f.size);
		LLVMValueRef p = mem_addr(c, in->dst, in->off, f.size, &align);
		LLVMValueRef v = trunc_to(c, b2n_reg(c, in->src), ty);
		LLVMAtomicOrdering seq = LLVMAtomicOrderingSequentiallyConsistent;
		if (f.op == B2N_ATOMIC_CMPXCHG) {
			LLVMValueRef x = LLVMBuildAtomicCmpXchg(B, p, trunc_to(c, b2n_reg(c, 0), ty), v,
			                                        seq, seq, 0);
			LLVMSetAlignment(x, (unsigned)f.size);
			b2n_set_reg(c, 0, zext64(c, LLVMBuildExtractValue(B, x, 0, "")));
			return 1;
		}
		LLVMValueRef old =
			LLVMBuildAtomicRMW(B, atomic_binop((enum b2n_atomic_op)f.op), p, v, seq, 0);
		LLVMSetAlignment(old, (unsigned)f.size);
		if (f.fetch || f.op == B2N_ATOMIC_XCHG)
			b2n_set_reg(c, in->src, zext64(c, old));
		return 1;
	}
	case B2N_F_LDDW: {
		uint64_t v = (uint64_t)(uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		LLVMValueRef val;
		if (in->src == B2N_PSEUDO_MAP_IDX || in->src == B2N_PSEUDO_MAP_IDX_VALUE) {
			LLVMValueRef tab =
				in->src == B2N_PSEUDO_MAP_IDX ? c->map_slots : c->value_slots;
			LLVMValueRef idx[2] = {b2n_k64(c, 0), b2n_k64(c, (uint64_t)in->imm)};
			LLVMValueRef slot =
				LLVMBuildGEP2(B, LLVMGlobalGetValueType(tab), tab, idx, 2, "");
			LLVMValueRef p = LLVMBuildLoad2(B, c->ptr, slot, "");
			LLVMSetMetadata(p, LLVMGetMDKindIDInContext(c->C, "invariant.load", 14),
			                LLVMMetadataAsValue(c->C, LLVMMDNodeInContext2(c->C, NULL, 0)));
			val = LLVMBuildPtrToInt(B, p, c->i64, "");
			if (in->src == B2N_PSEUDO_MAP_IDX_VALUE)
				val = LLVMBuildAdd(B, val, b2n_k64(c, (uint64_t)(uint32_t)in[1].imm), "");
		} else if (in->src == B2N_PSEUDO_FUNC) {
			val = LLVMBuildPtrToInt(B, func_at(c, i + 1 + (size_t)in->imm), c->i64, "");
		} else {
			val = b2n_k64(c, v);
		}
		b2n_set_reg(c, in->dst, val);
		return 2;
	}
	case B2N_F_LDABS:
		lower_ld_pkt(c, in, f.size);
		return 1;
	case B2N_F_INVALID:
		break;
	}
	abort();
}

static int is_block_end(const struct b2n_insn *in)
{
	struct b2n_form f;
	if (b2n_isa_classify(in, &f))
		return 0;
	return f.family == B2N_F_JA || f.family == B2N_F_JCC || f.family == B2N_F_EXIT;
}

static void lower_func(struct lctx *c, size_t k)
{
	const struct b2n_func *fn = &c->prog->funcs[k];
	LLVMBuilderRef B = c->B;

	c->fn = c->funcs[k];
	LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->C, c->fn, "entry");
	LLVMPositionBuilderAtEnd(B, entry);
	for (int r = 0; r <= 10; r++) {
		char nm[8];
		snprintf(nm, sizeof(nm), "r%d", r);
		c->regs[r] = LLVMBuildAlloca(B, c->i64, nm);
	}
	/* The frame has the derived depth, rounded up to 8 (the largest BPF
	 * access); without a verified depth, the kernel's 512 bytes. */
	c->stack_size = c->prog->verified ? (fn->stack_depth + 7u) & ~7u : B2N_STACK_SIZE;
	c->stack = LLVMBuildAlloca(B, LLVMArrayType2(c->i8, c->stack_size), "stack");
	LLVMSetAlignment(c->stack, 8);
	/* A function that may read stack bytes it never wrote (the kernel
	 * allows privileged programs to) gets a zeroed frame, as in the
	 * interpreter: an uninitialised alloca would be undef in LLVM IR. */
	if (fn->reads_uninit_stack && c->stack_size)
		LLVMSetAlignment(LLVMBuildMemSet(B, c->stack, LLVMConstInt(c->i8, 0, 0),
		                                 b2n_k64(c, c->stack_size), 8),
		                 8);
	for (int r = 0; r <= 9; r++)
		b2n_set_reg(c, r, r >= 1 && r <= 5 ? LLVMGetParam(c->fn, (unsigned)r - 1) : b2n_k64(c, 0));
	LLVMValueRef top = b2n_k64(c, c->stack_size);
	LLVMValueRef fp = LLVMBuildGEP2(B, c->i8, c->stack, &top, 1, "fp");
	b2n_set_reg(c, 10, LLVMBuildPtrToInt(B, fp, c->i64, ""));

	/* Leaders: jump targets and instructions after a block end. */
	memset(c->blocks, 0, c->prog->ninsns * sizeof(*c->blocks));
	for (size_t i = fn->start; i < fn->end; i++) {
		if (c->second[i])
			continue;
		const struct b2n_insn *in = &c->prog->insns[i];
		struct b2n_form f;
		if (b2n_isa_classify(in, &f))
			abort();
		if (f.family == B2N_F_JA)
			block_at(c, i + 1 + (size_t)(f.is64 ? in->off : in->imm));
		else if (f.family == B2N_F_JCC)
			block_at(c, i + 1 + (size_t)in->off);
		if (is_block_end(in) && i + 1 < fn->end)
			block_at(c, i + 1);
	}
	LLVMBuildBr(B, block_at(c, fn->start));
	LLVMPositionBuilderAtEnd(B, c->blocks[fn->start]);
	int terminated = 0;
	for (size_t i = fn->start; i < fn->end;) {
		if (c->blocks[i] && i != fn->start) {
			if (!terminated)
				LLVMBuildBr(B, c->blocks[i]);
			LLVMPositionBuilderAtEnd(B, c->blocks[i]);
		} else if (terminated) {
			/* unreachable code after an exit or jump */
			LLVMPositionBuilderAtEnd(
				B, LLVMAppendBasicBlockInContext(c->C, c->fn, "dead"));
		}
		size_t slots = lower_insn(c, i);
		terminated = is_block_end(&c->prog->insns[i]);
		i += slots;
	}
	if (!terminated)
		abort(); /* the checker rejects falling off the end */
}

static void lower_prog(struct lctx *c, const struct b2n_prog *prog)
{
	c->prog = prog;
	c->funcs = b2n_xcalloc(prog->nfuncs, sizeof(*c->funcs));
	c->blocks = b2n_xcalloc(prog->ninsns, sizeof(*c->blocks));
	c->second = b2n_xcalloc(prog->ninsns, 1);
	for (size_t i = 0; i < prog->ninsns; i++) {
		struct b2n_form f;
		if (!b2n_isa_classify(&prog->insns[i], &f) && f.family == B2N_F_LDDW)
			c->second[++i] = 1;
	}
	for (size_t k = 0; k < prog->nfuncs; k++) {
		char nm[512];
		snprintf(nm, sizeof(nm), "%s.%s", prog->symbol, prog->funcs[k].name);
		c->funcs[k] = LLVMAddFunction(c->M, nm, c->fnty);
		LLVMSetLinkage(c->funcs[k], LLVMInternalLinkage);
	}
	for (size_t k = 0; k < prog->nfuncs; k++)
		lower_func(c, k);

	/* The exported entry: i64 sym(ptr ctx, i64 r2). */
	LLVMValueRef w = LLVMAddFunction(c->M, prog->symbol, c->wrapty);
	LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(c->C, w, "entry");
	LLVMPositionBuilderAtEnd(c->B, bb);
	LLVMValueRef args[5] = {LLVMBuildPtrToInt(c->B, LLVMGetParam(w, 0), c->i64, ""),
	                        LLVMGetParam(w, 1), b2n_k64(c, 0), b2n_k64(c, 0), b2n_k64(c, 0)};
	b2n_loop__entry(c);
	b2n_tail__entry(c, args);

	free(c->funcs);
	free(c->blocks);
	free(c->second);
}

/* ---- the object descriptor (see <bpf2native/abi.h>) ---------------------- */

static LLVMValueRef k32(struct lctx *c, uint32_t v)
{
	return LLVMConstInt(c->i32, v, 0);
}

static LLVMValueRef const_global(struct lctx *c, const char *name, LLVMValueRef init)
{
	LLVMValueRef g = LLVMAddGlobal(c->M, LLVMTypeOf(init), name);
	LLVMSetInitializer(g, init);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetLinkage(g, LLVMPrivateLinkage);
	return g;
}

static LLVMValueRef cstr(struct lctx *c, const char *s)
{
	if (!s)
		return LLVMConstPointerNull(c->ptr);
	LLVMValueRef init = LLVMConstStringInContext(c->C, s, (unsigned)strlen(s), 0);
	LLVMValueRef g = const_global(c, ".str", init);
	LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
	return g;
}

static LLVMValueRef array_or_null(struct lctx *c, LLVMTypeRef elt, LLVMValueRef *v, size_t n,
                                  const char *name)
{
	if (!n)
		return LLVMConstPointerNull(c->ptr);
	return const_global(c, name, LLVMConstArray2(elt, v, n));
}

static LLVMValueRef cstruct(struct lctx *c, LLVMValueRef *v, unsigned n)
{
	return LLVMConstStructInContext(c->C, v, n, 0);
}

static void slot_globals(struct lctx *c, const struct b2n_input *obj)
{
	char nm[512];
	size_t n = obj->nmaps ? obj->nmaps : 1;
	LLVMTypeRef aty = LLVMArrayType2(c->ptr, n);
	snprintf(nm, sizeof(nm), "b2n_%s.map_slots", obj->name);
	c->map_slots = LLVMAddGlobal(c->M, aty, nm);
	snprintf(nm, sizeof(nm), "b2n_%s.value_slots", obj->name);
	c->value_slots = LLVMAddGlobal(c->M, aty, nm);
	LLVMSetInitializer(c->map_slots, LLVMConstNull(aty));
	LLVMSetInitializer(c->value_slots, LLVMConstNull(aty));
	LLVMSetLinkage(c->map_slots, LLVMInternalLinkage);
	LLVMSetLinkage(c->value_slots, LLVMInternalLinkage);
}

static int index_of_prog(const struct b2n_input *obj, const char *name)
{
	for (size_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return (int)i;
	abort(); /* resolved by the frontend */
}

static int index_of_map(const struct b2n_input *obj, const char *name)
{
	for (size_t i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return (int)i;
	abort();
}

static void emit_descriptor(struct lctx *c, const struct b2n_input *obj)
{
	LLVMTypeRef slot_ty = LLVMStructTypeInContext(c->C, (LLVMTypeRef[]){c->i32, c->i32}, 2, 0);
	LLVMTypeRef map_ty = LLVMStructTypeInContext(
		c->C,
		(LLVMTypeRef[]){c->ptr, c->i32, c->i32, c->i32, c->i32, c->i32, c->i32, c->i32,
	                        c->i32, c->ptr, c->ptr, c->i32, c->i32},
		13, 0);
	LLVMTypeRef prog_ty = LLVMStructTypeInContext(
		c->C, (LLVMTypeRef[]){c->ptr, c->ptr, c->ptr, c->ptr, c->i32, c->i32}, 6, 0);
	LLVMValueRef *maps = b2n_xcalloc(obj->nmaps + 1, sizeof(*maps));
	LLVMValueRef *progs = b2n_xcalloc(obj->nprogs + 1, sizeof(*progs));

	for (size_t i = 0; i < obj->nmaps; i++) {
		const struct b2n_map_def *m = &obj->maps[i];
		LLVMValueRef init = LLVMConstPointerNull(c->ptr);
		if (m->init_data && m->init_size) {
			init = const_global(c, ".mapinit",
			                    LLVMConstStringInContext(c->C, (const char *)m->init_data,
			                                             (unsigned)m->init_size, 1));
			LLVMSetAlignment(init, 8);
		}
		LLVMValueRef *slots = b2n_xcalloc(m->ninit_slots + 1, sizeof(*slots));
		for (size_t k = 0; k < m->ninit_slots; k++) {
			int target = m->type == 3 ? index_of_prog(obj, m->init_slots[k].target)
			                          : index_of_map(obj, m->init_slots[k].target);
			slots[k] = LLVMConstNamedStruct(
				slot_ty, (LLVMValueRef[]){k32(c, m->init_slots[k].slot),
			                                  k32(c, (uint32_t)target)},
				2);
		}
		LLVMValueRef f[13] = {cstr(c, m->name),
		                      k32(c, m->type),
		                      k32(c, m->key_size),
		                      k32(c, m->value_size),
		                      k32(c, m->max_entries),
		                      k32(c, m->map_flags),
		                      k32(c, (uint32_t)m->inner_map),
		                      k32(c, m->flags),
		                      k32(c, (uint32_t)m->init_size),
		                      init,
		                      array_or_null(c, slot_ty, slots, m->ninit_slots, ".slots"),
		                      k32(c, (uint32_t)m->ninit_slots),
		                      k32(c, (uint32_t)m->spin_lock_off)};
		maps[i] = LLVMConstNamedStruct(map_ty, f, 13);
		free(slots);
	}
	/* helper ids called by the code, for the loader's check */
	unsigned char used[B2N_HELPER_TABLE_SIZE] = {0};
	size_t nused = 0;
	for (size_t p = 0; p < obj->nprogs; p++) {
		const struct b2n_prog *pr = &obj->progs[p];
		for (size_t i = 0; i < pr->ninsns; i++) {
			struct b2n_form f;
			if (!b2n_isa_classify(&pr->insns[i], &f) && f.family == B2N_F_CALL &&
			    pr->insns[i].imm != B2N_HELPER_TAIL_CALL && !used[pr->insns[i].imm]) {
				used[pr->insns[i].imm] = 1;
				nused++;
			}
			if (!b2n_isa_classify(&pr->insns[i], &f) && f.family == B2N_F_LDDW)
				i++;
		}
		LLVMValueRef f[6] = {cstr(c, pr->name),
		                     cstr(c, pr->section),
		                     LLVMGetNamedFunction(c->M, pr->symbol),
		                     b2n_tail__entry_of(c, pr),
		                     k32(c, 0),
		                     k32(c, pr->type)};
		progs[p] = LLVMConstNamedStruct(prog_ty, f, 6);
	}
	LLVMValueRef *ids = b2n_xcalloc(nused + 1, sizeof(*ids));
	size_t k = 0;
	for (int id = 0; id < B2N_HELPER_TABLE_SIZE; id++)
		if (used[id])
			ids[k++] = k32(c, (uint32_t)id);

	LLVMValueRef o[13] = {
		k32(c, B2N_ABI_VERSION),
		k32(c, obj->big_endian > 0 || (obj->big_endian < 0 && c->t->big_endian)),
		cstr(c, obj->name),
		cstr(c, obj->license),
		array_or_null(c, map_ty, maps, obj->nmaps, ".maps"),
		k32(c, (uint32_t)obj->nmaps),
		k32(c, (uint32_t)obj->nprogs),
		array_or_null(c, prog_ty, progs, obj->nprogs, ".progs"),
		obj->nmaps ? c->map_slots : LLVMConstPointerNull(c->ptr),
		obj->nmaps ? c->value_slots : LLVMConstPointerNull(c->ptr),
		array_or_null(c, c->i32, ids, nused, ".helpers"),
		k32(c, (uint32_t)nused),
		k32(c, 0)};
	LLVMValueRef init = cstruct(c, o, 13);
	char nm[512];
	snprintf(nm, sizeof(nm), "b2n_object_%s", obj->name);
	LLVMValueRef g = LLVMAddGlobal(c->M, LLVMTypeOf(init), nm);
	LLVMSetInitializer(g, init);
	LLVMSetGlobalConstant(g, 1);
	free(maps);
	free(progs);
	free(ids);
}

void b2n_lower__module(LLVMModuleRef m, struct b2n_input *const *objs, size_t nobjs,
                       const struct b2n_compile_opts *opts)
{
	const struct b2n_target *target = opts->target;
	struct lctx c = {0};
	c.loop_limit = opts->loop_limit;
	c.C = LLVMGetModuleContext(m);
	c.M = m;
	c.B = LLVMCreateBuilderInContext(c.C);
	c.t = target;
	c.i1 = LLVMInt1TypeInContext(c.C);
	c.i8 = LLVMInt8TypeInContext(c.C);
	c.i16 = LLVMInt16TypeInContext(c.C);
	c.i32 = LLVMInt32TypeInContext(c.C);
	c.i64 = LLVMInt64TypeInContext(c.C);
	c.ptr = LLVMPointerTypeInContext(c.C, 0);
	LLVMTypeRef ps[5] = {c.i64, c.i64, c.i64, c.i64, c.i64};
	c.fnty = LLVMFunctionType(c.i64, ps, 5, 0);
	LLVMTypeRef ws[2] = {c.ptr, c.i64};
	c.wrapty = LLVMFunctionType(c.i64, ws, 2, 0);
	for (size_t o = 0; o < nobjs; o++) {
		c.obj = objs[o];
		slot_globals(&c, objs[o]);
		for (size_t p = 0; p < objs[o]->nprogs; p++)
			lower_prog(&c, &objs[o]->progs[p]);
		emit_descriptor(&c, objs[o]);
	}
	LLVMDisposeBuilder(c.B);
}
