/*
 * simple.bpf.c - the subset that Debian's gcc-bpf 12 compiles (built with
 * -gbtf, and by clang too): BTF-defined array and hash maps, .data/.bss
 * globals, a static subprogram, with its own helper declarations
 * (gcc-bpf rejects some of libbpf's).  Compiled under the object names
 * simple (clang) and simple_gcc (gcc-bpf); the same test checks both.
 */
#include "progs_bpf.h"

/* No system headers: gcc-bpf has none. Kernel uapi values. */
typedef t_u32 __u32;
typedef t_u64 __u64;
#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_NOEXIST 1

#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) __typeof__(val) *name

#if defined(__clang__)
static void *(*map_lookup)(void *map, const void *key) = (void *)1;
static long (*map_update)(void *map, const void *key, const void *value,
                          unsigned long long flags) = (void *)2;
static long (*map_delete)(void *map, const void *key) = (void *)3;
#else /* gcc-bpf 12: calls through the pointers above are "indirect calls" */
void *map_lookup(void *map, const void *key) __attribute__((kernel_helper(1)));
long map_update(void *map, const void *key, const void *value, unsigned long long flags)
    __attribute__((kernel_helper(2)));
long map_delete(void *map, const void *key) __attribute__((kernel_helper(3)));
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} s_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} s_hash SEC(".maps");

struct s_data sd = {.calls = 100, .mult = 7}; /* .data */
__u64 s_last;                                 /* .bss */

static __noinline __u64 s_scale(__u64 v, __u64 k)
{
	return v * sd.mult + k;
}

/* a[0] = key, a[1] = amount: s_arr[key] += s_scale(amount, key); s_hash
 * counts the calls per key; a[2] != 0 deletes the hash key instead. */
SEC("raw_tp")
int simple_add(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	if (ctx->a[2])
		return (int)map_delete(&s_hash, &key);
	__u64 *v = map_lookup(&s_arr, &key);
	if (!v)
		return -1;
	*v += s_scale(ctx->a[1], key);
	sd.calls++;
	s_last = *v;
	__u32 *c = map_lookup(&s_hash, &key);
	if (c) {
		*c += 1;
	} else {
		__u32 one = 1;
		long r = map_update(&s_hash, &key, &one, BPF_NOEXIST);
		if (r)
			return (int)r;
	}
	return (int)*v;
}

char LICENSE[] SEC("license") = "GPL";
