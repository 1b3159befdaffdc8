/*
 * test_ringbuf.c - BPF_MAP_TYPE_RINGBUF: creation rules, the five helpers
 * (output, reserve, submit, discard, query) with the kernel's exact
 * positions and record rounding, a full buffer, discarded records,
 * wrap-around with records that cross the end of the ring, a callback that
 * stops consumption, several rings in one consumer, poll timeouts and
 * wake-ups (including BPF_RB_NO_WAKEUP), and producer threads racing with
 * a consumer thread (every record delivered once, in per-producer order,
 * intact; discarded ones never).
 *
 * Maps are created through b2n_rt_map_create (map.c) and destroyed with
 * b2n_rt_map_destroy; the ops table is also driven directly for the
 * attribute checks.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/runtime_internal.h"
#include "check.h"

#define RB_NO_WAKEUP 1
#define RB_FORCE_WAKEUP 2
enum { AVAIL = 0, RSIZE = 1, CONS = 2, PROD = 3 };

static struct b2n_map *rb_new(uint32_t size)
{
	struct b2n_map *m = NULL;
	int err = b2n_rt_map_create("rb", B2N_MAP_RINGBUF, 0, 0, size, 0, -1, NULL, &m);
	CHECK_EQ(err, 0);
	return err ? NULL : m;
}

static uint64_t q(struct b2n_map *m, uint64_t what)
{
	return b2n_h_ringbuf_query(U(m), what, 0, 0, 0);
}

/* ---- a recording callback ------------------------------------------------- */

struct rec_log {
	int n;
	size_t size[64];
	unsigned char first[64];
	int stop_at; /* return -7 for this record (1-based), 0 never */
	uintptr_t addr[64];
};

static int log_cb(void *ctx, void *data, size_t size)
{
	struct rec_log *l = ctx;
	if (l->n < 64) {
		l->size[l->n] = size;
		l->first[l->n] = size ? *(unsigned char *)data : 0;
		l->addr[l->n] = (uintptr_t)data;
	}
	l->n++;
	return l->n == l->stop_at ? -7 : 0;
}

static void test_create(void)
{
	struct b2n_map *m = NULL;
	const struct b2n_map_ops *ops = b2n_rt_ringbuf_ops();
	struct b2n_map hand;

	CHECK(ops != NULL && ops->create && ops->destroy);
	CHECK(ops->lookup == NULL && ops->update == NULL && ops->lookup_user == NULL);
#define BAD(k, v, n, f)                                                                            \
	CHECK_EQ(b2n_rt_map_create("rb", B2N_MAP_RINGBUF, k, v, n, f, -1, NULL, &m), NEG(EINVAL)); \
	CHECK(m == NULL)
	BAD(0, 0, 0, 0);
	BAD(0, 0, 4095, 0);
	BAD(0, 0, 2048, 0);       /* power of two, not a page multiple */
	BAD(0, 0, 3 * 4096, 0);   /* page multiple, not a power of two */
	BAD(4, 0, 4096, 0);       /* no key */
	BAD(0, 4, 4096, 0);       /* no value */
	BAD(0, 0, 4096, 1);       /* BPF_F_NO_PREALLOC */
	BAD(0, 0, 4096, 1 << 10); /* BPF_F_MMAPABLE */
#undef BAD
	CHECK_EQ(b2n_rt_map_create("rb", B2N_MAP_RINGBUF, 0, 0, 4096, 0, -1, NULL, &m), 0);
	CHECK(m != NULL && m->ops == ops);
	b2n_rt_map_destroy(m);
	CHECK_EQ(b2n_rt_map_create("rb", B2N_MAP_RINGBUF, 0, 0, 1u << 20, 0, -1, NULL, &m), 0);
	if (m) {
		CHECK_EQ(q(m, RSIZE), 1u << 20);
		b2n_rt_map_destroy(m);
	}

	/* the ops table alone */
	memset(&hand, 0, sizeof(hand));
	hand.ops = ops;
	hand.type = B2N_MAP_RINGBUF;
	hand.spin_lock_off = -1;
	hand.max_entries = 8192;
	CHECK_EQ(ops->create(&hand), 0);
	CHECK_EQ(b2n_h_ringbuf_output(U(&hand), U("x"), 1, 0, 0), 0);
	CHECK_EQ(q(&hand, PROD), 16);
	CHECK_EQ(q(&hand, RSIZE), 8192);
	ops->destroy(&hand);
	CHECK(hand.priv == NULL);
	hand.max_entries = 8192 + 4096;
	CHECK_EQ(ops->create(&hand), NEG(EINVAL));
}

