/*
 * targets.h - the one internal header of targets/: a target is data.
 *
 * struct b2n_target describes one native target (from targets.def): what
 * LLVM needs to build a target machine, the byte order the BPF input must
 * have, how tail calls are emitted, and how tests link and run for it.
 * No LLVM type appears here, so the driver can use it too.
 */
#ifndef B2N_TARGETS_H
#define B2N_TARGETS_H

#include <stdio.h>

/* How a tail call is emitted on a target. */
enum b2n_tailcall {
	B2N_TC_MUSTTAIL,         /* LLVM musttail, honoured by the backend */
	B2N_TC_MUSTTAIL_CHECKED, /* musttail, but the backend does not check it:
	                            keep the call's signature register-only */
	B2N_TC_LOOP,             /* no guaranteed tail calls: chain in a loop */
};

struct b2n_target {
	const char *name;
	const char *triple;
	const char *cpu;
	const char *features;
	int big_endian;
	enum b2n_tailcall tailcall;
	const char *gnu;     /* Debian cross prefix, e.g. sparc64-linux-gnu */
	const char *qemu;    /* qemu-user binary, "" when native */
	const char *aliases; /* space separated */
	const char *abi;     /* LLVM ABI name, "" for the default */
};

/* Look a target up by short name, alias or triple; NULL if unknown. */
const struct b2n_target *b2n_target__find(const char *name);
const struct b2n_target *b2n_target__default(void);
/* Print the table (for -target help). */
void b2n_target__list(FILE *out);
size_t b2n_target__count(void);
/* -mcpu: whether LLVM knows CPU `cpu` for target t; the list (-mcpu help);
 * and the check that reports an unknown one (one error line, a note naming
 * -mcpu help, a "did you mean" when a name is close), returning -EINVAL. */
int b2n_target__has_cpu(const struct b2n_target *t, const char *cpu);
void b2n_target__list_cpus(const struct b2n_target *t, FILE *out);
int b2n_target__check_cpu(const struct b2n_target *t, const char *cpu);
const struct b2n_target *b2n_target__at(size_t i);

#endif
