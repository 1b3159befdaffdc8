/* ingress.bpf.c - one of two objects of example (c).  It deliberately uses
 * the same program, map and variable names as egress.bpf.c: each compiled
 * object has its own symbols (b2n_ingress__handle, b2n_object_ingress) and
 * its own maps and global data at run time. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

__u32 id = 1; /* .data */
__u64 events; /* .bss */

SEC("xdp")
int handle(void *ctx)
{
	__u32 k = 0;
	__u64 *h = bpf_map_lookup_elem(&hits, &k);
	if (h)
		__sync_fetch_and_add(h, 1);
	__sync_fetch_and_add(&events, 1);
	return id;
}

char LICENSE[] SEC("license") = "GPL";
