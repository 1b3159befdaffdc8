/*
 * ringbuf.c - BPF_MAP_TYPE_RINGBUF: the map family, its five helpers and
 * the application's consumer (libbpf's ring_buffer__* as b2n_ring_buffer__*).
 *
 * Layout and protocol follow kernel/bpf/ringbuf.c.  One page-aligned
 * anonymous mapping holds a control page (positions, locks) followed by the
 * data area.  Positions are 64-bit byte counters that only grow; a record
 * sits at (pos & mask) and starts with an 8-byte header {u32 len, u32
 * pg_off}: len carries BUSY (bit 31) while the record is reserved and
 * DISCARD (bit 30) once discarded; pg_off is the distance in 4096-byte
 * pages from the start of the mapping to the header, so that submit and
 * discard find the ring buffer from the sample pointer alone, as the kernel
 * does.  Records are rounded up to 8 bytes.  The kernel maps the data pages
 * twice so that a record crossing the end is contiguous; here the data area
 * is simply allocated twice as large and a record that crosses the end
 * continues linearly into the second half.  That is equivalent: no two live
 * records can both cross the end, and nobody reads the ring's raw bytes
 * except through record pointers (the consumer reads at data + (pos &
 * mask) exactly like libbpf does through its double mapping).
 *
 * Producers (any thread) serialise reservations with a mutex (the kernel's
 * spinlock); the pending position skips committed records so that a busy
 * old record still bounds the space (new_prod - pending <= mask), as in the
 * kernel.  Commit is an atomic exchange of the header's len.  The consumer
 * reads with acquire loads and publishes its position with a release store,
 * like libbpf's ringbuf_process_ring.
 *
 * Wake-ups: a commit wakes waiting consumers when the record is the one the
 * consumer waits for (its position equals the consumer position) unless
 * BPF_RB_NO_WAKEUP, or always with BPF_RB_FORCE_WAKEUP - the kernel's rule.
 * Waiting consumers sleep on one process-wide condition variable (with
 * CLOCK_MONOTONIC); a producer only takes its mutex when a waiter count is
 * non-zero, with sequentially consistent accesses on both sides so that a
 * wake-up cannot be lost.  Several consumers of the same ring are serialised
 * by a per-ring trylock (a callback that re-enters the consumer sees 0).
 *
 * The ring-buffer map has no key or value (key_size = value_size = 0);
 * max_entries is the data size: a power of two and a multiple of 4096, else
 * -EINVAL.  Element operations are not supported (NULL in the ops table).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "runtime_internal.h"

#define RB_BUSY_BIT (1U << 31)
#define RB_DISCARD_BIT (1U << 30)
#define RB_HDR_SZ 8u
#define RB_PAGE 4096u
#define RB_MAX_RECORD_SZ (UINT32_MAX / 4)
/* uapi flags of the helpers */
#define RB_NO_WAKEUP 1u
#define RB_FORCE_WAKEUP 2u
#define RB_AVAIL_DATA 0
#define RB_RING_SIZE 1
#define RB_CONS_POS 2
#define RB_PROD_POS 3
#define RB_F_NUMA_NODE (1U << 2)

struct rb_hdr {
	uint32_t len;
	uint32_t pg_off;
};

struct b2n_rb {
	uint64_t consumer_pos __attribute__((aligned(64)));
	uint64_t producer_pos __attribute__((aligned(64)));
	uint64_t pending_pos; /* under prod_lock */
	uint64_t mask;        /* data size - 1 */
	pthread_mutex_t prod_lock;
	pthread_mutex_t cons_lock; /* one consumer at a time */
	size_t map_len;
	unsigned char *data; /* = (unsigned char *)this + RB_PAGE */
};

_Static_assert(sizeof(struct b2n_rb) <= RB_PAGE, "ring buffer control block exceeds a page");

/* ---- wake-ups ----------------------------------------------------------- */

static pthread_once_t rb_wait_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t rb_wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rb_wait_cond;
static unsigned rb_waiters;

static void rb_wait_init(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&rb_wait_cond, &a);
	pthread_condattr_destroy(&a);
}

static void rb_wakeup(void)
{
	if (__atomic_load_n(&rb_waiters, __ATOMIC_SEQ_CST) == 0)
		return;
	pthread_once(&rb_wait_once, rb_wait_init);
	pthread_mutex_lock(&rb_wait_lock);
	pthread_cond_broadcast(&rb_wait_cond);
	pthread_mutex_unlock(&rb_wait_lock);
}

/* ---- the ring ----------------------------------------------------------- */