static void test_basic(void)
{
	struct b2n_map *m = rb_new(4096);
	struct b2n_ring_buffer *rb;
	struct rec_log lg;
	unsigned char *p;
	char data[16] = "0123456789abcde";

	if (!m)
		return;
	memset(&lg, 0, sizeof(lg));
	rb = b2n_ring_buffer__new(m, log_cb, &lg, NULL);
	CHECK(rb != NULL);
	if (!rb)
		return;
	CHECK_EQ(q(m, AVAIL), 0);
	CHECK_EQ(q(m, RSIZE), 4096);
	CHECK_EQ(q(m, CONS), 0);
	CHECK_EQ(q(m, PROD), 0);
	CHECK_EQ(q(m, 4), 0); /* unknown query */

	/* output: 10 bytes -> 8-byte header, rounded to 24 */
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U(data), 10, 0, 0), 0);
	CHECK_EQ(q(m, PROD), 24);
	CHECK_EQ(q(m, AVAIL), 24);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
	CHECK_EQ(lg.n, 1);
	CHECK_EQ(lg.size[0], 10);
	CHECK_EQ(lg.first[0], '0');
	CHECK_EQ(q(m, CONS), 24);
	CHECK_EQ(q(m, AVAIL), 0);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 0);

	/* zero-sized record */
	CHECK_EQ(b2n_h_ringbuf_output(U(m), 0, 0, 0, 0), 0);
	CHECK_EQ(q(m, PROD), 32);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
	CHECK_EQ(lg.size[1], 0);

	/* reserve / submit: nothing visible before the submit */
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), 100, 0, 0, 0);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ((uintptr_t)p % 8, 0);
		memset(p, 'R', 100);
		CHECK_EQ(q(m, PROD), 32 + 112);
		CHECK_EQ(q(m, AVAIL), 112);
		CHECK_EQ(b2n_ring_buffer__consume(rb), 0);
		CHECK_EQ(q(m, CONS), 32);
		CHECK_EQ(b2n_h_ringbuf_submit(U(p), 0, 0, 0, 0), 0);
		CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
		CHECK_EQ(lg.size[2], 100);
		CHECK_EQ(lg.first[2], 'R');
		CHECK_EQ(lg.addr[2], (uintptr_t)p); /* the consumer sees the reserved memory */
	}
	/* discard: skipped by the consumer, the position still advances */
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), 5, 0, 0, 0);
	CHECK(p != NULL);
	if (p)
		CHECK_EQ(b2n_h_ringbuf_discard(U(p), 0, 0, 0, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U("Z"), 1, 0, 0), 0);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
	CHECK_EQ(lg.n, 4);
	CHECK_EQ(lg.first[3], 'Z');
	CHECK_EQ(q(m, CONS), q(m, PROD));
	CHECK_EQ(q(m, PROD), 32 + 112 + 16 + 16);

	/* flags */
	CHECK_EQ(b2n_h_ringbuf_reserve(U(m), 8, 1, 0, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U(data), 1, 4, 0), NEG(EINVAL));
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U(data), 1, RB_NO_WAKEUP | RB_FORCE_WAKEUP, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U(data), 1, RB_FORCE_WAKEUP, 0), 0);
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), 8, 0, 0, 0);
	if (p)
		b2n_h_ringbuf_submit(U(p), RB_NO_WAKEUP, 0, 0, 0);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 3);

	/* sizes: header + record must fit in size - 1 bytes of free space */
	CHECK_EQ(b2n_h_ringbuf_reserve(U(m), 4096, 0, 0, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_reserve(U(m), 4088, 0, 0, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_reserve(U(m), UINT64_C(1) << 32, 0, 0, 0), 0);
	p = (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), 4080, 0, 0, 0);
	CHECK(p != NULL);
	if (p) {
		memset(p, 'B', 4080); /* crosses the end of the ring */
		CHECK_EQ(b2n_h_ringbuf_output(U(m), U(data), 1, 0, 0), NEG(EAGAIN));
		b2n_h_ringbuf_submit(U(p), 0, 0, 0, 0);
		lg.n = 0;
		CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
		CHECK_EQ(lg.size[0], 4080);
	}
	b2n_ring_buffer__free(rb);
	b2n_rt_map_destroy(m);
}

