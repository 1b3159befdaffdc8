/*
 * main.c - calls the natively compiled hello_sum program.
 *
 * bpf2native turned hello.bpf.o (object name "hello", program "hello_sum")
 * into the native function b2n_hello__hello_sum with the ABI
 *     uint64_t f(void *ctx, uint64_t r2)
 * This file fills a context, calls it, recomputes the same value in plain C
 * and prints both.  Exit status 0 iff they agree.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hello.h"

uint64_t b2n_hello__hello_sum(void *ctx, uint64_t r2);

#ifndef HELLO_TARGET
#define HELLO_TARGET "native"
#endif

int main(int argc, char **argv)
{
	const char *msg = argc > 1 ? argv[1] : "Hello, bpf2native!";
	struct hello_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.len = (unsigned int)strlen(msg);
	if (ctx.len > HELLO_MAX)
		ctx.len = HELLO_MAX;
	memcpy(ctx.data, msg, ctx.len);

	uint64_t got = b2n_hello__hello_sum(&ctx, 0);

	uint32_t h = 2166136261u;
	uint64_t sum = 0;
	for (unsigned int i = 0; i < ctx.len; i++) {
		h = (h ^ ctx.data[i]) * 16777619u;
		sum += ctx.data[i];
	}
	uint64_t want = sum << 32 | h;

	printf("hello[%s]: \"%.*s\": byte sum %" PRIu64 ", fnv1a 0x%08" PRIx32
	       " -> r0 = 0x%016" PRIx64 " (%s)\n",
	       HELLO_TARGET, (int)ctx.len, msg, got >> 32, (uint32_t)got, got,
	       got == want ? "matches the C computation" : "MISMATCH");
	return got == want ? 0 : 1;
}
