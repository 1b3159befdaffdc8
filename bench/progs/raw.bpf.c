/*
 * raw.bpf.c - the loop-free and loop kernels as ctx-free programs:
 * r1 = a pointer to the B_IN_LEN-byte input, no context, no helpers, no
 * maps, no global data.  This is the bytecode DPDK's librte_bpf (JIT and
 * interpreter; argument RTE_BPF_ARG_PTR of B_IN_LEN bytes) and our
 * reference interpreter run, and bpf2native runs it too (b2n_program__run)
 * so that the DPDK and interpreter ratios compare the same bytecode.
 * The end pointer goes through an empty asm so that clang keeps the
 * bounds checks (as in the XDP build); the result is the full 64 bits.
 */
#include <linux/bpf.h>
/* (linux/bpf.h first: bpf_helpers.h needs its types) */
#include <bpf/bpf_helpers.h>

#include "kernels.h"

char LICENSE[] SEC("license") = "GPL";

#define RAW_KERNEL(name)                                                                           \
	SEC("raw") __u64 name##_raw(__u8 *d)                                                       \
	{                                                                                          \
		__u8 *end = d + B_IN_LEN;                                                          \
		asm volatile("" : "+r"(end));                                                      \
		return k_##name(d, end);                                                           \
	}

RAW_KERNEL(fnv1a)
RAW_KERNEL(crc32)
RAW_KERNEL(sort)
RAW_KERNEL(parse)
RAW_KERNEL(rewrite)
RAW_KERNEL(lpm)
RAW_KERNEL(jhash)
RAW_KERNEL(strmatch)
RAW_KERNEL(fsm)

/* the harness: b2n_program__run / rte_bpf_exec / the JIT call itself */
SEC("raw") __u64 empty_raw(__u8 *d)
{
	(void)d;
	return 2; /* XDP_PASS, as the XDP `empty` */
}
