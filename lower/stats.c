/*
 * stats.c - code statistics for `bpf2native compare`: how many native
 * instructions, code bytes, frame bytes, spills and reloads a function
 * has, read back from what LLVM produced.
 *
 * Instruction counts come from LLVM's disassembler (llvm-c/Disassembler.h)
 * run over raw code bytes, so the same routine counts our functions (their
 * bytes in the object file, located through LLVM's object-file C API by
 * symbol, address and size) and the kernel JIT's image (bpf_prog_info's
 * jited_prog_insns).  The frame size and the spill/reload counts come from
 * the assembly text of the same module: the bytes the function's prologue
 * allocates (pushes and stack-pointer adjustments
 * per target, SPARC's `save`; unlike --stats in emit.c, which reads CFI,
 * this also works where no unwind tables are emitted, and the return
 * address is not counted), and the register allocator's comments ("8-byte Spill",
 * "8-byte Reload", "Folded Spill", "Folded Reload") between the function's
 * label and its end.  No LLVM type leaves this file: callers see struct
 * b2n_code_stats / b2n_func_stats and an opaque handle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define B2N_LOWER_INTERNAL
#include "lower.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Disassembler.h>
#include <llvm-c/Object.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

static void init_disasm(void)
{
	static int done;
	if (done)
		return;
	LLVMInitializeAllTargetInfos();
	LLVMInitializeAllTargetMCs();
	LLVMInitializeAllDisassemblers();
	done = 1;
}

/* Bytes one assembly line allocates on the stack: the prologue forms of
 * the six targets (x86-64 pushes and `subq $N, %rsp`; AArch64 pre-indexed
 * stores to sp and `sub sp, sp, #N`; RISC-V `addi sp, sp, -N`; PowerPC
 * `stdu 1, -N(1)`; s390x `aghi %r15, -N` / `lay %r15, -N(%r15)`; SPARC's
 * register-window `save %sp, -N, %sp`). */
static long stack_alloc(const char *s)
{
	long v;
	const char *q;
	if (!strncmp(s, "push", 4) && (s[4] == 'q' || s[4] == 'l' || s[4] == '\t'))
		return 8;
	if (sscanf(s, "subq $%ld, %%rsp", &v) == 1 || sscanf(s, "sub sp, sp, #%ld", &v) == 1 ||
	    sscanf(s, "addi sp, sp, -%ld", &v) == 1 || sscanf(s, "stdu 1, -%ld(1)", &v) == 1 ||
	    sscanf(s, "aghi %%r15, -%ld", &v) == 1 ||
	    sscanf(s, "lay %%r15, -%ld(%%r15)", &v) == 1 ||
	    sscanf(s, "save %%sp, -%ld, %%sp", &v) == 1)
		return v > 0 ? v : 0;
	if ((!strncmp(s, "stp", 3) || !strncmp(s, "str", 3)) && (q = strstr(s, "[sp, #-")) &&
	    strstr(q, "]!") && sscanf(q, "[sp, #-%ld]!", &v) == 1)
		return v;
	return 0;
}

int b2n_code__count(const struct b2n_target *t, const void *code, size_t len,
                    struct b2n_code_stats *out)
{
	char *host = NULL;
	const char *triple;
	memset(out, 0, sizeof(*out));
	init_disasm();
	if (t) {
		triple = t->triple;
	} else {
		host = LLVMGetDefaultTargetTriple();
		triple = host;
	}
	LLVMDisasmContextRef dc =
	    t ? LLVMCreateDisasmCPUFeatures(triple, t->cpu, t->features, NULL, 0, NULL, NULL)
	      : LLVMCreateDisasm(triple, NULL, 0, NULL, NULL);
	if (!dc) {
		b2n_err("bpf2native", "LLVM has no disassembler for %s", triple);
		LLVMDisposeMessage(host);
		return -ENOTSUP;
	}
	uint8_t *p = (uint8_t *)code;
	size_t off = 0;
	char text[256];
	out->bytes = len;
	while (off < len) {
		size_t n = LLVMDisasmInstruction(dc, p + off, len - off, off, text, sizeof(text));
		if (!n) {
			/* Undecodable (data or padding): skip one minimal unit. */
			size_t unit = 4;
			if (!t || !strcmp(t->name, "x86_64"))
				unit = 1;
			else if (!strcmp(t->name, "s390x") || !strcmp(t->name, "riscv64"))
				unit = 2;
			unit = unit > len - off ? len - off : unit;
			out->bad += unit;
			off += unit;
			continue;
		}
		out->insns++;
		off += n;
		const char *l = text;
		while (*l == ' ' || *l == '\t')
			l++;
		out->frame += stack_alloc(l);
	}
	LLVMDisasmDispose(dc);
	LLVMDisposeMessage(host);
	return 0;
}

