/*
 * maps_special.bpf.c - queue, stack, lpm_trie, array_of_maps, hash_of_maps
 * (with initial .values), prog_array (a map the application reads and
 * writes; tail calls are a later issue), and the iteration helpers
 * bpf_loop (callback subprogram) and bpf_for_each_map_elem.
 *
 * All programs are SEC("raw_tp") taking struct pctx; see progs_bpf.h.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

#include "progs_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u64);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key4);
	__type(value, __u32);
} lpm SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_arr SEC(".maps") = {
    .values = {[0] = &inner_a, [2] = &inner_b},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_hash SEC(".maps") = {
    .values = {[1] = &inner_b},
};

/* Target of a jmp slot (initial value below; the application sets others). */
SEC("raw_tp")
int jmp_target(struct pctx *ctx)
{
	return (int)ctx->a[0] + 1000;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(void *));
} jmp SEC(".maps") = {
    .values = {[1] = (void *)&jmp_target},
};

struct bpf_map;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} fe_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __u64);
} fe_arr SEC(".maps");

struct ms_res res;

/* a[0]: 0 queue / 1 stack; a[1]: 0 push, 1 pop, 2 peek; a[2] = value;
 * a[3] = flags.  Returns the helper's error, or the value popped/peeked. */
SEC("raw_tp")
int qs_op(struct pctx *ctx)
{
	long r;
	if (ctx->a[0] == 0) {
		__u32 v = (__u32)ctx->a[2];
		if (ctx->a[1] == 0)
			return (int)bpf_map_push_elem(&queue, &v, ctx->a[3]);
		r = ctx->a[1] == 1 ? bpf_map_pop_elem(&queue, &v) : bpf_map_peek_elem(&queue, &v);
		return r ? (int)r : (int)v;
	}
	__u64 w = ctx->a[2];
	if (ctx->a[1] == 0)
		return (int)bpf_map_push_elem(&stack, &w, ctx->a[3]);
	r = ctx->a[1] == 1 ? bpf_map_pop_elem(&stack, &w) : bpf_map_peek_elem(&stack, &w);
	return r ? (int)r : (int)w;
}

static __noinline void fill_lpm_key(struct lpm_key4 *k, __u32 plen, __u32 addr)
{
	k->prefixlen = plen;
	k->addr[0] = (__u8)(addr >> 24);
	k->addr[1] = (__u8)(addr >> 16);
	k->addr[2] = (__u8)(addr >> 8);
	k->addr[3] = (__u8)addr;
}

/* a[0] = prefixlen, a[1] = address (host integer, stored big-endian),
 * a[2] = value: insert.  Returns the helper's error. */
SEC("raw_tp")
int lpm_add(struct pctx *ctx)
{
	struct lpm_key4 k;
	__u32 v = (__u32)ctx->a[2];
	fill_lpm_key(&k, (__u32)ctx->a[0], (__u32)ctx->a[1]);
	return (int)bpf_map_update_elem(&lpm, &k, &v, BPF_ANY);
}

/* a[0] = address: longest-prefix match value, or 0. */
SEC("raw_tp")
int lpm_match(struct pctx *ctx)
{
	struct lpm_key4 k;
	fill_lpm_key(&k, 32, (__u32)ctx->a[0]);
	__u32 *v = bpf_map_lookup_elem(&lpm, &k);
	return v ? (int)*v : 0;
}

/* a[0] = prefixlen, a[1] = address: delete that exact prefix. */
SEC("raw_tp")
int lpm_del(struct pctx *ctx)
{
	struct lpm_key4 k;
	fill_lpm_key(&k, (__u32)ctx->a[0], (__u32)ctx->a[1]);
	return (int)bpf_map_delete_elem(&lpm, &k);
}

/* a[0]: 0 via outer_arr, 1 via outer_hash; a[1] = outer key; a[2] = inner
 * key; a[3] = amount.  Returns the new inner value, -1 no inner map, -2 no
 * inner element. */
SEC("raw_tp")
int mim_add(struct pctx *ctx)
{
	__u32 okey = (__u32)ctx->a[1], ikey = (__u32)ctx->a[2];
	void *inner = ctx->a[0] ? bpf_map_lookup_elem(&outer_hash, &okey)
	                        : bpf_map_lookup_elem(&outer_arr, &okey);
	if (!inner)
		return -1;
	__u64 *v = bpf_map_lookup_elem(inner, &ikey);
	if (!v)
		return -2;
	*v += ctx->a[3];
	return (int)*v;
}

struct loop_ctx {
	__u64 sum;
	__u32 stop;
};

static long loop_cb(__u32 idx, void *data)
{
	struct loop_ctx *lc = data;
	lc->sum += (__u64)idx * idx + 1;
	return idx >= lc->stop ? 1 : 0;
}

/* a[0] = iterations, a[1] = stop index, a[2] = flags: bpf_loop; returns its
 * result and leaves the sum in res.loop_sum. */
SEC("raw_tp")
int loop(struct pctx *ctx)
{
	struct loop_ctx lc = {.sum = 0, .stop = (__u32)ctx->a[1]};
	long n = bpf_loop((__u32)ctx->a[0], loop_cb, &lc, ctx->a[2]);
	res.loop_sum = lc.sum;
	return (int)n;
}

/* As loop with flags 0, a constant: the compiler inlines this bpf_loop
 * (lower.c, as the kernel's verifier does); a[0] iterations, a[1] stop. */
SEC("raw_tp")
int loop0(struct pctx *ctx)
{
	struct loop_ctx lc = {.sum = 0, .stop = (__u32)ctx->a[1]};
	long n = bpf_loop((__u32)ctx->a[0], loop_cb, &lc, 0);
	return (int)n;
}

struct fe_ctx {
	__u64 sum;
	__u32 keys;
	__u32 stop;
};

static long fe_cb(struct bpf_map *map, __u32 *key, __u64 *val, struct fe_ctx *c)
{
	c->sum += *val;
	c->keys += *key + 1;
	*val += 1;
	return *key == c->stop ? 1 : 0;
}

/* a[0]: 0 iterate fe_arr (stop at key a[1]), 1 iterate fe_hash (no stop). */
SEC("raw_tp")
int foreach (struct pctx *ctx)
{
	struct fe_ctx c = {.sum = 0, .keys = 0, .stop = (__u32)ctx->a[1]};
	long n;
	if (ctx->a[0] == 0) {
		n = bpf_for_each_map_elem(&fe_arr, fe_cb, &c, 0);
	} else {
		c.stop = 0xffffffff;
		n = bpf_for_each_map_elem(&fe_hash, fe_cb, &c, 0);
	}
	res.fe_sum = c.sum;
	res.fe_keys = c.keys;
	return (int)n;
}

/* a[0] = key, a[1] = value: fe_arr and fe_hash [key] = value. */
SEC("raw_tp")
int fe_set(struct pctx *ctx)
{
	__u32 key = (__u32)ctx->a[0];
	__u64 v = ctx->a[1];
	long r = bpf_map_update_elem(&fe_hash, &key, &v, BPF_ANY);
	if (r)
		return (int)r;
	return (int)bpf_map_update_elem(&fe_arr, &key, &v, BPF_ANY);
}

char LICENSE[] SEC("license") = "GPL";
