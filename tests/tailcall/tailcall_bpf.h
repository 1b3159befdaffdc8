/*
 * tailcall_bpf.h - shared by the BPF programs of tests/tailcall and by
 * their driver: the context layout, the id of the application helper that
 * records each step of a chain, and the slot numbers the programs use.
 *
 * Programs are SEC("raw_tp") programs whose context is an array of 64-bit
 * arguments; the driver passes a struct tctx and checks that every step
 * of a chain saw the same pointer.  Only fixed-size types are used, so the
 * layout is the same on BPF (both byte orders) and on the six targets.
 */
#ifndef B2N_TESTS_TAILCALL_BPF_H
#define B2N_TESTS_TAILCALL_BPF_H

struct tctx {
	unsigned long long a[8];
};

/* Application helper (b2n_helper__register; not a kernel helper id):
 * record(ctx, tag) stores the tag, the ctx pointer and the frame address
 * of the helper itself, and returns the step number. */
#define TC_HELPER_RECORD 250

/* prog_array `jmp` of tc_chain / `jmpb` of tc_chainb. */
#define TC_SLOTS 64
#define TC_CHAIN_MAX 41  /* step0..step40; step<k> tail-calls slot k + 1 */
#define TC_SELF_SLOT 60  /* self_loop tail-calls this slot */
#define TC_EMPTY_SLOT 61 /* never filled */
#define TC_MISS_SLOT 62  /* miss tail-calls this slot after its misses */

/* Tags recorded by the programs. */
#define TAG_STEP 0       /* + k: step<k> of tc_chain */
#define TAG_BSTEP 100    /* + k: bstep<k> of tc_chainb */
#define TAG_SELF 200
#define TAG_MISS 201
#define TAG_DISPATCH 202
#define TAG_RET 203
#define TAG_SUB 204
#define TAG_HOP 205

#endif
