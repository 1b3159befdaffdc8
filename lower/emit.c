/*
 * emit.c - from checked programs to a native file: module set-up, the
 * optimisation pipeline (LLVM's new pass manager, default<On>), code
 * generation, and the write of the output (b2n_write_output: atomic for
 * regular files, so an error never leaves a half-written file behind).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define B2N_LOWER_INTERNAL
#include "lower.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* Native frame size of function `fn` in assembly text `as`: the largest
 * CFA offset its CFI declares (return address included where the target
 * pushes one), or the size of SPARC's register-window `save`.  -1 when the
 * function was not emitted (inlined into its callers). */
static long frame_size(const char *as, const char *fn)
{
	char label[600];
	snprintf(label, sizeof(label), "\n%s:", fn);
	const char *p = strstr(as, label);
	if (!p) {
		snprintf(label, sizeof(label), "\n\"%s\":", fn);
		p = strstr(as, label);
	}
	if (!p)
		return -1;
	const char *end = strstr(p, ".cfi_endproc");
	const char *end2 = strstr(p + 1, "\n.Lfunc_end");
	if (!end || (end2 && end2 < end))
		end = end2;
	long best = 0;
	for (const char *q = p; q && (!end || q < end); q = strchr(q + 1, '\n')) {
		long v;
		const char *l = q + 1;
		while (*l == ' ' || *l == '\t')
			l++;
		if (sscanf(l, ".cfi_def_cfa_offset %ld", &v) == 1 && v > best)
			best = v;
		else if (sscanf(l, "save %%sp, -%ld, %%sp", &v) == 1 && v > best)
			best = v;
	}
	return best;
}

static void print_stats(struct b2n_input *const *objs, size_t nobjs, const char *as)
{
	for (size_t o = 0; o < nobjs; o++)
		for (size_t p = 0; p < objs[o]->nprogs; p++) {
			const struct b2n_prog *pr = &objs[o]->progs[p];
			for (size_t k = 0; k < pr->nfuncs; k++) {
				char nm[512];
				const struct b2n_func *f = &pr->funcs[k];
				snprintf(nm, sizeof(nm), "%s.%s", pr->symbol, f->name);
				long fs = frame_size(as, nm);
				if (k == 0) {
					long w = frame_size(as, pr->symbol);
					fs = fs < 0 ? w : fs;
				}
				printf("stats: %s: program %s: func %s: stack depth %u, call chain "
				       "depth %u, native frame ",
				       objs[o]->path, pr->name, f->name, f->stack_depth,
				       f->chain_depth);
				if (fs < 0)
					printf("inlined\n");
				else
					printf("%ld\n", fs);
			}
		}
}

static void init_llvm(void)
{
	static int done;
	if (done)
		return;
	LLVMInitializeAllTargetInfos();
	LLVMInitializeAllTargets();
	LLVMInitializeAllTargetMCs();
	LLVMInitializeAllAsmPrinters();
	/* LLVM 19's PowerPC back end rewrites integer compares into GPR
	 * arithmetic, and for an i32 compare of a 64-bit value truncated in
	 * another block it reads the whole register (a 64-bit sub, then the
	 * sign bit), so div32/jcc32 results went wrong on ppc64le
	 * (tests/differential/regress/ppc64le-icmp-in-gpr.data).  This option
	 * of the PowerPC back end turns that rewrite off; no other back end
	 * reads it. */
	const char *const argv[] = {"bpf2native", "-ppc-gpr-icmps=none"};
	LLVMParseCommandLineOptions(2, argv, NULL);
	done = 1;
}

LLVMTargetMachineRef b2n_emit__machine(const struct b2n_compile_opts *opts)
{
	const struct b2n_target *t = opts->target;
	char *msg = NULL;
	LLVMTargetRef target;

	if (opts->cpu && b2n_target__check_cpu(t, opts->cpu))
		return NULL;
	init_llvm();
	if (LLVMGetTargetFromTriple(t->triple, &target, &msg)) {
		b2n_err("bpf2native", "LLVM has no backend for %s: %s", t->triple, msg);
		LLVMDisposeMessage(msg);
		return NULL;
	}
	LLVMTargetMachineOptionsRef to = LLVMCreateTargetMachineOptions();
	LLVMTargetMachineOptionsSetCPU(to, opts->cpu ? opts->cpu : t->cpu);
	LLVMTargetMachineOptionsSetFeatures(to, t->features);
	if (t->abi && *t->abi)
		LLVMTargetMachineOptionsSetABI(to, t->abi);
	static const LLVMCodeGenOptLevel levels[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
	                                             LLVMCodeGenLevelDefault,
	                                             LLVMCodeGenLevelAggressive};
	LLVMTargetMachineOptionsSetCodeGenOptLevel(to, levels[opts->opt_level & 3]);
	LLVMTargetMachineOptionsSetRelocMode(to, LLVMRelocPIC);
	LLVMTargetMachineRef tm = LLVMCreateTargetMachineWithOptions(target, t->triple, to);
	LLVMDisposeTargetMachineOptions(to);
	if (!tm)
		b2n_err("bpf2native", "cannot create a target machine for %s (cpu %s)", t->triple,
		        opts->cpu ? opts->cpu : t->cpu);
	return tm;
}

