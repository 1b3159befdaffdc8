/*
 * fuzz_raw.c - libFuzzer target: raw bytecode (frontend/object.c's raw
 * reader), then check, verify and, for a typed program, the ctx pass, as
 * the driver runs them for `-x raw`.
 *
 * Byte 0 is the flags byte of fuzz.h (byte order, --allow-uninit,
 * --prog-type, --allow-unknown-helpers); the rest is the bytecode.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "fuzz.bin";
	struct b2n_open_opts o;
	struct b2n_input *obj = NULL;

	if (size < 1)
		return 0;
	fuzz_begin();
	fuzz_open_opts(data[0], B2N_IN_RAW, &o);
	int rc = b2n_input__open_mem(path, data + 1, size - 1, &o, &obj);
	fuzz_check(rc, path);
	b2n_input__free(obj);
	return 0;
}
