/*
 * hello.bpf.c - the bpf2native example program, plain BPF C.
 *
 * The context is a small buffer: a length and up to 60 bytes.  The program
 * "hello_sum" (section "hello") returns, in one 64-bit r0, the byte sum in
 * the upper half and the FNV-1a hash of the bytes in the lower half.  The
 * hash lives in a .text subprogram (a real BPF-to-BPF call, noinline), so
 * the example also shows local calls.  Build with clang-19 -target bpfel
 * (little-endian targets) or -target bpfeb (sparcv9, s390x): the context
 * layout follows the target's byte order, like any C struct.
 */
#include "hello.h"

static __attribute__((noinline)) unsigned int fnv1a(const unsigned char *p, unsigned int len)
{
	unsigned int h = 2166136261u;
	for (unsigned int i = 0; i < len && i < HELLO_MAX; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

__attribute__((section("hello"), used)) unsigned long hello_sum(struct hello_ctx *ctx)
{
	unsigned long sum = 0;
	unsigned int len = ctx->len;
	for (unsigned int i = 0; i < len && i < HELLO_MAX; i++)
		sum += ctx->data[i];
	return sum << 32 | fnv1a(ctx->data, len);
}

char _license[] __attribute__((section("license"), used)) = "GPL";
