/*
 * kload.h - load a BPF object into the live kernel program by program
 * (tests/common, used by the kernel back ends of tests/packet and
 * tests/pkthelpers).
 *
 * Kernels differ in version and configuration: one kernel refuses a helper
 * for a program type (bpf_xdp_adjust_meta#54 without XDP metadata support),
 * another lacks a program type.  libbpf's bpf_object__load is all or
 * nothing, so one refused program would take the whole object down.
 * kload_open loads the object; when the kernel refuses it, it loads each
 * program alone (the others' autoload off) to learn which ones the kernel
 * refuses and why (the verifier log's last line), then loads the object
 * with only the accepted programs.  The caller reports each refused
 * program's cases as skipped, with that reason.
 */
#ifndef B2N_TESTS_KLOAD_H
#define B2N_TESTS_KLOAD_H

#include <stddef.h>

struct bpf_object;

#define KLOAD_MAX_REFUSED 64

struct kload {
	struct bpf_object *obj; /* loaded, with every accepted program */
	size_t nrefused;
	char refused[KLOAD_MAX_REFUSED][64]; /* program names */
	char why[KLOAD_MAX_REFUSED][256];    /* the kernel's reason */
};

/* Returns 0 (k->obj loaded, possibly without some or all of its programs),
 * 77 when bpf() is not permitted here (EPERM/ENOSYS), or a negative errno
 * with a message in err (the object cannot be opened, or its maps cannot
 * be created even without the refused programs). */
int kload_open(const char *path, struct kload *k, char *err, size_t errsz);
/* The kernel's reason for refusing program `name`, or NULL if it loaded. */
const char *kload_refused(const struct kload *k, const char *name);
void kload_close(struct kload *k);

#endif