LLVMModuleRef b2n_emit__module(struct b2n_input *const *objs, size_t nobjs,
                               const struct b2n_compile_opts *opts, LLVMTargetMachineRef tm,
                               LLVMContextRef ctx)
{
	const struct b2n_target *t = opts->target;
	char *msg = NULL;
	LLVMModuleRef m = LLVMModuleCreateWithNameInContext(nobjs ? objs[0]->name : "b2n", ctx);
	LLVMSetTarget(m, t->triple);
	LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
	LLVMSetModuleDataLayout(m, dl);
	LLVMDisposeTargetData(dl);
	b2n_lower__module(m, objs, nobjs, opts);
	/* A BPF program's memory access through an address that the analysis
	 * knows (or LLVM proves) to be 0 must fault like the interpreter, not
	 * be undefined behaviour that deletes the function's code:
	 * null_pointer_is_valid on every function defined here keeps such a
	 * load or store a real access. */
	unsigned npv = LLVMGetEnumAttributeKindForName("null_pointer_is_valid", 21);
	for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
		if (!LLVMIsDeclaration(f))
			LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
			                        LLVMCreateEnumAttribute(ctx, npv, 0));
	if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
		fprintf(stderr, "bpf2native: internal error: invalid IR:\n%s\n", msg);
		abort();
	}
	LLVMDisposeMessage(msg);
	msg = NULL;

	/* LLVM's default pipelines are superlinear in the size of one function
	 * (InstCombine's poison/undef queries walk the dominator tree: 6.7 s
	 * of CPU for one 100k-insn function, 86 s for 300k).  Like a JIT's
	 * tiers, a function of more than B2N_LARGE_FUNC BPF instructions gets
	 * the scalar clean-up only (SROA turns the register slots into SSA,
	 * then CSE and CFG simplification); codegen keeps the -O level. */
	size_t largest = 0;
	for (size_t o = 0; o < nobjs; o++)
		for (size_t p = 0; p < objs[o]->nprogs; p++)
			for (size_t f = 0; f < objs[o]->progs[p].nfuncs; f++) {
				const struct b2n_func *fn = &objs[o]->progs[p].funcs[f];
				if (fn->end - fn->start > largest)
					largest = fn->end - fn->start;
			}
	char passes[96];
	if (opts->opt_level > 0 && largest > B2N_LARGE_FUNC) {
		snprintf(passes, sizeof(passes), "function(sroa,early-cse,simplifycfg)");
		if (opts->verbose)
			fprintf(stderr,
			        "bpf2native: a function has %zu instructions (> %d): light "
			        "pipeline %s\n",
			        largest, B2N_LARGE_FUNC, passes);
	} else {
		snprintf(passes, sizeof(passes), "default<O%d>", opts->opt_level);
	}
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef perr = LLVMRunPasses(m, passes, tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (perr) {
		char *e = LLVMGetErrorMessage(perr);
		fprintf(stderr, "bpf2native: internal error: pass pipeline: %s\n", e);
		LLVMDisposeErrorMessage(e);
		abort();
	}
	return m;
}

int b2n_compile(struct b2n_input *const *objs, size_t nobjs,
                const struct b2n_compile_opts *opts, const char *out_path)
{
	const struct b2n_target *t = opts->target;
	char *msg = NULL;
	int err = 0;

	LLVMTargetMachineRef tm = b2n_emit__machine(opts);
	if (!tm)
		return -EINVAL;
	LLVMContextRef ctx = LLVMContextCreate();
	LLVMModuleRef m = b2n_emit__module(objs, nobjs, opts, tm, ctx);

	if (opts->stats) {
		LLVMModuleRef clone = LLVMCloneModule(m);
		LLVMMemoryBufferRef abuf;
		if (!LLVMTargetMachineEmitToMemoryBuffer(tm, clone, LLVMAssemblyFile, &msg, &abuf)) {
			size_t n = LLVMGetBufferSize(abuf);
			char *as = b2n_xcalloc(n + 2, 1);
			as[0] = '\n';
			memcpy(as + 1, LLVMGetBufferStart(abuf), n);
			print_stats(objs, nobjs, as);
			free(as);
			LLVMDisposeMemoryBuffer(abuf);
		} else {
			LLVMDisposeMessage(msg);
		}
		LLVMDisposeModule(clone);
	}
	if (opts->emit == B2N_EMIT_LLVM) {
		char *s = LLVMPrintModuleToString(m);
		err = b2n_write_output(out_path, s, strlen(s));
		LLVMDisposeMessage(s);
	} else {
		LLVMMemoryBufferRef buf;
		LLVMCodeGenFileType ft = opts->emit == B2N_EMIT_ASM ? LLVMAssemblyFile : LLVMObjectFile;
		if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, ft, &msg, &buf)) {
			b2n_err("bpf2native", "code generation for %s failed: %s", t->name, msg);
			LLVMDisposeMessage(msg);
			err = -EINVAL;
		} else {
			err = b2n_write_output(out_path, LLVMGetBufferStart(buf), LLVMGetBufferSize(buf));
			LLVMDisposeMemoryBuffer(buf);
		}
	}
	LLVMDisposeModule(m);
	LLVMContextDispose(ctx);
	LLVMDisposeTargetMachine(tm);
	return err;
}
