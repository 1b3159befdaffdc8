/*
 * tailcall.c - run-time side of bpf_tail_call (see lower/tailcall.c).
 *
 * The tail-call counter of the running chain is thread-local: a program's
 * normal entry zeroes it, each taken tail call increments it, and the
 * compiled code refuses the 34th.  b2n_tail_lookup resolves a prog_array
 * slot to the tail entry of the program it holds (any loaded object, so
 * chains may cross separately compiled objects).  On targets without
 * guaranteed tail calls the compiled code records the target in
 * b2n_tail_pending_fn/ctx and returns; b2n_tail_run_pending is the
 * trampoline that runs recorded targets until none is left.
 */
#include "runtime_internal.h"

B2N_API __thread uint32_t b2n_tail_call_cnt;
B2N_API __thread void *b2n_tail_pending_fn;
B2N_API __thread uint64_t b2n_tail_pending_ctx;
/* --loop-limit state of the running program (lower/looplimit.c). */
B2N_API __thread uint64_t b2n_loop_budget;
B2N_API __thread uint32_t b2n_loop_spent;

typedef uint64_t (*b2n_body_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

B2N_API void *b2n_tail_lookup(void *map, uint64_t index64)
{
	uint32_t index = (uint32_t)index64; /* the kernel truncates to u32 */
	struct b2n_map *m = map;
	if (!m || m->type != B2N_MAP_PROG_ARRAY || index >= m->max_entries)
		return NULL;
	struct b2n_program *p = b2n_rt_prog_array_get(m, index);
	return p && p->desc ? p->desc->tail_entry : NULL;
}

B2N_API uint64_t b2n_tail_run_pending(uint64_t r0)
{
	void *fn;
	while ((fn = b2n_tail_pending_fn) != NULL) {
		b2n_body_fn body = (b2n_body_fn)fn;
		b2n_tail_pending_fn = NULL;
		r0 = body(b2n_tail_pending_ctx, 0, 0, 0, 0);
	}
	return r0;
}
