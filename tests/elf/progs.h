/*
 * progs.h - context and program list shared by the BPF test programs
 * (progs.c, compiled for BPF by clang and gcc-bpf, and natively as the
 * oracle) and by the tests that read them.
 *
 * ELF_TEST_PROGS lists every program the ELF reader must find in the
 * objects built from progs.c: X(name, section, nfuncs), nfuncs being the
 * number of functions (entry and reachable subprograms) of the program.  Every program takes a
 * struct elf_ctx pointer in r1 and returns a 64-bit value computed from it.
 */
#ifndef ELF_TEST_PROGS_H
#define ELF_TEST_PROGS_H

struct elf_ctx {
	unsigned int w[16];
	unsigned long long q[8];
	unsigned char b[64];
};

#define ELF_TEST_PROGS(X)                                                                          \
	X(sum_words, "xdp", 2)                                                                     \
	X(hash_bytes, "xdp", 2)                                                                    \
	X(in_section_sub, "xdp", 2)                                                                \
	X(mix_calls, "tc", 5)                                                                      \
	X(switchy, "socket", 3)                                                                    \
	X(shared_entry, "socket", 1)                                                               \
	X(deep_calls, "classifier/deep", 6)                                                        \
	X(qmath, "kprobe/qmath", 1)                                                                \
	X(bubble, "tracepoint/sort", 1)                                                            \
	X(collatz, "xdp.frags", 1)

#endif