static uint64_t rb_round_len(uint32_t len)
{
	len &= ~(RB_BUSY_BIT | RB_DISCARD_BIT);
	return ((uint64_t)len + RB_HDR_SZ + 7) & ~(uint64_t)7;
}

static struct rb_hdr *rb_hdr_at(struct b2n_rb *rb, uint64_t pos)
{
	return (struct rb_hdr *)(void *)(rb->data + (pos & rb->mask));
}

static struct b2n_rb *rb_of(const struct b2n_map *m)
{
	return (struct b2n_rb *)m->priv;
}

static void *rb_reserve(struct b2n_rb *rb, uint64_t size)
{
	uint64_t len, cons, prod, pend, new_prod;
	struct rb_hdr *hdr;

	if (size > RB_MAX_RECORD_SZ)
		return NULL;
	len = (size + RB_HDR_SZ + 7) & ~(uint64_t)7;
	if (len > rb->mask + 1)
		return NULL;
	cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);

	pthread_mutex_lock(&rb->prod_lock);
	pend = rb->pending_pos;
	prod = rb->producer_pos;
	new_prod = prod + len;
	/* Advance the pending position over records already committed. */
	while (pend < prod) {
		uint32_t l = __atomic_load_n(&rb_hdr_at(rb, pend)->len, __ATOMIC_ACQUIRE);
		if (l & RB_BUSY_BIT)
			break;
		pend += rb_round_len(l);
	}
	rb->pending_pos = pend;
	if (new_prod - cons > rb->mask || new_prod - pend > rb->mask) {
		pthread_mutex_unlock(&rb->prod_lock);
		return NULL;
	}
	hdr = rb_hdr_at(rb, prod);
	hdr->pg_off = (uint32_t)(((unsigned char *)hdr - (unsigned char *)rb) / RB_PAGE);
	__atomic_store_n(&hdr->len, (uint32_t)size | RB_BUSY_BIT, __ATOMIC_RELAXED);
	/* pairs with the consumer's acquire load of producer_pos */
	__atomic_store_n(&rb->producer_pos, new_prod, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rb->prod_lock);
	return hdr + 1;
}

static struct b2n_rb *rb_of_sample(void *sample, struct rb_hdr **hdrp)
{
	struct rb_hdr *hdr = (struct rb_hdr *)sample - 1;
	uintptr_t page = (uintptr_t)hdr & ~(uintptr_t)(RB_PAGE - 1);
	*hdrp = hdr;
	return (struct b2n_rb *)(page - (uintptr_t)hdr->pg_off * RB_PAGE);
}

static void rb_commit(void *sample, uint64_t flags, int discard)
{
	struct rb_hdr *hdr;
	struct b2n_rb *rb = rb_of_sample(sample, &hdr);
	uint32_t new_len = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED) ^ RB_BUSY_BIT;
	uint64_t rec_pos, cons_pos;

	if (discard)
		new_len |= RB_DISCARD_BIT;
	/* release: the record's contents before its final length */
	__atomic_exchange_n(&hdr->len, new_len, __ATOMIC_SEQ_CST);

	rec_pos = (uint64_t)((unsigned char *)hdr - rb->data);
	cons_pos = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE) & rb->mask;
	if ((flags & RB_FORCE_WAKEUP) || (cons_pos == rec_pos && !(flags & RB_NO_WAKEUP)))
		rb_wakeup();
}

/* ---- map operations ----------------------------------------------------- */

static int rb_create(struct b2n_map *m)
{
	struct b2n_rb *rb;
	size_t len;
	void *p;
	uint32_t n = m->max_entries;

	if (m->key_size || m->value_size || n == 0 || (n & (n - 1)) || n % RB_PAGE)
		return -EINVAL;
	if (m->map_flags & ~RB_F_NUMA_NODE)
		return -EINVAL;
	len = RB_PAGE + 2 * (size_t)n;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	rb = p;
	rb->mask = (uint64_t)n - 1;
	rb->map_len = len;
	rb->data = (unsigned char *)p + RB_PAGE;
	pthread_mutex_init(&rb->prod_lock, NULL);
	pthread_mutex_init(&rb->cons_lock, NULL);
	m->priv = rb;
	return 0;
}

static void rb_destroy(struct b2n_map *m)
{
	struct b2n_rb *rb = rb_of(m);
	if (!rb)
		return;
	pthread_mutex_destroy(&rb->prod_lock);
	pthread_mutex_destroy(&rb->cons_lock);
	munmap(rb, rb->map_len);
	m->priv = NULL;
}

