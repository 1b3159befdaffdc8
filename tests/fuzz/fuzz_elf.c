/*
 * fuzz_elf.c - libFuzzer target: the BPF ELF reader, with maps, global
 * data, BTF, line info and relocations (frontend/elf.c, elf_maps.c), then
 * the checks the driver runs on every program (check, verify, ctx).
 *
 * The input is the ELF file itself, so that any BPF object is a seed.  It
 * goes through b2n_input__open_mem with kind ELF, which is the path of
 * b2n_input__open for a file with the ELF magic.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "fuzz.bpf.o";
	struct b2n_open_opts o = {.sz = sizeof(o), .kind = B2N_IN_ELF};
	struct b2n_input *obj = NULL;

	fuzz_begin();
	int rc = b2n_input__open_mem(path, data, size, &o, &obj);
	fuzz_check(rc, path);
	b2n_input__free(obj);
	return 0;
}