/* ---- a compiled object and its assembly ---------------------------------- */

struct b2n_native_stats {
	const struct b2n_target *t;
	LLVMMemoryBufferRef mb;
	LLVMBinaryRef bin;
	const char *as; /* assembly text (owned when own_as) */
	char *own_as;
};

int b2n_native__open(const struct b2n_target *t, const void *obj, size_t objlen,
                     const char *asm_text, struct b2n_native_stats **out)
{
	char *msg = NULL;
	*out = NULL;
	LLVMMemoryBufferRef mb =
	    LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, objlen, "b2n-compare");
	LLVMBinaryRef bin = LLVMCreateBinary(mb, NULL, &msg);
	if (!bin) {
		b2n_err("bpf2native", "cannot read the native object: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		LLVMDisposeMemoryBuffer(mb);
		return -EINVAL;
	}
	struct b2n_native_stats *ns = b2n_xcalloc(1, sizeof(*ns));
	ns->t = t;
	ns->mb = mb;
	ns->bin = bin;
	ns->as = asm_text;
	*out = ns;
	return 0;
}

void b2n_native__free(struct b2n_native_stats *ns)
{
	if (!ns)
		return;
	LLVMDisposeBinary(ns->bin);
	LLVMDisposeMemoryBuffer(ns->mb);
	free(ns->own_as);
	free(ns);
}

const void *b2n_native__object(const struct b2n_native_stats *ns, size_t *len)
{
	*len = LLVMGetBufferSize(ns->mb);
	return LLVMGetBufferStart(ns->mb);
}

/* b2n_compile's target machine and module (emit.c), with a machine that writes
 * verbose assembly (the register allocator's Spill/Reload comments are
 * only printed then); the object and the assembly come from the same
 * optimised module. */
int b2n_native__compile(struct b2n_input *const *objs, size_t nobjs,
                        const struct b2n_compile_opts *opts, struct b2n_native_stats **out)
{
	const struct b2n_target *t = opts->target;
	char *msg = NULL;
	*out = NULL;
	LLVMTargetMachineRef tm = b2n_emit__machine(opts);
	if (!tm)
		return -EINVAL;
	LLVMSetTargetMachineAsmVerbosity(tm, 1);
	LLVMContextRef ctx = LLVMContextCreate();
	LLVMModuleRef m = b2n_emit__module(objs, nobjs, opts, tm, ctx);
	int err = 0;
	LLVMMemoryBufferRef abuf = NULL, obuf = NULL;
	LLVMModuleRef clone = LLVMCloneModule(m);
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, clone, LLVMAssemblyFile, &msg, &abuf) ||
	    LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, &obuf)) {
		b2n_err("bpf2native", "code generation for %s failed: %s", t->name, msg);
		LLVMDisposeMessage(msg);
		err = -EINVAL;
	}
	LLVMDisposeModule(clone);
	LLVMDisposeModule(m);
	LLVMContextDispose(ctx);
	LLVMDisposeTargetMachine(tm);
	if (!err) {
		size_t n = LLVMGetBufferSize(abuf);
		char *as = b2n_xcalloc(n + 2, 1);
		as[0] = '\n';
		memcpy(as + 1, LLVMGetBufferStart(abuf), n);
		err =
		    b2n_native__open(t, LLVMGetBufferStart(obuf), LLVMGetBufferSize(obuf), as, out);
		if (err)
			free(as);
		else
			(*out)->own_as = as;
	}
	if (abuf)
		LLVMDisposeMemoryBuffer(abuf);
	if (obuf)
		LLVMDisposeMemoryBuffer(obuf);
	return err;
}

