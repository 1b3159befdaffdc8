/*
 * tailcall.c - bpf_tail_call and the two entries of every program.
 *
 * Every BPF function is `i64 f(i64 r1, .., i64 r5)`; the entry function of a
 * program doubles as its tail-call entry, and its address is published in
 * the object descriptor (b2n_abi_prog.tail_entry).  The exported symbol is
 * the normal entry: its prologue zeroes the run's tail-call counter (a
 * thread-local of the runtime, b2n_tail_call_cnt; only in programs that
 * contain a bpf_tail_call) and calls the body.
 *
 * A tail call looks the slot up through the runtime (b2n_tail_lookup: index
 * truncated to u32, range and empty-slot checks), checks the counter
 * against MAX_TAIL_CALL_CNT (33), counts the call only when it is taken,
 * and then, on targets whose backend honours it, performs a `musttail` call
 * of the target's tail entry with r1 = ctx: the caller's frame is released
 * before the jump, so a chain of 33 calls uses the stack of one.  On
 * targets without guaranteed tail calls (ppc64le), the call site records
 * the target in thread-local state and returns; the normal entry and every
 * local-call site then run pending targets in a loop (a trampoline).  On
 * failure execution falls through to the next instruction with r0 as it was.
 */
#define B2N_LOWER_INTERNAL
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A thread-local variable of the runtime, declared in the module once. */
LLVMValueRef b2n_tls_global(struct lctx *c, const char *name, LLVMTypeRef ty)
{
	LLVMValueRef g = LLVMGetNamedGlobal(c->M, name);
	if (!g) {
		g = LLVMAddGlobal(c->M, ty, name);
		LLVMSetLinkage(g, LLVMExternalLinkage);
		LLVMSetThreadLocal(g, 1);
	}
	return g;
}

static LLVMValueRef runtime_fn(struct lctx *c, const char *name, LLVMTypeRef ret,
                               LLVMTypeRef *params, unsigned n, LLVMTypeRef *fty)
{
	*fty = LLVMFunctionType(ret, params, n, 0);
	LLVMValueRef f = LLVMGetNamedFunction(c->M, name);
	if (!f)
		f = LLVMAddFunction(c->M, name, *fty);
	return f;
}

static LLVMValueRef cnt_var(struct lctx *c)
{
	return b2n_tls_global(c, "b2n_tail_call_cnt", c->i32);
}

void b2n_tail__lower_call(struct lctx *c)
{
	LLVMBuilderRef B = c->B;
	/* The index goes as a full i64 and the runtime truncates it to u32:
	 * an i32 argument would need zeroext, which some ABIs (riscv64,
	 * sparcv9, s390x) rely on the caller to provide. */
	LLVMTypeRef lty, ps[2] = {c->ptr, c->i64};
	LLVMValueRef lookup = runtime_fn(c, "b2n_tail_lookup", c->ptr, ps, 2, &lty);
	LLVMValueRef ctx = b2n_reg(c, 1);
	LLVMValueRef args[2] = {LLVMBuildIntToPtr(B, b2n_reg(c, 2), c->ptr, ""),
	                        b2n_reg(c, 3)};
	LLVMValueRef fnp = LLVMBuildCall2(B, lty, lookup, args, 2, "tail.target");
	LLVMValueRef cnt = LLVMBuildLoad2(B, c->i32, cnt_var(c), "tail.cnt");
	LLVMValueRef fail =
		LLVMBuildOr(B, LLVMBuildIsNull(B, fnp, ""),
	                    LLVMBuildICmp(B, LLVMIntUGE, cnt,
	                                  LLVMConstInt(c->i32, B2N_MAX_TAIL_CALL_CNT, 0), ""),
	                    "");
	LLVMBasicBlockRef take = LLVMAppendBasicBlockInContext(c->C, c->fn, "tail.take");
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(c->C, c->fn, "tail.fallthrough");
	LLVMBuildCondBr(B, fail, cont, take);

	LLVMPositionBuilderAtEnd(B, take);
	LLVMBuildStore(B, LLVMBuildAdd(B, cnt, LLVMConstInt(c->i32, 1, 0), ""), cnt_var(c));
	if (c->t->tailcall == B2N_TC_LOOP) {
		LLVMBuildStore(B, fnp, b2n_tls_global(c, "b2n_tail_pending_fn", c->ptr));
		LLVMBuildStore(B, ctx, b2n_tls_global(c, "b2n_tail_pending_ctx", c->i64));
		LLVMBuildRet(B, b2n_k64(c, 0));
	} else {
		LLVMValueRef a[5] = {ctx, b2n_k64(c, 0), b2n_k64(c, 0), b2n_k64(c, 0),
		                     b2n_k64(c, 0)};
		LLVMValueRef r = LLVMBuildCall2(B, c->fnty, fnp, a, 5, "");
		LLVMSetTailCallKind(r, LLVMTailCallKindMustTail);
		LLVMBuildRet(B, r);
	}
	LLVMPositionBuilderAtEnd(B, cont);
}

/* r0 after running any pending tail-call targets (trampoline targets). */
static LLVMValueRef run_pending(struct lctx *c, LLVMValueRef r0)
{
	LLVMTypeRef fty, ps[1] = {c->i64};
	LLVMValueRef f = runtime_fn(c, "b2n_tail_run_pending", c->i64, ps, 1, &fty);
	return LLVMBuildCall2(c->B, fty, f, &r0, 1, "");
}

void b2n_tail__after_local_call(struct lctx *c)
{
	if (c->t->tailcall == B2N_TC_LOOP)
		b2n_set_reg(c, 0, run_pending(c, b2n_reg(c, 0)));
}

/* Whether any function of the program may perform a tail call. */
static int may_tail_call(const struct b2n_prog *prog)
{
	if (!prog->verified)
		return 1;
	for (size_t f = 0; f < prog->nfuncs; f++)
		if (prog->funcs[f].calls_tail)
			return 1;
	return 0;
}

void b2n_tail__entry(struct lctx *c, LLVMValueRef args[5])
{
	/* A run that cannot tail call never reads the counter: no store (a
	 * thread-local access costs about 1 ns on a short program). */
	if (may_tail_call(c->prog))
		LLVMBuildStore(c->B, LLVMConstInt(c->i32, 0, 0), cnt_var(c));
	LLVMValueRef r = LLVMBuildCall2(c->B, c->fnty, c->funcs[0], args, 5, "");
	if (c->t->tailcall == B2N_TC_LOOP)
		r = run_pending(c, r);
	LLVMBuildRet(c->B, r);
}

LLVMValueRef b2n_tail__entry_of(struct lctx *c, const struct b2n_prog *prog)
{
	char nm[512];
	snprintf(nm, sizeof(nm), "%s.%s", prog->symbol, prog->funcs[0].name);
	LLVMValueRef f = LLVMGetNamedFunction(c->M, nm);
	if (!f)
		abort();
	return f;
}