static void test_full(void)
{
	struct b2n_map *m = rb_new(4096);
	struct b2n_ring_buffer *rb;
	struct rec_log lg;
	unsigned char rec[100];
	int ok = 0;

	if (!m)
		return;
	memset(&lg, 0, sizeof(lg));
	rb = b2n_ring_buffer__new(m, log_cb, &lg, NULL);
	memset(rec, 'F', sizeof(rec));
	/* 112 bytes per record: 36 fit in 4095 bytes, the 37th does not */
	while (b2n_h_ringbuf_output(U(m), U(rec), sizeof(rec), 0, 0) == 0)
		ok++;
	CHECK_EQ(ok, 36);
	CHECK_EQ(b2n_h_ringbuf_output(U(m), U(rec), sizeof(rec), 0, 0), NEG(EAGAIN));
	CHECK_EQ(b2n_h_ringbuf_reserve(U(m), 100, 0, 0, 0), 0);
	CHECK(b2n_h_ringbuf_reserve(U(m), 48, 0, 0, 0) != 0); /* 4032 + 56 = 4088 fits */
	CHECK_EQ(q(m, AVAIL), 4088);
	/* the held (busy) record bounds both the consumer and new space */
	CHECK_EQ(b2n_ring_buffer__consume(rb), 36);
	CHECK_EQ(q(m, CONS), 4032);
	ok = 0;
	while (b2n_h_ringbuf_output(U(m), U(rec), 8, 0, 0) == 0)
		ok++;
	/* cons = 4032, prod = 4088: 4095 - 56 = 4039 bytes, 16 per record */
	CHECK_EQ(ok, 252);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 0); /* the busy record blocks */
	b2n_ring_buffer__free(rb);
	b2n_rt_map_destroy(m);
}

/* Records of varying size through a small ring, consumed every few
 * records: positions wrap many times and records cross the end. */
struct wrap_ctx {
	uint32_t next;
	uint64_t pos; /* our idea of the consumer position */
	int bad;
	int crossing;
};

static int wrap_cb(void *ctx, void *data, size_t size)
{
	struct wrap_ctx *w = ctx;
	unsigned char *d = data;
	uint32_t seq;
	if (size < 4) {
		w->bad++;
		return 0;
	}
	memcpy(&seq, d, 4);
	if (seq != w->next || size != 4 + (seq * 37u) % 300)
		w->bad++;
	for (size_t i = 4; i < size; i++)
		if (d[i] != (unsigned char)(seq + i))
			w->bad++;
	if ((w->pos & 4095) + 8 + size > 4096)
		w->crossing++;
	w->pos += (8 + size + 7) & ~(size_t)7;
	w->next = seq + 1;
	return 0;
}

static void test_wrap(void)
{
	struct b2n_map *m = rb_new(4096);
	struct b2n_ring_buffer *rb;
	struct wrap_ctx w = {0, 0, 0, 0};
	unsigned char buf[400];
	uint32_t seq;
	int outputs_ok = 1, discards = 0;

	if (!m)
		return;
	rb = b2n_ring_buffer__new(m, wrap_cb, &w, NULL);
	for (seq = 0; seq < 3000; seq++) {
		size_t size = 4 + (seq * 37u) % 300;
		memcpy(buf, &seq, 4);
		for (size_t i = 4; i < size; i++)
			buf[i] = (unsigned char)(seq + i);
		if (seq % 3 == 0) {
			if (b2n_h_ringbuf_output(U(m), U(buf), size, 0, 0) != 0)
				outputs_ok = 0;
		} else {
			unsigned char *p =
			    (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), size, 0, 0, 0);
			if (!p) {
				outputs_ok = 0;
				continue;
			}
			memcpy(p, buf, size);
			b2n_h_ringbuf_submit(U(p), 0, 0, 0, 0);
		}
		/* a discarded record between some of them */
		if (seq % 5 == 0) {
			void *p = (void *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), seq % 50, 0, 0, 0);
			if (p) {
				b2n_h_ringbuf_discard(U(p), 0, 0, 0, 0);
				discards++;
				w.pos += (8 + seq % 50 + 7) & ~(uint64_t)7;
			}
		}
		if (seq % 4 == 3)
			b2n_ring_buffer__consume(rb);
	}
	b2n_ring_buffer__consume(rb);
	CHECK(outputs_ok);
	CHECK_EQ(w.next, 3000);
	CHECK_EQ(w.bad, 0);
	CHECK(w.crossing > 10);
	CHECK(discards == 600);
	CHECK_EQ(q(m, CONS), q(m, PROD));
	CHECK(q(m, PROD) > 100 * 4096);
	b2n_ring_buffer__free(rb);
	b2n_rt_map_destroy(m);
}