/* Referenced by map.c as b2n_rt_ops_ringbuf (weakly) and through the
 * accessor declared in runtime_internal.h. */
extern const struct b2n_map_ops b2n_rt_ops_ringbuf;
const struct b2n_map_ops b2n_rt_ops_ringbuf = {
    .create = rb_create,
    .destroy = rb_destroy,
};

const struct b2n_map_ops *b2n_rt_ringbuf_ops(void)
{
	return &b2n_rt_ops_ringbuf;
}

static struct b2n_rb *rb_of_map_arg(uint64_t r1)
{
	struct b2n_map *m = (struct b2n_map *)(uintptr_t)r1;
	if (!m || m->ops != &b2n_rt_ops_ringbuf)
		return NULL;
	return rb_of(m);
}

/* ---- helpers ------------------------------------------------------------ */

uint64_t b2n_h_ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags,
                              uint64_t r5)
{
	struct b2n_rb *rb = rb_of_map_arg(map);
	void *rec;
	(void)r5;
	if (!rb || (flags & ~(uint64_t)(RB_NO_WAKEUP | RB_FORCE_WAKEUP)))
		return (uint64_t)(int64_t)-EINVAL;
	rec = rb_reserve(rb, size);
	if (!rec)
		return (uint64_t)(int64_t)-EAGAIN;
	if (size)
		memcpy(rec, (const void *)(uintptr_t)data, (size_t)size);
	rb_commit(rec, flags, 0);
	return 0;
}

uint64_t b2n_h_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t r4,
                               uint64_t r5)
{
	struct b2n_rb *rb = rb_of_map_arg(map);
	(void)r4;
	(void)r5;
	if (!rb || flags)
		return 0;
	return (uint64_t)(uintptr_t)rb_reserve(rb, size);
}

uint64_t b2n_h_ringbuf_submit(uint64_t sample, uint64_t flags, uint64_t r3, uint64_t r4,
                              uint64_t r5)
{
	(void)r3;
	(void)r4;
	(void)r5;
	if (sample)
		rb_commit((void *)(uintptr_t)sample, flags, 0);
	return 0;
}

uint64_t b2n_h_ringbuf_discard(uint64_t sample, uint64_t flags, uint64_t r3, uint64_t r4,
                               uint64_t r5)
{
	(void)r3;
	(void)r4;
	(void)r5;
	if (sample)
		rb_commit((void *)(uintptr_t)sample, flags, 1);
	return 0;
}

uint64_t b2n_h_ringbuf_query(uint64_t map, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_rb *rb = rb_of_map_arg(map);
	(void)r3;
	(void)r4;
	(void)r5;
	if (!rb)
		return 0;
	switch (flags) {
	case RB_AVAIL_DATA:
		return __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE) -
		       __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	case RB_RING_SIZE:
		return rb->mask + 1;
	case RB_CONS_POS:
		return __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	case RB_PROD_POS:
		return __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
	default:
		return 0;
	}
}

/* ---- consumer ----------------------------------------------------------- */

struct b2n_rb_ring {
	struct b2n_map *map;
	struct b2n_rb *rb;
	b2n_ring_buffer_sample_fn cb;
	void *ctx;
};

struct b2n_ring_buffer {
	struct b2n_rb_ring *rings;
	int nrings;
};

/* Consume up to the producer position; returns the number of samples
 * handed to the callback, or the callback's negative result.  *busy is set
 * when another consumer holds the ring. */
static int64_t rb_process(struct b2n_rb_ring *r, int *busy)
{
	struct b2n_rb *rb = r->rb;
	uint64_t cons, prod;
	int64_t cnt = 0;
	int got;

	if (pthread_mutex_trylock(&rb->cons_lock) != 0) {
		*busy = 1;
		return 0;
	}
	cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	do {
		got = 0;
		prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			struct rb_hdr *hdr = rb_hdr_at(rb, cons);
			uint32_t len = __atomic_load_n(&hdr->len, __ATOMIC_ACQUIRE);
			if (len & RB_BUSY_BIT)
				goto done;
			got = 1;
			cons += rb_round_len(len);
			if (!(len & RB_DISCARD_BIT)) {
				int err = r->cb(r->ctx, hdr + 1, len);
				if (err < 0) {
					__atomic_store_n(&rb->consumer_pos, cons, __ATOMIC_RELEASE);
					pthread_mutex_unlock(&rb->cons_lock);
					return err;
				}
				cnt++;
			}
			__atomic_store_n(&rb->consumer_pos, cons, __ATOMIC_RELEASE);
		}
	} while (got);
