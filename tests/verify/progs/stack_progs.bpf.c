/*
 * stack_progs.bpf.c - BPF C programs with realistic stack use, compiled by
 * clang-19 -O2 -target bpfel (several -mcpu levels) for the stack-depth
 * tests: arrays and structs on the stack filled by helpers, pointer
 * arithmetic on copies of r10, pointers to locals passed to subprograms,
 * subprograms with their own frames, call chains, loops with bounded
 * indexes, and a few naked-asm programs whose exact instructions matter
 * (a spilled &local, a callee reading its argument at an offset).
 *
 * Every program here is loadable by the kernel (kprobe type, GPL): the
 * kernel oracle (kernel_oracle.c) compares the kernel verifier's "stack
 * depth" with ours for each of them.  No maps or global data are used.
 */
#include <linux/bpf.h>
/* bpf_helpers.h needs the types of linux/bpf.h first */
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

char LICENSE[] SEC("license") = "GPL";

/* An array filled by a helper. */
SEC("kprobe")
int comm40(void *ctx)
{
	char buf[40];
	bpf_get_current_comm(buf, sizeof(buf));
	return buf[0] + buf[39];
}

/* A struct filled by probe_read_kernel, fields read back. */
struct rec {
	u64 a;
	u32 b;
	u8 c;
	u8 pad[3];
	u64 d[3];
};

SEC("kprobe")
int struct_read(void *ctx)
{
	struct rec r;
	bpf_probe_read_kernel(&r, sizeof(r), ctx);
	return (int)(r.b + r.c + r.d[2]);
}

/* Only the upper part of an array is handed to the helper. */
SEC("kprobe")
int half_array(void *ctx)
{
	char buf[64];
	bpf_get_current_comm(buf + 32, 32);
	return buf[40];
}

/* Two arrays, one index bounded by a comparison. */
SEC("kprobe")
int bounded_index(void *ctx)
{
	u8 tab[48];
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_probe_read_kernel(tab, sizeof(tab), ctx);
	u32 i = (u8)comm[0];
	if (i >= sizeof(tab))
		return 0;
	return tab[i];
}

/* A loop that stores into a stack array element by element. */
SEC("kprobe")
int loop_fill(void *ctx)
{
	u64 vals[12];
	u64 sum = 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 12; i++)
		vals[i] = bpf_ktime_get_ns();
#pragma clang loop unroll(disable)
	for (int i = 0; i < 12; i++)
		sum += vals[i] >> i;
	return (int)sum;
}

/* A subprogram with its own frame, and a pointer to the caller's array. */
static __attribute__((noinline)) int sum_comm(char *p, int n)
{
	char own[24];
	int s = 0;
	bpf_get_current_comm(own, sizeof(own));
	for (int i = 0; i < 8 && i < n; i++)
		s += p[i] + own[i];
	return s;
}

SEC("kprobe")
int pass_local(void *ctx)
{
	char buf[32];
	bpf_probe_read_kernel(buf, sizeof(buf), ctx);
	return sum_comm(buf + 8, 8);
}

/* A call chain: main -> level1 -> level2 -> level3, each with a frame. */
static __attribute__((noinline)) int level3(u64 x)
{
	u64 v[5];
	bpf_probe_read_kernel(v, sizeof(v), (void *)x);
	return (int)(v[0] ^ v[4]);
}

static __attribute__((noinline)) int level2(u64 x)
{
	char name[16];
	bpf_get_current_comm(name, sizeof(name));
	return level3(x + name[1]) + name[0];
}

static __attribute__((noinline)) int level1(u64 x)
{
	u32 w[20];
	bpf_probe_read_kernel(w, sizeof(w), (void *)x);
	return level2(x + w[3]) + (int)w[19];
}

SEC("kprobe")
int chain3(void *ctx)
{
	char c[8];
	bpf_get_current_comm(c, sizeof(c));
	return level1((u64)ctx + c[2]);
}

/* A subprogram without stack of its own, called twice. */
static __attribute__((noinline)) u64 mix(u64 a, u64 b)
{
	return (a * 31) ^ (b >> 3);
}

SEC("kprobe")
int no_stack_sub(void *ctx)
{
	u64 t[2];
	t[0] = bpf_ktime_get_ns();
	t[1] = bpf_get_prandom_u32();
	bpf_probe_read_kernel(t, sizeof(t[0]), ctx);
	return (int)mix(mix(t[0], t[1]), 5);
}

/* A subprogram that fills a struct through its pointer argument. */
struct pair {
	u64 x, y;
	u32 z;
};

static __attribute__((noinline)) void fill_pair(struct pair *p, void *src)
{
	bpf_probe_read_kernel(&p->y, sizeof(p->y), src);
	p->z = 7;
}

SEC("kprobe")
int fill_struct(void *ctx)
{
	struct pair ps[2];
	__builtin_memset(ps, 0, sizeof(ps));
	fill_pair(&ps[1], ctx);
	return (int)(ps[1].y + ps[1].z + ps[0].x);
}

/* A large frame: 400 bytes. */
SEC("kprobe")
int big_frame(void *ctx)
{
	u64 big[50];
	bpf_probe_read_kernel(big, sizeof(big), ctx);
	return (int)(big[0] + big[49]);
}

/* Naked programs: the exact instructions matter. */

/* r10-48 spilled at r10-8, reloaded, stored through: depth 48. */
SEC("kprobe")
__attribute__((naked)) int spill_reload(void)
{
	asm volatile("r1 = r10;"
	             "r1 += -48;"
	             "*(u64 *)(r10 - 8) = r1;"
	             "r2 = *(u64 *)(r10 - 8);"
	             "*(u8 *)(r2 + 0) = 1;"
	             "r0 = 0;"
	             "exit;" ::
	                 : "memory");
}

