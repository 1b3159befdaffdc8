/*
 * harness.h - the table that gen_harness writes and harness_main reads.
 *
 * gen_harness runs on the build host: it assembles every conformance .data
 * file, runs the reference interpreter on it in both byte orders and emits
 * one C file holding a struct conf_case per test (plus the skip list).  That
 * file is compiled with each target's cross gcc and linked with the
 * compiled programs (one object per target) and harness_main.c, which runs
 * on the target itself.
 */
#ifndef B2N_CONF_HARNESS_H
#define B2N_CONF_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <bpf2native/isa.h>

typedef uint64_t (*conf_prog_fn)(void *ctx, uint64_t r2);

struct conf_case {
	const char *name;            /* file stem, e.g. "add" */
	conf_prog_fn fn;             /* b2n_<stem>__prog (weak: NULL if absent) */
	const unsigned char *mem;    /* "-- mem" bytes, NULL if none */
	size_t mem_len;
	uint64_t expected;           /* "-- result" */
	const struct b2n_insn *insns; /* the program, for the on-target interpreter */
	size_t ninsns;
	int order_independent;       /* host interpreter: LE result == BE result */
	uint64_t host_le, host_be;   /* host interpreter results (for messages) */
};

struct conf_skip {
	const char *target; /* target name or "*" */
	const char *test;
	const char *reason;
};

extern const struct conf_case conf_cases[];
extern const size_t conf_ncases;
extern const struct conf_skip conf_skips[];
extern const size_t conf_nskips;

#endif