done:
	pthread_mutex_unlock(&rb->cons_lock);
	return cnt;
}

/* Is a committed (possibly discarded) record waiting in any ring? */
static int rb_any_ready(const struct b2n_ring_buffer *rbs)
{
	for (int i = 0; i < rbs->nrings; i++) {
		struct b2n_rb *rb = rbs->rings[i].rb;
		uint64_t cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_SEQ_CST);
		uint64_t prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_SEQ_CST);
		if (cons < prod &&
		    !(__atomic_load_n(&rb_hdr_at(rb, cons)->len, __ATOMIC_SEQ_CST) & RB_BUSY_BIT))
			return 1;
	}
	return 0;
}

static int rb_consume_all(struct b2n_ring_buffer *rbs, int *busy)
{
	int64_t res = 0;
	for (int i = 0; i < rbs->nrings; i++) {
		int64_t err = rb_process(&rbs->rings[i], busy);
		if (err < 0)
			return (int)err;
		res += err;
		if (res > INT_MAX)
			return INT_MAX;
	}
	return (int)res;
}

B2N_API int b2n_ring_buffer__add(struct b2n_ring_buffer *rbs, struct b2n_map *map,
                                 b2n_ring_buffer_sample_fn sample_cb, void *ctx)
{
	struct b2n_rb_ring *n;
	if (!rbs || !map || !sample_cb || map->ops != &b2n_rt_ops_ringbuf || !map->priv)
		return -EINVAL;
	n = realloc(rbs->rings, sizeof(*n) * (size_t)(rbs->nrings + 1));
	if (!n)
		return -ENOMEM;
	rbs->rings = n;
	n[rbs->nrings].map = map;
	n[rbs->nrings].rb = rb_of(map);
	n[rbs->nrings].cb = sample_cb;
	n[rbs->nrings].ctx = ctx;
	rbs->nrings++;
	return 0;
}

B2N_API struct b2n_ring_buffer *b2n_ring_buffer__new(struct b2n_map *map,
                                                     b2n_ring_buffer_sample_fn sample_cb, void *ctx,
                                                     const struct b2n_ring_buffer_opts *opts)
{
	struct b2n_ring_buffer *rbs;
	int err;
	if (opts && opts->sz && opts->sz < sizeof(size_t)) {
		errno = EINVAL;
		return NULL;
	}
	rbs = calloc(1, sizeof(*rbs));
	if (!rbs) {
		errno = ENOMEM;
		return NULL;
	}
	err = b2n_ring_buffer__add(rbs, map, sample_cb, ctx);
	if (err) {
		free(rbs);
		errno = -err;
		return NULL;
	}
	return rbs;
}

B2N_API int b2n_ring_buffer__consume(struct b2n_ring_buffer *rbs)
{
	int busy = 0;
	if (!rbs)
		return -EINVAL;
	return rb_consume_all(rbs, &busy);
}

static void rb_deadline(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

B2N_API int b2n_ring_buffer__poll(struct b2n_ring_buffer *rbs, int timeout_ms)
{
	struct timespec deadline;
	int n, busy = 0, timed_out = 0;

	if (!rbs)
		return -EINVAL;
	n = rb_consume_all(rbs, &busy);
	if (n != 0 || timeout_ms == 0)
		return n;
	pthread_once(&rb_wait_once, rb_wait_init);
	if (timeout_ms > 0)
		rb_deadline(&deadline, timeout_ms);
	while (!timed_out) {
		pthread_mutex_lock(&rb_wait_lock);
		__atomic_fetch_add(&rb_waiters, 1, __ATOMIC_SEQ_CST);
		while (!rb_any_ready(rbs)) {
			int e;
			if (timeout_ms < 0) {
				pthread_cond_wait(&rb_wait_cond, &rb_wait_lock);
				continue;
			}
			e = pthread_cond_timedwait(&rb_wait_cond, &rb_wait_lock, &deadline);
			if (e == ETIMEDOUT) {
				timed_out = 1;
				break;
			}
		}
		__atomic_fetch_sub(&rb_waiters, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&rb_wait_lock);
		busy = 0;
		n = rb_consume_all(rbs, &busy);
		if (n != 0)
			return n;
		/* only discarded records, or another consumer is at work */
		if (busy)
			sched_yield();
	}
	return 0;
}

B2N_API void b2n_ring_buffer__free(struct b2n_ring_buffer *rbs)
{
	if (!rbs)
		return;
	free(rbs->rings);
	free(rbs);
}
