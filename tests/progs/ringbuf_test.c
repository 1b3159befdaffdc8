/*
 * ringbuf_test.c - driver of ringbuf.bpf.c: records produced by
 * ringbuf_output and reserve+submit are consumed in order through
 * b2n_ring_buffer__new/poll/consume, discarded ones never show, the query
 * values (available data with 8-byte record headers, ring size, consumer
 * and producer positions) follow the kernel's accounting, and a full ring
 * refuses records until the consumer catches up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_ringbuf __attribute__((weak));

static const struct prun runs[] = {
    {"rb_emit", {100, 2, 0}, 96},
    {"rb_emit", {7, 1, 1}, 168},
};

struct got {
	int n, bad_size;
	struct rb_rec recs[512];
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	if (size != sizeof(struct rb_rec)) {
		g->bad_size++;
		return 0;
	}
	if (g->n < 512)
		memcpy(&g->recs[g->n], data, sizeof(struct rb_rec));
	g->n++;
	return 0;
}

static void check(struct b2n_object *obj)
{
	size_t sz;
	struct rb_res *r = get_data(obj, ".bss", &sz);
	struct b2n_map *m = get_map(obj, "rb");
	if (!r || !m)
		return;
	CHECK_EQ(r->seq, 5, "records numbered");
	CHECK_EQ(r->q_avail, 168, "BPF_RB_AVAIL_DATA");
	CHECK_EQ(r->q_size, 4096, "BPF_RB_RING_SIZE");
	CHECK_EQ(r->q_cons, 0, "BPF_RB_CONS_POS");
	CHECK_EQ(r->q_prod, 168, "BPF_RB_PROD_POS");
	CHECK_EQ(r->out_rc[0], 0, "ringbuf_output");
	CHECK_EQ(r->out_rc[1], 0, "ringbuf_output");
	CHECK_EQ(r->out_rc[3], -EINVAL, "ringbuf_output with bad flags");

	static struct got got;
	memset(&got, 0, sizeof(got));
	struct b2n_ring_buffer *rb = b2n_ring_buffer__new(m, on_rec, &got, NULL);
	CHECK(rb != NULL, "b2n_ring_buffer__new: %s", strerror(errno));
	if (!rb)
		return;
	CHECK_EQ(b2n_ring_buffer__poll(rb, 100), 5, "records polled");
	CHECK_EQ(got.n, 5, "records seen");
	CHECK_EQ(got.bad_size, 0, "records of a wrong size");
	static const struct rb_rec want[5] = {
	    {0, 1, 100}, {1, 1, 101}, {2, 2, 200}, {3, 1, 7}, {4, 2, 14}};
	for (int i = 0; i < 5 && i < got.n; i++)
		CHECK(!memcmp(&got.recs[i], &want[i], sizeof(want[i])),
		      "record %d = {%u, %u, %llu}, want {%u, %u, %llu}", i, got.recs[i].seq,
		      got.recs[i].kind, (unsigned long long)got.recs[i].val, want[i].seq,
		      want[i].kind, (unsigned long long)want[i].val);
	CHECK_EQ(b2n_ring_buffer__poll(rb, 0), 0, "nothing left");

	uint64_t ret = 0;
	CHECK_EQ(run_prog(obj, "rb_emit", (uint64_t[8]){0, 0, 0}, &ret), 0, "run rb_emit");
	CHECK_EQ(ret, 48, "available data after consuming");
	CHECK_EQ(r->q_cons, 168, "consumer position after consuming");
	CHECK_EQ(r->q_prod, 216, "producer position");
	CHECK_EQ(b2n_ring_buffer__consume(rb), 1, "consume");
	CHECK_EQ(got.n, 6, "records seen");

	/* Fill the ring until a reservation fails. */
	int runs_ok = 0, full = 0;
	for (int i = 0; i < 100 && !full; i++) {
		if (run_prog(obj, "rb_emit", (uint64_t[8]){1000 + (uint64_t)i, 3, 0}, &ret))
			break;
		if ((int32_t)ret == -1)
			full = 1;
		else
			runs_ok++;
	}
	CHECK(full, "the ring never filled up");
	CHECK(runs_ok >= 20, "only %d emits fitted in the ring", runs_ok);
	int before = got.n;
	int n = b2n_ring_buffer__consume(rb);
	CHECK(n >= runs_ok * 4, "consumed %d records after %d full emits", n, runs_ok);
	CHECK_EQ(got.n - before, n, "callback count");
	CHECK_EQ(got.bad_size, 0, "records of a wrong size");
	/* Sequence numbers stay increasing. */
	int order_ok = 1;
	for (int i = before + 1; i < got.n && i < 512; i++)
		if (got.recs[i].seq <= got.recs[i - 1].seq)
			order_ok = 0;
	CHECK(order_ok, "records out of order");
	CHECK_EQ(run_prog(obj, "rb_emit", (uint64_t[8]){0, 0, 0}, &ret), 0, "run rb_emit");
	CHECK_EQ(ret, 48, "ring usable again after consuming");
	b2n_ring_buffer__free(rb);
}

const struct group group_ringbuf = {
    .name = "ringbuf",
    .src = "ringbuf",
    .desc = &b2n_object_ringbuf,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
};
