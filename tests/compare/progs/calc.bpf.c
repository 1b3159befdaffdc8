/*
 * calc.bpf.c - a program with an opaque context for bpf2native compare: a
 * raw tracepoint that reads its first two arguments (the input bytes are
 * its ctx), so it runs natively through b2n_program__run and in the
 * kernel through BPF_PROG_TEST_RUN with ctx_in (which refuses repeat for
 * this type: the timing column says so).  Wide live ranges, 32-bit
 * arithmetic (JMP32 at -mcpu=v3), a modulo.
 */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int calc(__u64 *ctx)
{
	__u32 a = (__u32)ctx[0], b = (__u32)(ctx[0] >> 32), c = (__u32)ctx[1], d = 4;
	__u32 e = 5, f = 6, g = 7, h = (__u32)(ctx[1] >> 32);
	for (__u32 i = 0; i < 64; i++) {
		a = a * 33 + h;
		b ^= a >> 3;
		c += b * 7;
		d = (d << 5) | (d >> 27);
		e += c ^ d;
		f = f * 3 + e;
		g ^= f >> 11;
		h += g + i;
		if (h % 7 == 3)
			a += 1;
	}
	return (int)((a ^ b ^ c ^ d ^ e ^ f ^ g ^ h) % 1000003u);
}

char LICENSE[] SEC("license") = "GPL";
