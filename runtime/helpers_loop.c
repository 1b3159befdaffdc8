/*
 * helpers_loop.c - bpf_loop(nr_loops, callback_fn, callback_ctx, flags).
 *
 * The kernel's semantics (kernel/bpf/bpf_iter.c): flags must be 0
 * (-EINVAL), nr_loops (a u32) at most BPF_MAX_LOOPS = 1 << 23 (-E2BIG);
 * the callback is called as callback(index, callback_ctx, 0, 0, 0) for
 * index 0, 1, ...; a non-zero return (the verifier allows only 0 and 1)
 * stops the loop.  The result is the number of callback calls made.
 *
 * -E2BIG is returned as the kernel returns it in practice: with flags 0
 * the verifier inlines bpf_loop (inline_bpf_loop, Linux >= 5.19), whose
 * "w0 = -E2BIG" is a 32-bit move, so r0 is 0x00000000fffffff9, not the
 * sign-extended value of the out-of-line helper (tests/helpers
 * helpers-kernel checks this against the running kernel).  -EINVAL for
 * flags != 0 comes from the out-of-line helper and is 64-bit.
 *
 * callback_fn is the native address of a compiled BPF subprogram (the
 * compiler lowers a pseudo-function lddw to it), called with the helper
 * signature uint64_t fn(r1, r2, r3, r4, r5).
 */
#include <errno.h>

#include "runtime_internal.h"

#define B2N_MAX_LOOPS (UINT32_C(1) << 23)

uint64_t b2n_h_loop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint32_t nr_loops = (uint32_t)r1;
	b2n_helper_fn cb = (b2n_helper_fn)(uintptr_t)r2;
	uint32_t i;
	(void)r5;
	if (r4)
		return (uint64_t)(int64_t)-EINVAL;
	if (nr_loops > B2N_MAX_LOOPS)
		return (uint32_t)-E2BIG; /* as the verifier's inlined bpf_loop: a 32-bit mov */
	for (i = 0; i < nr_loops; i++)
		if (cb((uint64_t)i, r3, 0, 0, 0))
			return (uint64_t)i + 1;
	return i;
}
