/*
 * native.c - the compute kernels of progs/kernels.h compiled natively
 * (clang-19 -O2): the physical limit the suite compares against.
 *
 * Each kernel is wrapped in a noinline function in its own translation
 * unit, so that the runner's timing loop cannot see its body (no hoisting
 * of a call whose input does not change).  `loop` runs bpf_loop's step in
 * a plain for loop; the map and tail-call programs have no native twin.
 */
#include "progs/kernels.h"

#include "bench.h"

#define NAT(name)                                                                                  \
	__attribute__((noinline)) uint64_t nat_##name(uint8_t *d, const uint8_t *end)              \
	{                                                                                          \
		return k_##name(d, end);                                                           \
	}

NAT(fnv1a)
NAT(crc32)
NAT(sort)
NAT(parse)
NAT(rewrite)
NAT(lpm)
NAT(jhash)
NAT(strmatch)
NAT(fsm)

__attribute__((noinline)) uint64_t nat_loop(uint8_t *d, const uint8_t *end)
{
	__u8 buf[64];
	if (d + 64 > end)
		return 0;
	__builtin_memcpy(buf, d, 64);
	__u64 acc = 1;
	for (__u32 i = 0; i < 64; i++)
		acc = b_loop_step(i, acc, buf);
	return acc;
}

__attribute__((noinline)) uint64_t nat_empty(uint8_t *d, const uint8_t *end)
{
	(void)d, (void)end;
	return 2; /* XDP_PASS, as the XDP `empty` */
}
