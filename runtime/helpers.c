/*
 * helpers.c - the helper table that compiled programs call through.
 *
 * Compiled code performs a static helper call `call N` by loading
 * b2n_helper_table[N] (a plain array of function pointers, exported with
 * default visibility) and calling it with r1..r5.  An indirect call (callx)
 * has its id only at run time, so it goes through b2n_callx(), which checks
 * the range and the slot and otherwise calls the missing-helper handler.
 * The default handler prints the id and aborts: the kernel's verifier would
 * have rejected such a program, so there is no sensible value to return.
 *
 * Registration is expected to happen before programs run.  Slots and the
 * handler pointer are still written and read with __atomic builtins
 * (release/acquire), so a registration that races with a run is seen either
 * entirely or not at all, never torn.  Portable C11 plus the GCC/Clang
 * __atomic builtins only; pointer-sized atomics are lock-free on all six
 * targets, so no libatomic is needed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime_internal.h"

/* Built-in helpers (helpers.def) are in the table from the start, so that a
 * statically linked application pulls in exactly the runtime it needs and
 * nothing has to be registered before the first run. */
B2N_API b2n_helper_fn b2n_helper_table[B2N_HELPER_TABLE_SIZE] = {
#define X(id, name, ...) [id] = b2n_h_##name,
#include <bpf2native/helpers.def>
#undef X
};

static uint64_t b2n_default_missing_helper(uint64_t id)
{
	fprintf(stderr, "bpf2native runtime: call to unknown helper %" PRIu64 "\n", id);
	fflush(stderr);
	abort();
}

static b2n_missing_helper_fn b2n_missing_helper = b2n_default_missing_helper;

B2N_API int b2n_helper__register(uint32_t id, b2n_helper_fn fn)
{
	if (id >= B2N_HELPER_TABLE_SIZE)
		return -EINVAL;
	__atomic_store_n(&b2n_helper_table[id], fn, __ATOMIC_RELEASE);
	return 0;
}

B2N_API b2n_helper_fn b2n_helper__get(uint64_t id)
{
	if (id >= B2N_HELPER_TABLE_SIZE)
		return NULL;
	return __atomic_load_n(&b2n_helper_table[id], __ATOMIC_ACQUIRE);
}

B2N_API b2n_missing_helper_fn b2n_set_missing_helper(b2n_missing_helper_fn fn)
{
	if (!fn)
		fn = b2n_default_missing_helper;
	return __atomic_exchange_n(&b2n_missing_helper, fn, __ATOMIC_ACQ_REL);
}

B2N_API uint64_t b2n_callx(uint64_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5)
{
	b2n_helper_fn fn = b2n_helper__get(id);
	if (!fn) {
		b2n_missing_helper_fn missing =
		    __atomic_load_n(&b2n_missing_helper, __ATOMIC_ACQUIRE);
		return missing(id);
	}
	return fn(r1, r2, r3, r4, r5);
}
