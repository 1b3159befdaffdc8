/*
 * fuzz_compile.c - libFuzzer target: the whole pipeline, from an input to
 * a native object in memory (never a file): frontend, lowering to LLVM IR,
 * IR verification, the optimisation pipeline and code generation, at -O0
 * and -O2 for x86_64 and sparcv9 (little and big endian).
 *
 * Byte 0 is the flags byte of fuzz.h; byte 1 picks the rest:
 *   bits 0-1  input kind: ELF, raw, asm (3 = asm too)
 *   bit 2     -O2 (else -O0)
 *   bit 3     sparcv9 (else x86_64) for asm and raw input; an ELF object
 *             gets the target of its own byte order, as the driver refuses
 *             any other
 * and the input follows.  Lowering goes through lower.h's internal entry
 * points (b2n_emit__machine, b2n_emit__module), which b2n_compile uses
 * before writing its file; the four target machines are made once.
 */
#include <stdlib.h>

#define B2N_LOWER_INTERNAL
#include "lower/lower.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "fuzz.h"

static LLVMTargetMachineRef machines[2][2]; /* [sparcv9][O2] */

static void free_machines(void)
{
	for (int t = 0; t < 2; t++)
		for (int o = 0; o < 2; o++)
			if (machines[t][o])
				LLVMDisposeTargetMachine(machines[t][o]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum b2n_input_kind kinds[] = {B2N_IN_ELF, B2N_IN_RAW, B2N_IN_ASM, B2N_IN_ASM};
	static const char *const paths[] = {"fuzz.bpf.o", "fuzz.bin", "fuzz.s", "fuzz.s"};
	struct b2n_open_opts o;
	struct b2n_input *obj = NULL;

	if (size < 2)
		return 0;
	unsigned sel = data[1];
	enum b2n_input_kind kind = kinds[sel & 3];
	const char *path = paths[sel & 3];
	fuzz_begin();
	fuzz_open_opts(data[0], kind, &o);
	int rc = b2n_input__open_mem(path, data + 2, size - 2, &o, &obj);
	if (rc) {
		fuzz_check(rc, path);
		return 0;
	}

	int sparc = obj->big_endian >= 0 ? obj->big_endian : !!(sel & 8), o2 = !!(sel & 4);
	struct b2n_compile_opts co = {.sz = sizeof(co),
	                              .target = b2n_target__find(sparc ? "sparcv9" : "x86_64"),
	                              .opt_level = o2 ? 2 : 0,
	                              .emit = B2N_EMIT_OBJ};
	if (!co.target)
		abort();
	if (!machines[sparc][o2]) {
		if (!machines[0][0] && !machines[0][1] && !machines[1][0] && !machines[1][1])
			atexit(free_machines);
		machines[sparc][o2] = b2n_emit__machine(&co);
		if (!machines[sparc][o2])
			abort();
	}
	LLVMTargetMachineRef tm = machines[sparc][o2];
	LLVMContextRef ctx = LLVMContextCreate();
	LLVMModuleRef m = b2n_emit__module(&obj, 1, &co, tm, ctx);
	LLVMMemoryBufferRef buf = NULL;
	char *msg = NULL;
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, &buf)) {
		/* b2n_compile turns this into one diagnostic, but an accepted
		 * program that LLVM cannot compile is a bug of the lowering. */
		fprintf(stderr, "fuzz: code generation failed: %s\n", msg ? msg : "?");
		abort();
	}
	if (LLVMGetBufferSize(buf) < 64)
		abort(); /* not even an ELF header */
	LLVMDisposeMemoryBuffer(buf);
	LLVMDisposeModule(m);
	LLVMContextDispose(ctx);
	fuzz_check(0, path);
	b2n_input__free(obj);
	return 0;
}
