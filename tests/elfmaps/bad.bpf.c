/*
 * bad.bpf.c - objects bpf2native must refuse with one diagnostic line
 * naming the object, the section (and program) and the instruction, exit
 * status 1 and no output file.  Compiled once per CASE by clang -O2 -g
 * (CASE 8: -g0); CMakeLists.txt holds the expected messages.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#if CASE == 1 /* a map type the runtime does not implement */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} m SEC(".maps");
#elif CASE == 2 /* a flag the map type does not take */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE);
} m SEC(".maps");
#elif CASE == 3 /* array key of 8 bytes */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u32);
} m SEC(".maps");
#elif CASE == 4 /* queue with a key */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} m SEC(".maps");
#elif CASE == 5 /* ringbuf size not a power-of-2 multiple of the page */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} m SEC(".maps");
#elif CASE == 6 /* lpm_trie without BPF_F_NO_PREALLOC */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4);
	__uint(key_size, 8);
	__type(value, __u32);
} m SEC(".maps");
#elif CASE == 7 /* a spin lock in a per-CPU value */
struct v {
	struct bpf_spin_lock l;
	__u32 x;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct v);
} m SEC(".maps");
#elif CASE == 8 /* .maps without BTF (built with -g0) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} m SEC(".maps");
#elif CASE == 9 /* hash of maps without an inner map definition */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} m SEC(".maps");
#elif CASE == 10 /* value too big for a per-CPU array */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__uint(value_size, 40000);
} m SEC(".maps");
#elif CASE == 11 /* an unknown member in a definition */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__uint(colour, 3);
} m SEC(".maps");
#elif CASE == 12 /* a bad map nothing refers to: still refused */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 0);
	__type(key, __u32);
	__type(value, __u32);
} unused SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} m SEC(".maps");
#endif

#if CASE == 13 /* an extern variable */
extern __u64 ext_var;
SEC("xdp")
int prog(void *ctx)
{
	return (int)ext_var;
}
#else
SEC("xdp")
int prog(void *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&m, &k) != 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
