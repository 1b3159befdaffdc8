/*
 * looplimit.c - `--loop-limit N`: a budget of back edges per program run.
 *
 * Loops compile as written.  With a limit, every back edge (a jump to an
 * instruction at or before itself) goes through a small block that spends
 * one unit of the run's budget, a thread-local of the runtime set to N by
 * the program's normal entry.  When a back edge finds the budget empty, the
 * run is marked spent and the function returns B2N_LOOP_LIMIT_EXCEEDED;
 * every local-call site checks the mark and returns the same code, so the
 * whole program returns it.  Tail-called programs share the budget.
 */
#define B2N_LOWER_INTERNAL
#include "lower.h"

#include <bpf2native/runtime.h>

static void ret_exceeded(struct lctx *c)
{
	LLVMBuildRet(c->B, b2n_k64(c, B2N_LOOP_LIMIT_EXCEEDED));
}

LLVMBasicBlockRef b2n_loop__edge(struct lctx *c, LLVMBasicBlockRef target)
{
	if (!c->loop_limit)
		return target;
	LLVMBasicBlockRef saved = LLVMGetInsertBlock(c->B);
	LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.edge");
	LLVMBasicBlockRef spent = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.spent");
	LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.go");
	LLVMValueRef budget = b2n_tls_global(c, "b2n_loop_budget", c->i64);

	LLVMPositionBuilderAtEnd(c->B, edge);
	LLVMValueRef b = LLVMBuildLoad2(c->B, c->i64, budget, "");
	LLVMBuildCondBr(c->B, LLVMBuildICmp(c->B, LLVMIntEQ, b, b2n_k64(c, 0), ""), spent, go);
	LLVMPositionBuilderAtEnd(c->B, spent);
	LLVMBuildStore(c->B, LLVMConstInt(c->i32, 1, 0), b2n_tls_global(c, "b2n_loop_spent", c->i32));
	ret_exceeded(c);
	LLVMPositionBuilderAtEnd(c->B, go);
	LLVMBuildStore(c->B, LLVMBuildSub(c->B, b, b2n_k64(c, 1), ""), budget);
	LLVMBuildBr(c->B, target);
	LLVMPositionBuilderAtEnd(c->B, saved);
	return edge;
}

void b2n_loop__after_call(struct lctx *c)
{
	if (!c->loop_limit)
		return;
	LLVMValueRef s = LLVMBuildLoad2(c->B, c->i32, b2n_tls_global(c, "b2n_loop_spent", c->i32), "");
	LLVMBasicBlockRef out = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.out");
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(c->C, c->fn, "loop.cont");
	LLVMBuildCondBr(c->B, LLVMBuildICmp(c->B, LLVMIntNE, s, LLVMConstInt(c->i32, 0, 0), ""),
	                out, cont);
	LLVMPositionBuilderAtEnd(c->B, out);
	ret_exceeded(c);
	LLVMPositionBuilderAtEnd(c->B, cont);
}

void b2n_loop__entry(struct lctx *c)
{
	if (!c->loop_limit)
		return;
	LLVMBuildStore(c->B, b2n_k64(c, c->loop_limit), b2n_tls_global(c, "b2n_loop_budget", c->i64));
	LLVMBuildStore(c->B, LLVMConstInt(c->i32, 0, 0), b2n_tls_global(c, "b2n_loop_spent", c->i32));
}
