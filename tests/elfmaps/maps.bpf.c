/*
 * maps.bpf.c - one object with everything the ELF frontend reads: a
 * BTF-defined map of every type the runtime supports (with key/value given
 * by __type or by size, map_flags, a struct bpf_spin_lock in a value,
 * map-in-map inner definitions and prog_array / array_of_maps initial
 * `values`), a legacy "maps" section map, global data in .data, .rodata,
 * .bss, .data.custom, .rodata.custom and .rodata.str1.1, static variables
 * (clang relocates those against the section symbol with the offset in the
 * lddw imm), a member address (symbol + offset) and bpf_loop callbacks,
 * static and global (an lddw relocated against code).
 *
 * elfmaps_test.c checks what b2n_input__open makes of it field by field.
 * Built by clang -O2 -g for bpfel and bpfeb; with -DNO_LEGACY by gcc-bpf
 * -gbtf (gcc_maps.bpf.o), which has no bpf_loop here (-DNO_LOOP).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	__u64 a;
	struct bpf_spin_lock lock;
	__u32 b;
};

struct lpm_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 24);
} m_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u32);
} m_pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} m_pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} m_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
} m_lru_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} m_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u64);
} m_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 4096);
} m_rb SEC(".maps");

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_def m_inner_a SEC(".maps"), m_inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} m_aom SEC(".maps") = {
	.values = {[1] = &m_inner_a, [3] = &m_inner_b},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 5);
		__type(key, __u64);
		__type(value, __u16);
	});
} m_hom SEC(".maps");

int tail_target(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__array(values, int(void *));
} m_progs SEC(".maps") = {
	.values = {[2] = (void *)&tail_target},
};

#ifndef NO_LEGACY
struct legacy_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};
struct legacy_def m_legacy SEC("maps") = {BPF_MAP_TYPE_HASH, 4, 8, 16, 0};
#endif

/* global data */
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
	__u64 k64 = 0;
	struct lpm_key lk = {32, {1, 2, 3, 4}};
	long n = 0;
	n += !!bpf_map_lookup_elem(&m_hash, &k);
	n += !!bpf_map_lookup_elem(&m_array, &k);
	n += !!bpf_map_lookup_elem(&m_pcpu_hash, &k64);
	n += !!bpf_map_lookup_elem(&m_pcpu_array, &k);
	n += !!bpf_map_lookup_elem(&m_lru, &k);
	n += !!bpf_map_lookup_elem(&m_lru_pcpu, &k);
	n += !!bpf_map_lookup_elem(&m_lpm, &lk);
	n += bpf_map_push_elem(&m_queue, &k, 0);
	n += bpf_map_push_elem(&m_stack, &k64, 0);
	n += bpf_ringbuf_output(&m_rb, &k, 4, 0);
	n += !!bpf_map_lookup_elem(&m_aom, &k);
	n += !!bpf_map_lookup_elem(&m_hom, &k);
#ifndef NO_LEGACY
	n += !!bpf_map_lookup_elem(&m_legacy, &k);
#endif
	bpf_tail_call(ctx, &m_progs, 2);
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

#ifndef NO_LOOP
static int cb_static(__u32 i, void *c)
{
	*(__u64 *)c += i;
	return 0;
}

__attribute__((noinline)) int cb_global(__u32 i, void *c)
{
	*(__u64 *)c += 2 * i + (c != 0);
	return 0;
}

SEC("raw_tp")
int use_loop(void *ctx)
{
	__u64 acc = 0;
	char buf[8] = "abcd";
	bpf_loop(4, cb_static, &acc, 0);
	bpf_loop(3, cb_global, &acc, 0);
	acc += bpf_strncmp(buf, 4, "abcd");
	return (int)acc;
}
#endif

SEC("raw_tp")
int tail_target(void *ctx)
{
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