/* A callback returning < 0 stops consumption; the record counts as consumed. */
static void test_cb_stop(void)
{
	struct b2n_map *m = rb_new(4096);
	struct b2n_ring_buffer *rb;
	struct rec_log lg;
	if (!m)
		return;
	memset(&lg, 0, sizeof(lg));
	lg.stop_at = 2;
	rb = b2n_ring_buffer__new(m, log_cb, &lg, NULL);
	for (int i = 0; i < 3; i++) {
		char c = (char)('a' + i);
		b2n_h_ringbuf_output(U(m), U(&c), 1, 0, 0);
	}
	CHECK_EQ(b2n_ring_buffer__consume(rb), NEG(7));
	CHECK_EQ(lg.n, 2);
	CHECK_EQ(q(m, CONS), 32);
	CHECK_EQ(b2n_ring_buffer__consume(rb), 1);
	CHECK_EQ(lg.first[2], 'c');
	b2n_h_ringbuf_output(U(m), U("d"), 1, 0, 0);
	lg.stop_at = 4;
	CHECK_EQ(b2n_ring_buffer__poll(rb, 100), NEG(7));
	b2n_ring_buffer__free(rb);
	b2n_rt_map_destroy(m);
}

/* A callback that re-enters the consumer of its own ring sees nothing. */
static struct b2n_ring_buffer *reenter_rb;
static int reenter_result = -100;

static int reenter_cb(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	reenter_result = b2n_ring_buffer__consume(reenter_rb);
	return 0;
}

