/*
 * fuzz.h - what the fuzz targets of tests/fuzz share: the diagnostics
 * contract and the flags byte of the inputs.
 *
 * Every target replaces the frontend's print callback with a recorder
 * (b2n_set_print), runs one input, and then checks the contract of the
 * command line: an input that is refused printed exactly one message, one
 * line "PATH: error: ..." with no newline inside and only printable ASCII;
 * an accepted input printed nothing.  A breach calls abort() after
 * printing what was seen, so that libFuzzer (or the replay driver) reports
 * it like a crash.  B2N_FUZZ_LAX_ESCAPES=1 in the environment turns the
 * check of the message's bytes (control characters, non-ASCII, a newline
 * inside) into a count printed at exit, for runs on a tree whose
 * diagnostics do not escape them yet; the one-message rule stays.
 *
 * The targets are single-file libFuzzer entry points
 * (LLVMFuzzerTestOneInput); fuzz_replay.c gives them a main() for the
 * normal builds, where they replay committed inputs (tests/fuzz/regress).
 */
#ifndef B2N_FUZZ_H
#define B2N_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "frontend/frontend.h"

/* Start recording diagnostics for one input. */
void fuzz_begin(void);
/* Check the contract for an input that gave rc (0 = accepted) and was
 * named path in diagnostics; abort() on a breach. */
void fuzz_check(int rc, const char *path);

/* The first byte of the asm, raw and compile inputs: options, as the
 * driver's command line would give them. */
enum {
	FUZZ_F_BIG_ENDIAN = 1 << 0,   /* raw: --raw-big-endian */
	FUZZ_F_ALLOW_UNINIT = 1 << 1, /* --allow-uninit */
	FUZZ_F_TYPE_SHIFT = 2,        /* 2 bits: --prog-type none, xdp, tc, socket */
	FUZZ_F_UNKNOWN_HELPERS = 1 << 4,
};
/* Open options of flags byte f for kind. */
void fuzz_open_opts(uint8_t f, enum b2n_input_kind kind, struct b2n_open_opts *o);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
