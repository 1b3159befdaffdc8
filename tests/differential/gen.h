/*
 * gen.h - the random-program generator of the differential test.
 *
 * dg_generate(seed, index) builds one valid BPF program, always the same one
 * for the same pair: the generator's state is seeded from both numbers
 * alone.  The program reads its five 32-bit inputs from the context at
 * DG_IN_OFF (the kernel's __sk_buff cb[0..4]; natively and in the
 * interpreter a plain DG_CTX_SIZE-byte buffer), so that neither LLVM nor the
 * kernel's verifier sees constants, and returns a fold of all its state.
 * gen.c describes the program's shape and the rules that keep it valid.
 */
#ifndef B2N_DIFF_GEN_H
#define B2N_DIFF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <bpf2native/isa.h>

#define DG_NINPUTS 5
#define DG_IN_OFF 48 /* offsetof(struct __sk_buff, cb) */
#define DG_CTX_SIZE 128

struct dg_prog {
	struct b2n_insn *insns;
	size_t n, cap;
	uint32_t in[DG_NINPUTS];
};

/* Returns 0, or -1 when out of memory. */
int dg_generate(uint64_t seed, uint64_t index, struct dg_prog *p);
void dg_free(struct dg_prog *p);
/* The context buffer the program reads, in the given byte order. */
void dg_ctx(const struct dg_prog *p, int big_endian, unsigned char ctx[DG_CTX_SIZE]);

#endif
