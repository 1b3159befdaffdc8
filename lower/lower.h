/*
 * lower.h - the one internal header of lower/: BPF programs to LLVM IR to
 * native code.
 *
 * The public face (b2n_compile) takes checked frontend objects and a target
 * and writes one native file; LLVM types appear only in the internal part
 * below the marker, which the driver never includes... it includes this
 * header, so the LLVM part is guarded by B2N_LOWER_INTERNAL.
 */
#ifndef B2N_LOWER_H
#define B2N_LOWER_H

#include <stddef.h>

#include "frontend/frontend.h"
#include "targets/targets.h"

enum b2n_emit { B2N_EMIT_OBJ, B2N_EMIT_ASM, B2N_EMIT_LLVM };

struct b2n_compile_opts {
	size_t sz;
	const struct b2n_target *target;
	const char *cpu;      /* NULL: the target's default */
	int opt_level;        /* 0..3 */
	enum b2n_emit emit;
	int verbose;
};

/* Lower every program of every object into one module, optimise, and write
 * the result to out_path atomically (temporary file + rename).  Returns 0,
 * or a negative errno after one diagnostic line. */
int b2n_compile(struct b2n_input *const *objs, size_t nobjs,
                const struct b2n_compile_opts *opts, const char *out_path);

#ifdef B2N_LOWER_INTERNAL
#include <llvm-c/Core.h>

/* lower.c: build the IR of all programs into module m. */
void b2n_lower__module(LLVMModuleRef m, struct b2n_input *const *objs, size_t nobjs,
                       const struct b2n_target *target);
#endif

#endif