/* The function's text in the assembly: from its label to .Lfunc_end. */
static const char *asm_func(const char *as, const char *fn, const char **end)
{
	char label[600];
	snprintf(label, sizeof(label), "\n%s:", fn);
	const char *p = strstr(as, label);
	if (!p) {
		snprintf(label, sizeof(label), "\n\"%s\":", fn);
		p = strstr(as, label);
	}
	if (!p)
		return NULL;
	*end = strstr(p + 1, "\n.Lfunc_end");
	return p;
}

static void asm_stats(const char *as, const char *fn, struct b2n_func_stats *st)
{
	const char *end = NULL, *p = asm_func(as, fn, &end);
	st->frame = -1;
	if (!p)
		return;
	st->frame = 0;
	for (const char *q = p; q && (!end || q < end); q = strchr(q + 1, '\n')) {
		const char *l = q + 1;
		const char *eol = strchr(l, '\n');
		size_t n = eol ? (size_t)(eol - l) : strlen(l);
		char line[512];
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, l, n);
		line[n] = 0;
		const char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		st->frame += stack_alloc(s);
		if (strstr(line, "-byte Folded Spill"))
			st->folded_spills++;
		else if (strstr(line, "-byte Spill"))
			st->spills++;
		else if (strstr(line, "-byte Folded Reload"))
			st->folded_reloads++;
		else if (strstr(line, "-byte Reload"))
			st->reloads++;
	}
}

int b2n_native__calls(const struct b2n_native_stats *ns, const char *from, const char *to)
{
	const char *end = NULL, *p = asm_func(ns->as, from, &end);
	size_t n = strlen(to);
	if (!p)
		return 0;
	/* Skip the label line itself. */
	p = strchr(p + 1, '\n');
	for (const char *q = p; q && (q = strstr(q, to)) && (!end || q < end); q += n) {
		char before = q[-1], after = q[n];
		int ident_before = before == '_' || before == '.' ||
		                   (before >= '0' && before <= '9') ||
		                   ((before | 32) >= 'a' && (before | 32) <= 'z');
		int ident_after = after == '_' || after == '.' || (after >= '0' && after <= '9') ||
		                  ((after | 32) >= 'a' && (after | 32) <= 'z');
		if (!ident_before && !ident_after)
			return 1;
	}
	return 0;
}

int b2n_native__func(const struct b2n_native_stats *ns, const char *symbol,
                     struct b2n_func_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->frame = -1;
	LLVMSymbolIteratorRef si = LLVMObjectFileCopySymbolIterator(ns->bin);
	LLVMSectionIteratorRef sec = LLVMObjectFileCopySectionIterator(ns->bin);
	int err = -ENOENT;
	for (; !LLVMObjectFileIsSymbolIteratorAtEnd(ns->bin, si); LLVMMoveToNextSymbol(si)) {
		const char *name = LLVMGetSymbolName(si);
		if (!name || strcmp(name, symbol))
			continue;
		uint64_t addr = LLVMGetSymbolAddress(si), size = LLVMGetSymbolSize(si);
		LLVMMoveToContainingSection(sec, si);
		if (LLVMObjectFileIsSectionIteratorAtEnd(ns->bin, sec))
			break;
		uint64_t saddr = LLVMGetSectionAddress(sec), ssize = LLVMGetSectionSize(sec);
		const char *bytes = LLVMGetSectionContents(sec);
		if (addr < saddr || addr - saddr + size > ssize) {
			err = -EINVAL;
			break;
		}
		struct b2n_code_stats cs;
		err = b2n_code__count(ns->t, bytes + (addr - saddr), (size_t)size, &cs);
		if (err)
			break;
		st->insns = cs.insns;
		st->bytes = cs.bytes;
		asm_stats(ns->as, symbol, st);
		err = 0;
		break;
	}
	LLVMDisposeSectionIterator(sec);
	LLVMDisposeSymbolIterator(si);
	return err;
}
