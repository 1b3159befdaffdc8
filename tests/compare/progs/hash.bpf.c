/*
 * hash.bpf.c - a compute kernel over packet bytes for bpf2native compare:
 * FNV-1a over the first 32 bytes of an XDP packet (direct packet access),
 * then a register-hungry mixing loop in a subprogram kept out of line, so
 * that the program has two functions and the allocator has work to do.
 */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b, __u64 c, __u64 d)
{
	for (int i = 0; i < 16; i++) {
		a += b * 0x9e3779b97f4a7c15ull;
		b ^= c >> 7;
		c += d << 3;
		d ^= a * 31 + i;
		a = (a << 13) | (a >> 51);
	}
	return a ^ b ^ c ^ d;
}

SEC("xdp")
int hash_fnv(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	if (data + 32 > data_end)
		return XDP_ABORTED;
	__u64 h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 32; i++) {
		h ^= data[i];
		h *= 0x100000001b3ull;
	}
	__u64 v[8];
	for (int i = 0; i < 8; i++)
		v[i] = h + (__u64)i * 0x1234567;
	__u64 r = mix(v[0], v[1], v[2], v[3]) + mix(v[4], v[5], v[6], v[7]);
	/* The verdict must stay a valid XDP action: fold the hash into the
	 * packet instead. */
	data[0] = (unsigned char)r;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
