/*
 * fuzz_asm.c - libFuzzer target: assembly text (frontend/asm.c, with the
 * "-- asm" sections of conformance .data files), then check, verify and,
 * for a typed program, the ctx pass, as the driver runs them for `-x asm`.
 *
 * Byte 0 is the flags byte of fuzz.h (--allow-uninit, --prog-type,
 * --allow-unknown-helpers); the rest is the text.  A NUL byte in it is
 * refused as binary input, as for a file.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "fuzz.s";
	struct b2n_open_opts o;
	struct b2n_input *obj = NULL;

	if (size < 1)
		return 0;
	fuzz_begin();
	fuzz_open_opts(data[0], B2N_IN_ASM, &o);
	int rc = b2n_input__open_mem(path, data + 1, size - 1, &o, &obj);
	fuzz_check(rc, path);
	b2n_input__free(obj);
	return 0;
}
