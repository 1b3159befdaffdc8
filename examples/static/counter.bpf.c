/* counter.bpf.c - a libbpf-style BPF program: per-flow packet and byte
 * counters in a hash map, totals in an array, and global data of every kind
 * (.rodata configuration, .data settings, .bss state), with static and
 * global subprograms.  Returns 1 (pass) or 0 (drop: longer than max_len). */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "counter.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TOTAL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

const volatile unsigned int max_len = 1500; /* .rodata: set before load */
unsigned int scale = 1;                     /* .data: bytes are counted x scale */
char tag[8] = "counter";                    /* .data */
unsigned long long calls;                   /* .bss */
unsigned long long last_len;                /* .bss */
struct flow_stats biggest;                  /* .bss: the busiest flow so far */
unsigned int biggest_flow;                  /* .bss */

static __attribute__((noinline)) void add_total(__u32 slot, __u64 v)
{
	__u64 *t = bpf_map_lookup_elem(&totals, &slot);
	if (t)
		__sync_fetch_and_add(t, v);
}

/* A global subprogram: account one packet of `flow`, return its stats. */
__attribute__((noinline)) int account(__u32 flow, __u32 len)
{
	struct flow_stats *st, init = {0};
	if (!flow)
		return -1;
	st = bpf_map_lookup_elem(&flows, &flow);
	if (!st) {
		bpf_map_update_elem(&flows, &flow, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &flow);
		if (!st)
			return -1;
	}
	st->packets++;
	st->bytes += (__u64)len * scale;
	if (st->packets > biggest.packets) {
		biggest = *st;
		biggest_flow = flow;
	}
	return 0;
}

SEC("socket")
int count(struct pkt *p)
{
	calls++;
	last_len = p->len;
	if (p->len > max_len) {
		add_total(TOTAL_DROPS, 1);
		return 0;
	}
	if (account(p->flow, p->len))
		return 0;
	add_total(TOTAL_PACKETS, 1);
	add_total(TOTAL_BYTES, (__u64)p->len * scale);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
