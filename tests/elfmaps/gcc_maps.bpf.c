/*
 * gcc_maps.bpf.c - what Debian's gcc-bpf 12 (-gbtf) compiles of
 * maps.bpf.c: no system headers (it has none), helpers declared with
 * kernel_helper (it rejects libbpf's calls through helper pointers).
 * BTF-defined maps (with a spin lock value, an array-of-maps with an inner
 * definition and initial values), global data of every kind, static
 * variables (gcc names their symbols), a member address, and a bpf_loop
 * callback.  elfmaps_test.c checks it like the clang objects.
 */
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef unsigned char __u8;

#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __array(name, val) __typeof__(val) *name[]

struct bpf_spin_lock {
	__u32 val;
};

void *map_lookup(void *map, const void *key) __attribute__((kernel_helper(1)));
long bpf_loop(__u32 n, void *cb, void *ctx, __u64 flags) __attribute__((kernel_helper(181)));

struct val {
	__u64 a;
	struct bpf_spin_lock lock;
	__u32 b;
};

struct {
	__uint(type, 1);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct val);
	__uint(map_flags, 1);
} m_hash SEC(".maps");

struct {
	__uint(type, 2);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 24);
} m_array SEC(".maps");

struct inner_def {
	__uint(type, 2);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_def m_inner_a SEC(".maps"), m_inner_b SEC(".maps");

struct {
	__uint(type, 12);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} m_aom SEC(".maps") = {
	.values = {[1] = &m_inner_a, [3] = &m_inner_b},
};

__u64 g_data = 0x1122334455667788ULL;
struct dpair {
	__u32 x, y;
} g_pair = {0xa1, 0xb2};
const volatile __u32 g_ro[4] = {10, 20, 30, 40};
__u64 g_bss;
static __u64 s_bss_a, s_bss_b;
static __u32 s_data = 0x5a5a;
__u64 g_custom SEC(".data.custom") = 99;
const volatile __u32 g_ro_custom SEC(".rodata.custom") = 7;

SEC("raw_tp")
int use_maps(void *ctx)
{
	__u32 k = 0;
	long n = 0;
	n += !!map_lookup(&m_hash, &k);
	n += !!map_lookup(&m_array, &k);
	n += !!map_lookup(&m_aom, &k);
	return (int)n;
}

SEC("raw_tp")
int use_data(void *ctx)
{
	g_data += 1;
	g_pair.y += 2;
	g_bss += g_ro[2];
	s_bss_a += 3;
	s_bss_b += 4;
	s_data += 5;
	g_custom += g_ro_custom;
	return (int)(g_data + s_bss_a + s_bss_b + s_data);
}

static int cb_static(__u32 i, void *c)
{
	*(__u64 *)c += i;
	return 0;
}

SEC("raw_tp")
int use_loop(void *ctx)
{
	__u64 acc = 0;
	bpf_loop(4, cb_static, &acc, 0);
	return (int)acc;
}

char LICENSE[] SEC("license") = "GPL";
