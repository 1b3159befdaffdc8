/*
 * helpers_time.c - clocks, jiffies, pseudo-random numbers and the CPU id.
 *
 * The kernel's clocks map one to one onto clock_gettime(): ktime_get_ns is
 * CLOCK_MONOTONIC, ktime_get_boot_ns CLOCK_BOOTTIME (counts suspend) and
 * ktime_get_coarse_ns CLOCK_MONOTONIC_COARSE (tick resolution); a clock the
 * C library or qemu-user refuses falls back to CLOCK_MONOTONIC.
 *
 * bpf_jiffies64: user space cannot read the kernel's HZ (sysconf(_SC_CLK_TCK)
 * is USER_HZ, always 100), so the runtime uses HZ = 250 (Debian's CONFIG_HZ),
 * or the environment variable B2N_HZ (1..100000) read at the first call.
 * Like the kernel's jiffies_64, the counter starts at INITIAL_JIFFIES =
 * (u32)(-300 * HZ) at boot (CLOCK_MONOTONIC = 0) and advances HZ times per
 * second: jiffies64 = (u32)(-300 * HZ) + CLOCK_MONOTONIC * HZ.
 *
 * bpf_get_prandom_u32: a per-thread SplitMix64 generator (good statistical
 * quality, not cryptographic, like the kernel's prandom state), seeded on
 * first use from getrandom(), or from the clock, the thread and a stack
 * address when getrandom is unavailable.  It returns the high 32 bits.
 *
 * bpf_get_smp_processor_id: the calling thread's per-CPU slot (cpu.c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"

#define B2N_DEFAULT_HZ 250

static uint64_t b2n_clock_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0 && clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t b2n_h_ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return b2n_clock_ns(CLOCK_MONOTONIC);
}

uint64_t b2n_h_ktime_get_boot_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return b2n_clock_ns(CLOCK_BOOTTIME);
}

uint64_t b2n_h_ktime_get_coarse_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return b2n_clock_ns(CLOCK_MONOTONIC_COARSE);
}

static uint32_t b2n_hz_cached; /* 0 until read */

static uint32_t b2n_hz(void)
{
	uint32_t hz = __atomic_load_n(&b2n_hz_cached, __ATOMIC_RELAXED);
	if (hz == 0) {
		const char *env = getenv("B2N_HZ");
		long v = 0;
		if (env && *env) {
			char *end = NULL;
			v = strtol(env, &end, 10);
			if (*end || v < 1 || v > 100000)
				v = 0;
		}
		hz = v ? (uint32_t)v : B2N_DEFAULT_HZ;
		__atomic_store_n(&b2n_hz_cached, hz, __ATOMIC_RELAXED);
	}
	return hz;
}

uint64_t b2n_h_jiffies64(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct timespec ts;
	uint64_t hz = b2n_hz();
	uint64_t initial = (uint32_t)(-(int64_t)300 * (int64_t)hz);
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return initial;
	return initial + (uint64_t)ts.tv_sec * hz + (uint64_t)ts.tv_nsec * hz / 1000000000u;
}

static _Thread_local uint64_t b2n_prng_state;
static _Thread_local int b2n_prng_seeded;

static void b2n_prng_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		int local;
		seed = b2n_clock_ns(CLOCK_MONOTONIC) ^ ((uint64_t)getpid() << 32) ^
		       (uint64_t)(uintptr_t)&local ^ (uint64_t)(uintptr_t)pthread_self();
	}
	b2n_prng_state = seed;
	b2n_prng_seeded = 1;
}

uint64_t b2n_h_get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t z;
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (!b2n_prng_seeded)
		b2n_prng_seed();
	z = (b2n_prng_state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return z >> 32;
}

uint64_t b2n_h_get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint32_t)b2n_rt_cpu();
}
