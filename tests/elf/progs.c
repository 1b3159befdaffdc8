/*
 * progs.c - BPF test programs for the ELF reader and the end-to-end tests.
 *
 * The same source is compiled three ways: by clang (-target bpfel/bpfeb,
 * -mcpu=v1..v4), by gcc-bpf, and natively (host or cross gcc) where its
 * functions are the oracle the compiled programs are compared with.  It
 * covers several programs in one section, static and global subprograms in
 * .text, subprograms calling subprograms, a static subprogram placed in a
 * program section, a call into another program section, loops and switch
 * statements.  Arithmetic is unsigned (no C undefined behaviour) and no
 * divisor can be zero, so BPF and C semantics agree.
 */
#include "progs.h"

#if defined(__bpf__) || defined(__BPF__)
#define SEC(x) __attribute__((section(x), used))
#define IN_SEC(x) __attribute__((section(x)))
#else
#define SEC(x)
#define IN_SEC(x)
#endif
#define NOINLINE __attribute__((noinline))

typedef unsigned long long u64;
typedef unsigned int u32;

/* .text: static and global subprograms, one calling another. */
static NOINLINE u64 mix64(u64 x, u64 k)
{
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL + k;
	x ^= x >> 32;
	return x;
}

NOINLINE u64 fold(u64 a, u64 b)
{
	return mix64(a, 3) + mix64(b, 7) * 3;
}

static NOINLINE u32 fnv_step(u32 h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

NOINLINE u64 level3(u64 x)
{
	return fold(x, x + 1) ^ 0x5555;
}

static NOINLINE u64 level2(u64 x, u64 y)
{
	return level3(x * 3 + y) + (y & 0xff);
}

NOINLINE u64 level1(u64 x)
{
	return level2(x, x >> 3) + level3(x);
}

/* A static subprogram that lives in a program section. */
static NOINLINE IN_SEC("xdp") u64 xdp_local(const struct elf_ctx *c, u32 k)
{
	return (u64)c->w[k & 15] * 31 + c->b[k & 63];
}

SEC("xdp") long sum_words(struct elf_ctx *c)
{
	u64 s = 0;
	for (u32 i = 0; i < 16; i++)
		s += (u64)c->w[i] * (i + 1);
	return (long)(s + xdp_local(c, 5));
}

SEC("xdp") long hash_bytes(struct elf_ctx *c)
{
	u32 h = 2166136261u;
	for (u32 i = 0; i < 64; i++)
		h = fnv_step(h, c->b[i]);
	return (long)h;
}

SEC("xdp") long in_section_sub(struct elf_ctx *c)
{
	return (long)(xdp_local(c, c->w[1]) ^ xdp_local(c, c->w[2]));
}

/* Global, in "socket": a program and the target of a cross-section call. */
SEC("socket") NOINLINE long shared_entry(struct elf_ctx *c)
{
	u64 s = 0;
	for (u32 i = 0; i < 8; i++)
		s = s * 1000003 + (c->q[i] ^ (c->q[i] >> 17));
	return (long)s;
}

static NOINLINE IN_SEC("tc") u64 tc_local(u64 a)
{
	return a * a + 1;
}

SEC("tc") long mix_calls(struct elf_ctx *c)
{
	u64 r = fold(c->q[0], c->q[1]);
	r += tc_local(c->w[3]);
	r ^= (u64)shared_entry(c);
	r += mix64(c->w[4], 11);
	return (long)r;
}

SEC("socket") long switchy(struct elf_ctx *c)
{
	u64 acc = 0;
	for (u32 i = 0; i < 16; i++) {
		switch (c->w[i] % 11) {
		case 0:
			acc += 3;
			break;
		case 1:
			acc *= 5;
			break;
		case 2:
			acc ^= c->q[i & 7];
			break;
		case 3:
			acc -= c->w[i];
			break;
		case 4:
			acc += (u64)c->b[i] << 8;
			break;
		case 5:
			acc = acc >> 1 | acc << 63;
			break;
		case 7:
			acc += fold(acc, i);
			break;
		case 9:
			acc |= 1ULL << (c->w[i] & 63);
			break;
		default:
			acc += i * 7;
			break;
		}
	}
	return (long)acc;
}

SEC("classifier/deep") long deep_calls(struct elf_ctx *c)
{
	return (long)(level1(c->q[2]) + level1(c->w[0]));
}

SEC("kprobe/qmath") long qmath(struct elf_ctx *c)
{
	u64 a = c->q[3], b = c->q[4] | 1;
	u32 x = c->w[5], y = c->w[6] | 1;
	u64 r = a / b + a % (b + 2);
	r += x / y + x % (y * 3 + 1);
	r += (a >> (c->w[7] & 63)) + (x << (c->w[8] & 31));
	return (long)r;
}

SEC("tracepoint/sort") long bubble(struct elf_ctx *c)
{
	u32 v[12];
	u64 r = 0;
	for (u32 i = 0; i < 12; i++)
		v[i] = c->w[i] ^ c->b[i];
	for (u32 i = 0; i < 12; i++)
		for (u32 j = 0; j + 1 < 12 - i; j++)
			if (v[j] > v[j + 1]) {
				u32 t = v[j];
				v[j] = v[j + 1];
				v[j + 1] = t;
			}
	for (u32 i = 0; i < 12; i++)
		r = r * 31 + v[i];
	return (long)r;
}

SEC("xdp.frags") long collatz(struct elf_ctx *c)
{
	u64 n = (c->w[9] & 0xffff) + 1, steps = 0;
	while (n != 1 && steps < 1000) {
		n = n & 1 ? 3 * n + 1 : n / 2;
		steps++;
	}
	return (long)(steps * 1000 + (n & 0xff));
}
