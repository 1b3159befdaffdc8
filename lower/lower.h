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
	int stats;            /* print per-function depths and native frames */
	uint64_t loop_limit;  /* --loop-limit: back edges per run, 0 = unlimited */
};

/* Functions with more BPF instructions than this get a light optimisation
 * pipeline (see emit.c): LLVM's default<On> is superlinear in function size. */
#define B2N_LARGE_FUNC 32768

/* Lower every program of every object into one module, optimise, and write
 * the result to out_path atomically (temporary file + rename).  Returns 0,
 * or a negative errno after one diagnostic line. */
int b2n_compile(struct b2n_input *const *objs, size_t nobjs,
                const struct b2n_compile_opts *opts, const char *out_path);

/* stats.c: code statistics (bpf2native compare).  No LLVM type crosses. */
struct b2n_code_stats {
	size_t insns; /* native instructions, as LLVM's disassembler reads them */
	size_t bytes; /* code bytes */
	size_t bad;   /* bytes it could not decode (skipped) */
	long frame;   /* stack bytes its instructions allocate (pushes, sp
	                 adjustments: see b2n_func_stats.frame) */
};
/* Count the instructions of raw code for target t (NULL: the host, e.g. a
 * kernel JIT image).  Returns 0 or -ENOTSUP (no disassembler). */
int b2n_code__count(const struct b2n_target *t, const void *code, size_t len,
                    struct b2n_code_stats *out);

struct b2n_func_stats {
	size_t insns, bytes;
	long frame; /* bytes its prologue allocates on the stack (pushes, sp
	               adjustments, SPARC save), return address excluded */
	unsigned spills, reloads;               /* "N-byte Spill" / "Reload" */
	unsigned folded_spills, folded_reloads; /* "Folded Spill" / "Reload" */
};
/* A native object as b2n_compile wrote it for t (ELF bytes, copied) and
 * the assembly text of the same module (borrowed: keep it alive). */
struct b2n_native_stats;
int b2n_native__open(const struct b2n_target *t, const void *obj, size_t objlen,
                     const char *asm_text, struct b2n_native_stats **out);
/* Compile as b2n_compile does, into memory: the object and its verbose
 * assembly (with the allocator's spill/reload comments) of one module. */
int b2n_native__compile(struct b2n_input *const *objs, size_t nobjs,
                        const struct b2n_compile_opts *opts, struct b2n_native_stats **out);
/* The object's bytes (ELF), e.g. to link it. */
const void *b2n_native__object(const struct b2n_native_stats *ns, size_t *len);
/* Statistics of one function symbol; -ENOENT when it was not emitted
 * (inlined into its callers). */
int b2n_native__func(const struct b2n_native_stats *ns, const char *symbol,
                     struct b2n_func_stats *st);
/* Whether function `from` refers to symbol `to` (calls or jumps to it). */
int b2n_native__calls(const struct b2n_native_stats *ns, const char *from, const char *to);
void b2n_native__free(struct b2n_native_stats *ns);

#ifdef B2N_LOWER_INTERNAL
#include <llvm-c/Core.h>

/* State of lowering one program (lower.c, shared with tailcall.c). */
struct lctx {
	LLVMContextRef C;
	LLVMModuleRef M;
	LLVMBuilderRef B;
	LLVMTypeRef i1, i8, i16, i32, i64, ptr, fnty, wrapty;
	const struct b2n_target *t;
	const struct b2n_input *obj;
	LLVMValueRef map_slots, value_slots; /* [nmaps x ptr] of the object */
	const struct b2n_prog *prog;
	LLVMValueRef *funcs; /* one per prog->funcs */
	LLVMValueRef fn;
	LLVMValueRef regs[11];
	LLVMValueRef stack;
	uint32_t stack_size; /* bytes of the current function's BPF frame */
	uint64_t loop_limit;
	LLVMBasicBlockRef *blocks; /* per instruction: block it starts, or NULL */
	unsigned char *second;     /* second slots of lddw */
};

/* emit.c: the target machine of opts (NULL after one diagnostic), and the
 * module of objs lowered, verified and optimised for it, in ctx.  Shared by
 * b2n_compile and the code statistics of stats.c, so both see the same code. */
#include <llvm-c/TargetMachine.h>
LLVMTargetMachineRef b2n_emit__machine(const struct b2n_compile_opts *opts);
LLVMModuleRef b2n_emit__module(struct b2n_input *const *objs, size_t nobjs,
                               const struct b2n_compile_opts *opts, LLVMTargetMachineRef tm,
                               LLVMContextRef ctx);

/* lower.c */
LLVMValueRef b2n_reg(struct lctx *c, int r);
void b2n_set_reg(struct lctx *c, int r, LLVMValueRef v);
LLVMValueRef b2n_k64(struct lctx *c, uint64_t v);

/* tailcall.c: bpf_tail_call (helper 12) and the two entries of a program. */
#define B2N_HELPER_TAIL_CALL 12
void b2n_tail__lower_call(struct lctx *c);
void b2n_tail__after_local_call(struct lctx *c);
void b2n_tail__entry(struct lctx *c, LLVMValueRef args[5]);
LLVMValueRef b2n_tail__entry_of(struct lctx *c, const struct b2n_prog *prog);
LLVMValueRef b2n_tls_global(struct lctx *c, const char *name, LLVMTypeRef ty);

/* looplimit.c: --loop-limit. */
LLVMBasicBlockRef b2n_loop__edge(struct lctx *c, LLVMBasicBlockRef target);
void b2n_loop__after_call(struct lctx *c);
void b2n_loop__entry(struct lctx *c);

/* lower.c: build the IR of all programs into module m. */
void b2n_lower__module(LLVMModuleRef m, struct b2n_input *const *objs, size_t nobjs,
                       const struct b2n_compile_opts *opts);
#endif

#endif
