/* egress.bpf.c - the other object of example (c): same names as
 * ingress.bpf.c, a hash map instead of an array, and a subprogram. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

__u32 id = 2; /* .data */
__u64 events; /* .bss */

static __attribute__((noinline)) __u32 bucket(__u64 n)
{
	return (__u32)(n % 4);
}

SEC("tc")
int handle(void *ctx)
{
	__u64 n = __sync_fetch_and_add(&events, 1);
	__u32 k = bucket(n);
	__u64 one = 1, *h = bpf_map_lookup_elem(&hits, &k);
	if (h)
		__sync_fetch_and_add(h, 1);
	else
		bpf_map_update_elem(&hits, &k, &one, BPF_NOEXIST);
	return id;
}

char LICENSE[] SEC("license") = "GPL";