/* The callee reads its argument at +8: the caller's depth is 24, not 32. */
static __attribute__((naked, noinline, used)) int read_at_8(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 8);"
	             "exit;" ::
	                 : "memory");
}

SEC("kprobe")
__attribute__((naked)) int arg_offset(void)
{
	asm volatile("r1 = 0;"
	             "*(u64 *)(r10 - 24) = r1;"
	             "r1 = r10;"
	             "r1 += -32;"
	             "call read_at_8;"
	             "r0 = 0;"
	             "exit;" ::
	                 : "memory");
}

/* A byte store at -3: depth 8 on kernels >= 6.8. */
SEC("kprobe")
__attribute__((naked)) int byte_store(void)
{
	asm volatile("r1 = 1;"
	             "*(u8 *)(r10 - 3) = r1;"
	             "r0 = 0;"
	             "exit;" ::
	                 : "memory");
}

/* A stack pointer passed to a subprogram that never uses it. */
static __attribute__((naked, noinline, used)) int ignore_arg(void)
{
	asm volatile("r0 = 1;"
	             "exit;" ::
	                 : "memory");
}

SEC("kprobe")
__attribute__((naked)) int unused_arg(void)
{
	asm volatile("r1 = r10;"
	             "r1 += -64;"
	             "call ignore_arg;"
	             "exit;" ::
	                 : "memory");
}

/* ---- more realistic shapes ---------------------------------------------- */

/* A string scan with a pointer walking up a stack buffer. */
SEC("kprobe")
int strscan(void *ctx)
{
	char buf[64];
	bpf_probe_read_kernel_str(buf, sizeof(buf), ctx);
	int n = 0;
#pragma clang loop unroll(disable)
	for (char *p = buf; p < buf + sizeof(buf) && *p; p++)
		n += *p == '/';
	return n;
}

/* Eight values live across the last helper call, which only has four
 * callee-saved registers: the rest are spilled to the stack. */
SEC("kprobe")
int pressure(void *ctx)
{
	u64 a = bpf_ktime_get_ns(), b = bpf_get_prandom_u32();
	u64 c = bpf_ktime_get_ns(), d = bpf_get_prandom_u32();
	u64 e = bpf_ktime_get_ns(), f = bpf_get_prandom_u32();
	u64 g = bpf_ktime_get_ns(), h = bpf_get_prandom_u32();
	u64 k = bpf_ktime_get_ns();
	return (int)((a * k) ^ (b * k * k) ^ (c * (k + 1)) ^ (d * (k + 2)) ^ (e * (k + 3)) ^
	             (f * (k + 4)) ^ (g * (k + 5)) ^ (h * (k + 6)));
}

/* A big struct cleared with memset, some fields set, handed to a helper. */
struct big {
	u64 hdr[4];
	u32 vals[40];
	u8 tail[8];
};

SEC("kprobe")
int memset_big(void *ctx)
{
	struct big s;
	__builtin_memset(&s, 0, sizeof(s));
	s.hdr[1] = bpf_ktime_get_ns();
	s.vals[7] = 9;
	bpf_probe_read_kernel(&s.tail, sizeof(s.tail), ctx);
	return (int)(s.hdr[1] + s.vals[7] + s.tail[3] + s.hdr[3]);
}

/* An array of structs indexed by a bounded value. */
struct slot {
	u64 key;
	u32 cnt;
	u32 flags;
};

SEC("kprobe")
int struct_index(void *ctx)
{
	struct slot tab[6];
	bpf_probe_read_kernel(tab, sizeof(tab), ctx);
	u32 k = bpf_get_prandom_u32() & 3;
	tab[k].cnt++;
	return (int)(tab[k].cnt + tab[0].flags);
}

/* A 2-D array walked by nested loops. */
SEC("kprobe")
int nested_loops(void *ctx)
{
	u8 m[8][8];
	int s = 0;
	bpf_probe_read_kernel(m, sizeof(m), ctx);
#pragma clang loop unroll(disable)
	for (int r = 0; r < 8; r++)
#pragma clang loop unroll(disable)
		for (int c = 0; c < 8; c++)
			s += m[r][c] * (r + 1);
	return s;
}

/* A pointer that is one of two arrays, chosen at run time. */
SEC("kprobe")
int ptr_select(void *ctx)
{
	char a[16], b[48];
	bpf_get_current_comm(a, sizeof(a));
	bpf_probe_read_kernel(b, sizeof(b), ctx);
	char *p = (bpf_get_prandom_u32() & 1) ? a : b;
	return p[3] + p[15];
}

/* A subprogram called in a loop with pointers to successive elements. */
static __attribute__((noinline)) u64 get_elem(u64 *p)
{
	return *p * 3;
}

SEC("kprobe")
int loop_calls(void *ctx)
{
	u64 arr[4];
	u64 s = 0;
	bpf_probe_read_kernel(arr, sizeof(arr), ctx);
#pragma clang loop unroll(disable)
	for (int i = 0; i < 4; i++)
		s += get_elem(&arr[i]);
	return (int)s;
}

/* A struct copied between two locals. */
SEC("kprobe")
int struct_copy(void *ctx)
{
	struct rec x, y;
	bpf_probe_read_kernel(&x, sizeof(x), ctx);
	__builtin_memcpy(&y, &x, sizeof(y));
	y.b += 1;
	bpf_probe_read_kernel(&x, sizeof(x), &y);
	return (int)(x.b + y.d[1]);
}
