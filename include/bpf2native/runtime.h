/*
 * runtime.h - public API of the bpf2native runtime (libb2n_rt).
 *
 * The runtime is small, portable C11 that builds with every target's cross
 * compiler.  Issue #2 scope: the helper table that compiled code calls
 * through, helper registration, and the reference interpreter.
 *
 * ABI of a compiled program (see README "Native ABI"):
 *     uint64_t b2n_<object>__<program>(void *ctx, uint64_t r2);
 * r1 = ctx, r2 = the second argument (the conformance suite passes the
 * memory length there), r3..r9 start at 0.  A static helper call with id N
 * loads b2n_helper_table[N] and calls it with r1..r5; callx goes through
 * b2n_callx(), which checks the id.
 */
#ifndef BPF2NATIVE_RUNTIME_H
#define BPF2NATIVE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include <bpf2native/isa.h>

#ifdef __cplusplus
extern "C" {
#endif

#define B2N_API __attribute__((visibility("default")))

typedef uint64_t (*b2n_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                  uint64_t r5);

/* Helper ids 0 .. B2N_HELPER_TABLE_SIZE-1. */
#define B2N_HELPER_TABLE_SIZE 256

/* Called by compiled code: one slot per helper id, NULL when absent. */
B2N_API extern b2n_helper_fn b2n_helper_table[B2N_HELPER_TABLE_SIZE];

/* Register (or override) helper `id`.  Returns 0, or -EINVAL for a bad id. */
B2N_API int b2n_helper__register(uint32_t id, b2n_helper_fn fn);
/* Look up helper `id`; NULL when not registered or out of range. */
B2N_API b2n_helper_fn b2n_helper__get(uint64_t id);

/* Indirect helper call (BPF callx): the id comes from a register at run
 * time.  An unknown id calls the missing-helper handler, which by default
 * prints the id and aborts (the kernel's verifier would have rejected it). */
B2N_API uint64_t b2n_callx(uint64_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5);
typedef uint64_t (*b2n_missing_helper_fn)(uint64_t id);
/* Install the handler for calls to unknown helpers (its return value becomes
 * r0); NULL restores the default (print "bpf2native runtime: call to unknown
 * helper N" on stderr and abort).  Returns the previous handler. */
B2N_API b2n_missing_helper_fn b2n_set_missing_helper(b2n_missing_helper_fn fn);

/* What a program compiled with --loop-limit returns when its run spent its
 * budget of back edges: (uint64_t)-ELOOP. */
#define B2N_LOOP_LIMIT_EXCEEDED ((uint64_t)-40)

/* ---- reference interpreter ---------------------------------------------- */

struct b2n_interp_opts {
	size_t sz; /* sizeof(struct b2n_interp_opts); 0 is taken to mean the same */
	/* Byte order of the emulated machine: 0 little, 1 big, -1 (default
	 * when the struct is absent) the host's.  Memory accesses and le/be
	 * follow it, so a little-endian host can give an independent
	 * big-endian reading of a program. */
	int big_endian;
	/* Maximum number of instructions executed; 0 = 1<<30. */
	uint64_t insn_limit;
};

/* Run a (checked) program with r1 = ctx, r2 = r2.  Returns 0 and sets *r0,
 * or a negative errno for a run-time fault:
 *   -EFAULT   jump or local call outside the program, falling off its end,
 *             truncated LDDW, misaligned atomic
 *   -E2BIG    insn_limit instructions executed
 *   -ELOOP    a local call would make more than 8 frames (MAX_CALL_FRAMES)
 *   -EINVAL   invalid instruction or register, write to r10, LDDW with a
 *             pseudo source (src != 0), bad opts
 *   -ENOTSUP  legacy LD_ABS/LD_IND
 * Each frame (the entry one and every local call) has its own zeroed
 * 512-byte stack; r6-r9 are preserved across local calls.  Helper calls
 * (static and callx) go through b2n_callx(). */
B2N_API int b2n_interp__run(const struct b2n_insn *insns, size_t n, void *ctx, uint64_t r2,
                            const struct b2n_interp_opts *opts, uint64_t *r0);

#ifdef __cplusplus
}
#endif
#endif