static void test_api_errors(void)
{
	struct b2n_map *m = rb_new(4096), *arr = NULL, *m2 = rb_new(8192);
	struct b2n_ring_buffer *rb;
	struct rec_log l1, l2;

	if (!m || !m2)
		return;
	CHECK_EQ(b2n_rt_map_create("arr", B2N_MAP_ARRAY, 4, 4, 1, 0, -1, NULL, &arr), 0);
	errno = 0;
	CHECK(b2n_ring_buffer__new(arr, log_cb, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(b2n_ring_buffer__new(NULL, log_cb, NULL, NULL) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(b2n_ring_buffer__new(m, NULL, NULL, NULL) == NULL);
	/* helpers given a map of another type */
	CHECK_EQ(b2n_h_ringbuf_output(U(arr), U("x"), 1, 0, 0), NEG(EINVAL));
	CHECK_EQ(b2n_h_ringbuf_reserve(U(arr), 8, 0, 0, 0), 0);
	CHECK_EQ(b2n_h_ringbuf_query(U(arr), RSIZE, 0, 0, 0), 0);

	/* two rings in one consumer */
	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	rb = b2n_ring_buffer__new(m, log_cb, &l1, NULL);
	CHECK(rb != NULL);
	if (rb) {
		CHECK_EQ(b2n_ring_buffer__add(rb, arr, log_cb, &l2), NEG(EINVAL));
		CHECK_EQ(b2n_ring_buffer__add(rb, m2, log_cb, &l2), 0);
		b2n_h_ringbuf_output(U(m), U("1"), 1, 0, 0);
		b2n_h_ringbuf_output(U(m2), U("2"), 1, 0, 0);
		b2n_h_ringbuf_output(U(m2), U("3"), 1, 0, 0);
		CHECK_EQ(b2n_ring_buffer__poll(rb, 0), 3);
		CHECK_EQ(l1.n, 1);
		CHECK_EQ(l2.n, 2);
		CHECK_EQ(l2.first[1], '3');
		CHECK_EQ(b2n_ring_buffer__poll(rb, 0), 0);
		b2n_ring_buffer__free(rb);
	}
	b2n_ring_buffer__free(NULL);

	reenter_rb = b2n_ring_buffer__new(m, reenter_cb, NULL, NULL);
	b2n_h_ringbuf_output(U(m), U("r"), 1, 0, 0);
	CHECK_EQ(b2n_ring_buffer__consume(reenter_rb), 1);
	CHECK_EQ(reenter_result, 0);
	b2n_ring_buffer__free(reenter_rb);

	b2n_rt_map_destroy(arr);
	b2n_rt_map_destroy(m);
	b2n_rt_map_destroy(m2);
}

/* ---- poll: timeout and wake-ups -------------------------------------------------- */

struct delayed {
	struct b2n_map *m;
	int delay_ms;
	uint64_t flags;
	int use_reserve;
};

static void *delayed_producer(void *arg)
{
	struct delayed *d = arg;
	usleep((useconds_t)d->delay_ms * 1000);
	if (d->use_reserve) {
		void *p = (void *)(uintptr_t)b2n_h_ringbuf_reserve(U(d->m), 8, 0, 0, 0);
		if (p) {
			memcpy(p, "reserved", 8);
			b2n_h_ringbuf_submit(U(p), d->flags, 0, 0, 0);
		}
	} else {
		b2n_h_ringbuf_output(U(d->m), U("wake"), 4, d->flags, 0);
	}
	return NULL;
}

static void test_poll(void)
{
	struct b2n_map *m = rb_new(4096);
	struct b2n_ring_buffer *rb;
	struct rec_log lg;
	struct delayed d;
	pthread_t th;
	double t0, dt;
	int r;

	if (!m)
		return;
	memset(&lg, 0, sizeof(lg));
	rb = b2n_ring_buffer__new(m, log_cb, &lg, NULL);

	/* empty: poll waits for the timeout, then returns 0 */
	t0 = now_ms();
	r = b2n_ring_buffer__poll(rb, 150);
	dt = now_ms() - t0;
	CHECK_EQ(r, 0);
	CHECK(dt >= 140 && dt < 5000);
	t0 = now_ms();
	CHECK_EQ(b2n_ring_buffer__poll(rb, 0), 0);
	CHECK(now_ms() - t0 < 1000);

	/* data already there: no waiting */
	b2n_h_ringbuf_output(U(m), U("x"), 1, 0, 0);
	t0 = now_ms();
	CHECK_EQ(b2n_ring_buffer__poll(rb, 5000), 1);
	CHECK(now_ms() - t0 < 1000);

	/* a producer in another thread wakes the waiting consumer */
	for (int i = 0; i < 2; i++) {
		d = (struct delayed){m, 100, 0, i};
		pthread_create(&th, NULL, delayed_producer, &d);
		t0 = now_ms();
		r = b2n_ring_buffer__poll(rb, i ? -1 : 20000);
		dt = now_ms() - t0;
		pthread_join(th, NULL);
		CHECK_EQ(r, 1);
		CHECK(dt >= 10 && dt < 10000); /* r == 1 already shows it waited */
	}

	/* BPF_RB_NO_WAKEUP: no wake-up, the record is found at the timeout */
	d = (struct delayed){m, 20, RB_NO_WAKEUP, 0};
	pthread_create(&th, NULL, delayed_producer, &d);
	t0 = now_ms();
	r = b2n_ring_buffer__poll(rb, 400);
	dt = now_ms() - t0;
	pthread_join(th, NULL);
	CHECK_EQ(r, 1);
	CHECK(dt >= 390);

	/* a discarded record delivers nothing: poll skips it and waits */
	{
		void *p = (void *)(uintptr_t)b2n_h_ringbuf_reserve(U(m), 8, 0, 0, 0);
		b2n_h_ringbuf_discard(U(p), 0, 0, 0, 0);
		t0 = now_ms();
		CHECK_EQ(b2n_ring_buffer__poll(rb, 120), 0);
		CHECK(now_ms() - t0 >= 110);
		CHECK_EQ(q(m, CONS), q(m, PROD));
	}
	b2n_ring_buffer__free(rb);
	b2n_rt_map_destroy(m);
}

/* ---- producers racing with a consumer ----------------------------------------------- */

#define MAXP 8

struct race {
	struct b2n_map *m;
	int producers;
	uint32_t per_producer;
	uint32_t next[MAXP];
	uint64_t delivered;
	uint64_t expected;
	int bad;
	int dup_or_order;
	int done_producing;
};

struct prod_arg {
	struct race *r;
	uint32_t id;
	uint64_t retries;
};

static int discarded(uint32_t seq)
{
	return seq % 7 == 3;
}

static void *race_producer(void *arg)
{
	struct prod_arg *a = arg;
	struct race *r = a->r;
	unsigned char buf[256];
	for (uint32_t seq = 0; seq < r->per_producer; seq++) {
		size_t size = 8 + (seq * 13u + a->id * 5u) % 200;
		memcpy(buf, &a->id, 4);
		memcpy(buf + 4, &seq, 4);
		for (size_t i = 8; i < size; i++)
			buf[i] = (unsigned char)(a->id * 31u + seq + i);
		for (;;) {
			if (!discarded(seq) && seq % 2 == 0) {
				if (b2n_h_ringbuf_output(U(r->m), U(buf), size, 0, 0) == 0)
					break;
			} else {
				unsigned char *p =
				    (unsigned char *)(uintptr_t)b2n_h_ringbuf_reserve(U(r->m), size,
				                                                      0, 0, 0);
				if (p) {
					memcpy(p, buf, size);
					if (discarded(seq))
						b2n_h_ringbuf_discard(U(p), 0, 0, 0, 0);
					else
						b2n_h_ringbuf_submit(U(p), 0, 0, 0, 0);
					break;
				}
			}
			a->retries++;
			sched_yield();
		}
	}
	return NULL;
}

static int race_cb(void *ctx, void *data, size_t size)
{
	struct race *r = ctx;
	unsigned char *d = data;
	uint32_t id, seq;
	if (size < 8) {
		r->bad++;
		return 0;
	}
	memcpy(&id, d, 4);
	memcpy(&seq, d + 4, 4);
	if (id >= (uint32_t)r->producers || size != 8 + (seq * 13u + id * 5u) % 200) {
		r->bad++;
		return 0;
	}
	for (size_t i = 8; i < size; i++)
		if (d[i] != (unsigned char)(id * 31u + seq + i)) {
			r->bad++;
			break;
		}
	if (discarded(seq) || seq < r->next[id])
		r->dup_or_order++;
	r->next[id] = seq + 1;
	r->delivered++;
	return 0;
}

static void *race_consumer(void *arg)
{
	struct race *r = arg;
	struct b2n_ring_buffer *rb = b2n_ring_buffer__new(r->m, race_cb, r, NULL);
	double deadline = now_ms() + 120000;
	if (!rb)
		return NULL;
	while (r->delivered < r->expected && now_ms() < deadline) {
		int n = b2n_ring_buffer__poll(rb, 100);
		if (n < 0)
			break;
	}
	b2n_ring_buffer__free(rb);
	return NULL;
}

static void test_race(int emulated)
{
	struct race r;
	struct prod_arg pa[MAXP];
	pthread_t prod[MAXP], cons;
	uint64_t retries = 0;

	memset(&r, 0, sizeof(r));
	r.m = rb_new(16384);
	if (!r.m)
		return;
	r.producers = emulated ? 3 : 6;
	r.per_producer = emulated ? 4000 : 40000;
	for (uint32_t s = 0; s < r.per_producer; s++)
		if (!discarded(s))
			r.expected += (uint64_t)r.producers;
	pthread_create(&cons, NULL, race_consumer, &r);
	for (int i = 0; i < r.producers; i++) {
		pa[i] = (struct prod_arg){&r, (uint32_t)i, 0};
		pthread_create(&prod[i], NULL, race_producer, &pa[i]);
	}
	for (int i = 0; i < r.producers; i++) {
		pthread_join(prod[i], NULL);
		retries += pa[i].retries;
	}
	pthread_join(cons, NULL);
	CHECK_EQ(r.delivered, r.expected);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.dup_or_order, 0);
	for (int i = 0; i < r.producers; i++)
		CHECK(r.next[i] >= r.per_producer - 7);
	CHECK_EQ(q(r.m, CONS), q(r.m, PROD));
	printf("ringbuf race: %d producers x %u records, %" PRIu64 " delivered, %" PRIu64
	       " retries on a full ring\n",
	       r.producers, r.per_producer, r.delivered, retries);
	b2n_rt_map_destroy(r.m);
}

void test_ringbuf(int emulated)
{
	test_create();
	test_basic();
	test_full();
	test_wrap();
	test_cb_stop();
	test_api_errors();
	test_poll();
	test_race(emulated);
}
