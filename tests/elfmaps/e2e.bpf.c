/*
 * e2e.bpf.c - end to end through the ELF frontend: a hash map, an array,
 * globals in .data, .rodata, .bss (global and static) and a string in
 * .rodata.str1.1, used from a program and a static subprogram, compiled by
 * bpf2native for every target and driven by e2e_main.c through libb2n.h.
 *
 * ctx: a[0] = key, a[1] = amount.  hash[key] += amount * scale (inserted
 * when missing), arr[key % 4] counts calls, g_total sums the amounts,
 * s_calls (static .bss) counts calls.  Returns the new hash value plus
 * g_bias, or -1 on a failed update.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ctx {
	__u64 a[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} arr SEC(".maps");

__u64 g_total = 1000;                 /* .data */
const volatile __u64 g_scale = 3;     /* .rodata */
__u64 g_bias;                         /* .bss, set by the application */
static __u64 s_calls;                 /* .bss, static */
char g_name[8] = "e2e";               /* .data */

static __attribute__((noinline)) __u64 scaled(__u64 v)
{
	return v * g_scale;
}

SEC("raw_tp")
int e2e_add(struct ctx *c)
{
	__u32 key = (__u32)c->a[0], slot = key % 4;
	__u64 add = scaled(c->a[1]);
	__u32 *cnt = bpf_map_lookup_elem(&arr, &slot);
	if (cnt)
		*cnt += 1;
	g_total += c->a[1];
	s_calls++;
	__u64 *v = bpf_map_lookup_elem(&hash, &key);
	if (!v) {
		if (bpf_map_update_elem(&hash, &key, &add, BPF_NOEXIST))
			return -1;
		return (int)(add + g_bias);
	}
	*v += add;
	return (int)(*v + g_bias);
}

SEC("raw_tp")
int e2e_calls(struct ctx *c)
{
	char want[4] = "e2e";
	if (bpf_strncmp(g_name, 4, "e2e") != 0 || want[0] != g_name[0])
		return -2;
	return (int)s_calls;
}

char LICENSE[] SEC("license") = "GPL";
