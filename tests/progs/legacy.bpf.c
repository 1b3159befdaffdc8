/*
 * legacy.bpf.c - a map defined the pre-BTF way, struct bpf_map_def in the
 * "maps" section (libbpf 1.x no longer loads these; bpf2native does), next
 * to a BTF-defined one.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

#include "progs_bpf.h"

struct legacy_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct legacy_map_def legacy_hash SEC("maps") = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 8,
};

struct legacy_map_def legacy_arr SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u32),
    .max_entries = 2,
};

/* a[0] = key, a[1] = amount: legacy_hash[key] += amount (inserting it),
 * legacy_arr[0] counts calls.  Returns the new value. */
SEC("raw_tp")
int legacy_add(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0], zero = 0;
	__u32 *calls = bpf_map_lookup_elem(&legacy_arr, &zero);
	if (calls)
		*calls += 1;
	__u64 *v = bpf_map_lookup_elem(&legacy_hash, &key);
	if (!v) {
		__u64 init = ctx->a[1];
		return (int)bpf_map_update_elem(&legacy_hash, &key, &init, BPF_NOEXIST)
		           ?: (int)init;
	}
	*v += ctx->a[1];
	return (int)*v;
}

char LICENSE[] SEC("license") = "GPL";
