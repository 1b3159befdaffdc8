/*
 * runtime_internal.h - private helpers shared by the runtime's .c files.
 *
 * Only portable C11 lives here: byte swaps written with shifts (the compiler
 * recognises them and emits the target's swap instruction where it has one)
 * and unaligned-safe memory accesses through memcpy, optionally in the byte
 * order opposite to the host's.  Nothing here is exported from the library:
 * every function is static inline, and the library is built with
 * -fvisibility=hidden anyway.
 */
#ifndef BPF2NATIVE_RUNTIME_INTERNAL_H
#define BPF2NATIVE_RUNTIME_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <bpf2native/runtime.h>

static inline uint16_t b2n_rt_bswap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static inline uint32_t b2n_rt_bswap32(uint32_t v)
{
	return ((v & 0x000000ffu) << 24) | ((v & 0x0000ff00u) << 8) | ((v & 0x00ff0000u) >> 8) |
	       ((v & 0xff000000u) >> 24);
}

static inline uint64_t b2n_rt_bswap64(uint64_t v)
{
	return ((uint64_t)b2n_rt_bswap32((uint32_t)v) << 32) | b2n_rt_bswap32((uint32_t)(v >> 32));
}

/* Swap the low `bytes` bytes of v (1, 2, 4 or 8); the result is truncated to
 * that width, zero-extended. */
static inline uint64_t b2n_rt_swap_width(uint64_t v, int bytes)
{
	switch (bytes) {
	case 1:
		return (uint8_t)v;
	case 2:
		return b2n_rt_bswap16((uint16_t)v);
	case 4:
		return b2n_rt_bswap32((uint32_t)v);
	default:
		return b2n_rt_bswap64(v);
	}
}

/* Truncate v to `bytes` bytes, zero-extended. */
static inline uint64_t b2n_rt_trunc(uint64_t v, int bytes)
{
	return bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

/* Load `bytes` bytes at p as an unsigned value; swap when `swap` is set
 * (the emulated byte order differs from the host's). */
static inline uint64_t b2n_rt_load(const void *p, int bytes, int swap)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	uint64_t b64;
	switch (bytes) {
	case 1:
		memcpy(&b8, p, 1);
		return b8;
	case 2:
		memcpy(&b16, p, 2);
		return swap ? b2n_rt_bswap16(b16) : b16;
	case 4:
		memcpy(&b32, p, 4);
		return swap ? b2n_rt_bswap32(b32) : b32;
	default:
		memcpy(&b64, p, 8);
		return swap ? b2n_rt_bswap64(b64) : b64;
	}
}

/* Store the low `bytes` bytes of v at p, swapped when `swap` is set. */
static inline void b2n_rt_store(void *p, int bytes, uint64_t v, int swap)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	switch (bytes) {
	case 1:
		b8 = (uint8_t)v;
		memcpy(p, &b8, 1);
		break;
	case 2:
		b16 = (uint16_t)v;
		if (swap)
			b16 = b2n_rt_bswap16(b16);
		memcpy(p, &b16, 2);
		break;
	case 4:
		b32 = (uint32_t)v;
		if (swap)
			b32 = b2n_rt_bswap32(b32);
		memcpy(p, &b32, 4);
		break;
	default:
		if (swap)
			v = b2n_rt_bswap64(v);
		memcpy(p, &v, 8);
		break;
	}
}

/* Sign-extend the low `bits` bits of v to 64 bits. */
static inline uint64_t b2n_rt_sext(uint64_t v, int bits)
{
	uint64_t m;
	if (bits >= 64)
		return v;
	m = UINT64_C(1) << (bits - 1);
	v &= (UINT64_C(1) << bits) - 1;
	return (v ^ m) - m;
}

#endif
