/*
 * maps_basic.bpf.c - the six plain map families (array, percpu_array, hash,
 * percpu_hash, lru_hash, lru_percpu_hash) and global data of every kind
 * (.data, .rodata, .bss, a custom .data.custom and .rodata.custom section),
 * through static and global subprograms.
 *
 * Every program is SEC("raw_tp") and reads its arguments from the context
 * (struct pctx: a[0..7]); results depend on the map state and the globals,
 * so the application (maps_basic_test.c) and the kernel agreement test can
 * check both the return values and the contents afterwards.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

#include "progs_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct mb_hval);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u32);
} lru_pcpu SEC(".maps");

/* Global data of every kind. */
__u64 counter = 5;                                                         /* .data */
const volatile struct mb_ro cfg = {.scale = 3, .greeting = "hello, maps"}; /* .rodata */
struct mb_stats stats;                                                     /* .bss */
__u64 custom_val SEC(".data.custom") = 77;                                 /* custom data section */
const __u32 custom_ro[2] SEC(".rodata.custom") = {1000, 2000};

/* A static subprogram (BPF-to-BPF call, not inlined). */
static __noinline __u64 mix(__u64 a, __u64 b)
{
	return a * 31 + (b ^ 0x5a);
}

/* A global subprogram: verified on its own by the kernel. */
__noinline int hash_count_sum(__u32 nkeys)
{
	__u64 sum = 0;
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < 8; i++) {
		__u32 k = i;
		if (k >= nkeys)
			break;
		struct mb_hval *v = bpf_map_lookup_elem(&hash, &k);
		if (v)
			sum += v->count;
	}
	return (int)sum;
}

/* a[0] = key, a[1] = amount: arr[key] += amount; uses every global. */
SEC("raw_tp")
int array_add(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 *v = bpf_map_lookup_elem(&arr, &key);
	if (!v)
		return -1;
	*v += ctx->a[1];
	counter += 1;
	stats.total += *v * cfg.scale;
	stats.hist[key & 3]++;
	return (int)*v;
}

/* a[0] = key, a[1] = value, a[2] = flags: update from the program side. */
SEC("raw_tp")
int array_update(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 val = ctx->a[1];
	return (int)bpf_map_update_elem(&arr, &key, &val, ctx->a[2]);
}

/* a[0] = key, a[1] = amount: this CPU's slot of pcpu_arr[key] += amount. */
SEC("raw_tp")
int percpu_array_add(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 *v = bpf_map_lookup_elem(&pcpu_arr, &key);
	if (!v)
		return -1;
	*v += ctx->a[1];
	return (int)*v;
}

/* a[0] = key, a[1] = count, a[2] = flags: update, return the error code. */
SEC("raw_tp")
int hash_update(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	struct mb_hval v = {.count = ctx->a[1], .key = key, .flags = (__u32)ctx->a[2]};
	return (int)bpf_map_update_elem(&hash, &key, &v, ctx->a[2]);
}

/* a[0] = key: delete, return the error code. */
SEC("raw_tp")
int hash_delete(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	return (int)bpf_map_delete_elem(&hash, &key);
}

/* a[0] = key, a[1] = amount: count += amount in place; -2 when missing. */
SEC("raw_tp")
int hash_bump(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	struct mb_hval *v = bpf_map_lookup_elem(&hash, &key);
	if (!v)
		return -2;
	__sync_fetch_and_add(&v->count, ctx->a[1]);
	return (int)v->count;
}

/* a[0] = number of keys to sum (global subprogram). */
SEC("raw_tp")
int hash_sum(struct pctx *ctx)
{
	return hash_count_sum((__u32)ctx->a[0]);
}

/* a[0] = key, a[1] = amount: pcpu_hash[key] += mix(amount, key). */
SEC("raw_tp")
int percpu_hash_add(struct pctx *ctx)
{
	__u64 key = ctx->a[0];
	__u64 add = mix(ctx->a[1], key);
	__u64 *v = bpf_map_lookup_elem(&pcpu_hash, &key);
	if (!v) {
		long r = bpf_map_update_elem(&pcpu_hash, &key, &add, BPF_NOEXIST);
		return r ? (int)r : (int)add;
	}
	*v += add;
	return (int)*v;
}

/* a[0] = key, a[1] = value: set lru[key] and lru_pcpu[key], read back. */
SEC("raw_tp")
int lru_set(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 val = ctx->a[1];
	__u32 val32 = (__u32)val + 1;
	long r = bpf_map_update_elem(&lru, &key, &val, BPF_ANY);
	if (r)
		return (int)r;
	r = bpf_map_update_elem(&lru_pcpu, &key, &val32, BPF_ANY);
	if (r)
		return (int)r;
	__u64 *v = bpf_map_lookup_elem(&lru, &key);
	__u32 *w = bpf_map_lookup_elem(&lru_pcpu, &key);
	if (!v || !w)
		return -100;
	return (int)(*v + *w);
}

/* a[0] = key: lru[key] or -2. */
SEC("raw_tp")
int lru_get(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 *v = bpf_map_lookup_elem(&lru, &key);
	return v ? (int)*v : -2;
}

/* Reads every kind of global data; a[0] selects a hist slot to bump. */
SEC("raw_tp")
int globals(struct pctx *ctx)
{
	__u32 i = (__u32)ctx->a[0] & 3;
	stats.hist[i] += 10;
	custom_val += counter;
	return (int)(counter + cfg.scale + custom_val + custom_ro[i & 1] + cfg.greeting[1] +
	             stats.hist[i]);
}

char LICENSE[] SEC("license") = "GPL";
