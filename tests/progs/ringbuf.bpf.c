/*
 * ringbuf.bpf.c - BPF_MAP_TYPE_RINGBUF through all five helpers: output,
 * reserve + submit, reserve + discard, and query (available data, ring
 * size, consumer and producer positions).  The application consumes the
 * records with b2n_ring_buffer__new/poll and checks their order and
 * contents.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

#include "progs_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct rb_res res;

/* a[0] = value, a[1] = number of output records (0..3), a[2] = flags for
 * submit/output.  Emits a[1] records with ringbuf_output, one with
 * reserve+submit, one reserved and discarded; returns the available data
 * as reported by ringbuf_query. */
SEC("raw_tp")
int rb_emit(struct pctx *ctx)
{
	struct rb_rec r = {.kind = 1, .val = ctx->a[0]};
	__u32 n = (__u32)ctx->a[1];
	for (__u32 i = 0; i < 3; i++) {
		if (i >= n)
			break;
		r.seq = res.seq++;
		r.val = ctx->a[0] + i;
		res.out_rc[i] = bpf_ringbuf_output(&rb, &r, sizeof(r), ctx->a[2]);
	}
	struct rb_rec *p = bpf_ringbuf_reserve(&rb, sizeof(*p), 0);
	if (!p)
		return -1;
	p->seq = res.seq++;
	p->kind = 2;
	p->val = ctx->a[0] * 2;
	bpf_ringbuf_submit(p, ctx->a[2]);
	p = bpf_ringbuf_reserve(&rb, sizeof(*p), 0);
	if (!p)
		return -2;
	p->seq = 0xdead;
	bpf_ringbuf_discard(p, 0);
	/* A record larger than the ring is refused. */
	void *big = bpf_ringbuf_reserve(&rb, 8192, 0);
	if (big) {
		bpf_ringbuf_discard(big, 0);
		return -3;
	}
	res.out_rc[3] = bpf_ringbuf_output(&rb, &r, sizeof(r), 0xff00);
	res.q_avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	res.q_size = bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE);
	res.q_cons = bpf_ringbuf_query(&rb, BPF_RB_CONS_POS);
	res.q_prod = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);
	return (int)res.q_avail;
}

char LICENSE[] SEC("license") = "GPL";
