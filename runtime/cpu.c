/*
 * cpu.c - the runtime's notion of a CPU, for per-CPU maps and
 * bpf_get_smp_processor_id.
 *
 * A "CPU" is a slot number in [0, b2n_rt_ncpus()).  Each thread gets its
 * slot the first time it asks (a thread-local variable), round-robin from a
 * process-wide atomic counter, and keeps it for its lifetime, so two
 * threads share a slot only when there are more threads than slots.  The
 * number of slots is fixed at the first call: the environment variable
 * B2N_NR_CPUS (a decimal number 1..B2N_MAX_CPUS) when set and valid,
 * otherwise sysconf(_SC_NPROCESSORS_CONF) (the kernel's "possible CPUs" is
 * the closest portable notion).  Maps size their per-CPU storage from it,
 * so it must not change afterwards; racing first calls compute the same
 * value, so a relaxed publish is enough.
 */
#include <stdlib.h>
#include <unistd.h>

#include "runtime_internal.h"

#define B2N_MAX_CPUS 4096

static int b2n_ncpus_cached; /* 0 until computed */
static int b2n_next_slot;
static _Thread_local int b2n_my_slot = -1;

static int b2n_ncpus_compute(void)
{
	const char *env = getenv("B2N_NR_CPUS");
	long n = 0;
	if (env && *env) {
		char *end = NULL;
		n = strtol(env, &end, 10);
		if (*end || n < 1 || n > B2N_MAX_CPUS)
			n = 0;
	}
	if (n == 0) {
		n = sysconf(_SC_NPROCESSORS_CONF);
		if (n < 1)
			n = 1;
		if (n > B2N_MAX_CPUS)
			n = B2N_MAX_CPUS;
	}
	return (int)n;
}

int b2n_rt_ncpus(void)
{
	int n = __atomic_load_n(&b2n_ncpus_cached, __ATOMIC_RELAXED);
	if (n == 0) {
		n = b2n_ncpus_compute();
		__atomic_store_n(&b2n_ncpus_cached, n, __ATOMIC_RELAXED);
	}
	return n;
}

int b2n_rt_cpu(void)
{
	if (b2n_my_slot < 0) {
		unsigned t = (unsigned)__atomic_fetch_add(&b2n_next_slot, 1, __ATOMIC_RELAXED);
		b2n_my_slot = (int)(t % (unsigned)b2n_rt_ncpus());
	}
	return b2n_my_slot;
}
