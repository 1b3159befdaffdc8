/*
 * map_hash.c - BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH
 * (and the storage of HASH_OF_MAPS, see map_of_maps.c).
 *
 * A table of 2^k chained buckets (k from max_entries, as the kernel's
 * n_buckets) under one mutex per map; program lookups in non-LRU maps take
 * no lock but a sequence count the lock holder keeps odd (a seqlock: the
 * walk is retried when it moved, and after a few retries the lookup takes
 * the lock).  Keys hash 8 bytes at a time with a multiply hash, and 4- and
 * 8-byte keys compare as one word.  Elements are allocated on demand
 * and never freed before the map is destroyed: a deleted or replaced
 * element goes to a free list and is reused, the way the kernel reuses
 * preallocated elements, so a value pointer returned to a program always
 * points into live memory.  An element holds the key (rounded to 8 bytes)
 * then the value, or for per-CPU types b2n_rt_ncpus() values each rounded
 * to 8 bytes.
 *
 * Semantics follow kernel/bpf/hashtab.c: BPF_ANY/NOEXIST/EXIST (-EEXIST,
 * -ENOENT), -E2BIG when a new key does not fit, an update of an existing
 * key of a non-per-CPU map links a fresh element in place of the old one
 * (a program still holding the old value sees the old value), BPF_F_LOCK
 * copies in place under the value's bpf_spin_lock, per-CPU updates from a
 * program write this thread's slot (a new element gets zeroes elsewhere)
 * while user updates write every slot.  LRU maps keep one exact
 * recency list (the kernel's is approximate and per-CPU): program lookups
 * and updates make an element most recent, user lookups do not, and a new
 * key in a full map evicts the least recently used element.
 * BPF_F_NO_COMMON_LRU is accepted and rounds max_entries up to a multiple
 * of the CPU count as the kernel does; the list stays common.
 *
 * get_next_key walks buckets in order (a missing key restarts at the first
 * element).  for_each_map_elem takes a snapshot of the live elements under
 * the lock and calls back without it, skipping elements deleted meanwhile,
 * so the callback may itself update or delete elements of the map.
 * Batch operations use the kernel's cursor: a u32 bucket index (4 bytes in
 * in_batch/out_batch); a bucket is returned whole or not at all (-ENOSPC if
 * the first bucket does not fit in *count), -ENOENT when the last bucket
 * was passed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime_internal.h"

#define B2N_ENOTSUPP 524 /* the kernel's internal ENOTSUPP, as bpf() returns it */
#define PCPU_MIN_UNIT_SIZE (32 * 1024)
#define KMALLOC_MAX_SIZE (1U << 22)
#define HTAB_ELEM_HDR 48
#define F_NUMA_NODE (1U << 2)
#define ACCESS_FLAGS (B2N_F_RDONLY | B2N_F_WRONLY | B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)
#define HTAB_CREATE_FLAG_MASK                                                                      \
	(B2N_F_NO_PREALLOC | B2N_F_NO_COMMON_LRU | F_NUMA_NODE | ACCESS_FLAGS | B2N_F_ZERO_SEED)

/* Used by map_of_maps.c and map_user.c. */
int b2n_rt_htab_check(const struct b2n_map *m);
int b2n_rt_htab_create(struct b2n_map *m, uint32_t vsize);
int b2n_rt_htab_lookup_and_delete(struct b2n_map *m, const void *key, void *value, uint64_t flags);
int b2n_rt_htab_batch(struct b2n_map *m, const void *in_batch, void *out_batch, void *keys,
                      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags,
                      int do_delete);

struct helem {
	struct helem *next; /* bucket chain, or free list */
	struct helem *all;  /* every element ever allocated, for destroy */
	struct helem *lru_prev, *lru_next;
	uint32_t hash;
	uint32_t live;   /* 1 while linked in the table (atomic) */
	uint64_t data[]; /* key, then value(s) */
};

struct htab {
	pthread_mutex_t lock;
	uint32_t seq; /* odd while the lock is held (seqlock for lookups) */
	struct helem **buckets;
	uint32_t nbuckets, count, seed;
	uint32_t vsize; /* bytes of one stored value */
	size_t kstride; /* round_up(key_size, 8) */
	size_t vstride; /* round_up(vsize, 8) */
	int ncpus;      /* value slots per element */
	int lru, percpu;
	struct helem *free, *all;
	struct helem *lru_head, *lru_tail; /* most / least recently used */
};

static size_t round8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* A word-at-a-time multiply hash: 8 bytes per step, the tail zero-padded. */
static uint32_t hash_key(const struct htab *h, const void *key, uint32_t len)
{
	const unsigned char *p = key;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ h->seed ^ ((uint64_t)len << 32), w;
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		x = (x ^ w) * 0xff51afd7ed558ccdull;
		x ^= x >> 32;
	}
	if (len) { /* fixed-size loads: a variable memcpy would go byte by byte */
		uint32_t w4 = 0;
		uint16_t w2 = 0;
		w = 0;
		if (len & 4)
			memcpy(&w4, p, 4), p += 4;
		if (len & 2)
			memcpy(&w2, p, 2), p += 2;
		w = (uint64_t)w4 << 24 ^ (uint64_t)w2 << 8 ^ ((len & 1) ? *p : 0);
		x = (x ^ w) * 0xff51afd7ed558ccdull;
	}
	x ^= x >> 29;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

/* Key equality, with the common sizes as single loads (element keys are
 * 8-byte aligned, the program's key need not be). */
static int key_eq(const void *ek, const void *key, uint32_t len)
{
	uint32_t a4, b4;
	uint64_t a8, b8;
	switch (len) {
	case 4:
		memcpy(&a4, ek, 4), memcpy(&b4, key, 4);
		return a4 == b4;
	case 8:
		memcpy(&a8, ek, 8), memcpy(&b8, key, 8);
		return a8 == b8;
	default:
		return !memcmp(ek, key, len);
	}
}

/* The lock: writers (and locked readers) make seq odd while they hold it,
 * so that htab_lookup can walk the buckets without it and retry when the
 * sequence moved.  Elements are never freed before the map, so a racing
 * walk only reads stale, live memory. */
static void hlock(struct htab *h)
{
	pthread_mutex_lock(&h->lock);
	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void hunlock(struct htab *h)
{
	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&h->lock);
}

static char *ekey(struct helem *e)
{
	return (char *)e->data;
}

static char *evalue(const struct htab *h, struct helem *e, int cpu)
{
	return (char *)e->data + h->kstride + (size_t)cpu * h->vstride;
}

int b2n_rt_htab_create(struct b2n_map *m, uint32_t vsize)
{
	static uint32_t seed_counter;
	struct htab *h = calloc(1, sizeof(*h));
	uint32_t nb = 1;
	if (!h)
		return -ENOMEM;
	while (nb < m->max_entries)
		nb <<= 1;
	h->nbuckets = nb;
	h->buckets = calloc(nb, sizeof(*h->buckets));
	if (!h->buckets) {
		free(h);
		return -ENOMEM;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->lru = m->type == B2N_MAP_LRU_HASH || m->type == B2N_MAP_LRU_PERCPU_HASH;
	h->percpu = m->type == B2N_MAP_PERCPU_HASH || m->type == B2N_MAP_LRU_PERCPU_HASH;
	h->ncpus = h->percpu ? b2n_rt_ncpus() : 1;
	h->vsize = vsize;
	h->kstride = round8(m->key_size);
	h->vstride = round8(vsize);
	if (!(m->map_flags & B2N_F_ZERO_SEED))
		h->seed = (uint32_t)time(NULL) * 2654435761u ^
		          __atomic_add_fetch(&seed_counter, 0x9e3779b9u, __ATOMIC_RELAXED) ^
		          (uint32_t)(uintptr_t)h;
	m->priv = h;
	return 0;
}

/* htab_map_alloc_check(); may round max_entries (BPF_F_NO_COMMON_LRU). */
static int htab_check(struct b2n_map *m)
{
	int lru = m->type == B2N_MAP_LRU_HASH || m->type == B2N_MAP_LRU_PERCPU_HASH;
	int percpu = m->type == B2N_MAP_PERCPU_HASH || m->type == B2N_MAP_LRU_PERCPU_HASH;
	int percpu_lru = (m->map_flags & B2N_F_NO_COMMON_LRU) != 0;
	int prealloc = !(m->map_flags & B2N_F_NO_PREALLOC);

	if (m->map_flags & ~HTAB_CREATE_FLAG_MASK)
		return -EINVAL;
	if (!lru && percpu_lru)
		return -EINVAL;
	if (lru && !prealloc)
		return -B2N_ENOTSUPP;
	if ((m->map_flags & F_NUMA_NODE) && (percpu || percpu_lru))
		return -EINVAL;
	if (m->max_entries == 0 || m->key_size == 0 || m->value_size == 0)
		return -EINVAL;
	if ((uint64_t)m->key_size + m->value_size >= KMALLOC_MAX_SIZE - HTAB_ELEM_HDR)
		return -E2BIG;
	if (percpu && round8(m->value_size) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	if (m->max_entries > (1U << 28))
		return -E2BIG;
	if (percpu_lru) {
		uint32_t n = (uint32_t)b2n_rt_ncpus();
		uint64_t r = ((uint64_t)m->max_entries + n - 1) / n * n;
		if (r <= (1U << 28))
			m->max_entries = (uint32_t)r;
	}
	return 0;
}

int b2n_rt_htab_check(const struct b2n_map *m)
{
	struct b2n_map copy = *m;
	return htab_check(&copy);
}

static int htab_create(struct b2n_map *m)
{
	int err = htab_check(m);
	return err ? err : b2n_rt_htab_create(m, m->value_size);
}

static void htab_destroy(struct b2n_map *m)
{
	struct htab *h = m->priv;
	struct helem *e, *n;
	if (!h)
		return;
	for (e = h->all; e; e = n) {
		n = e->all;
		free(e);
	}
	pthread_mutex_destroy(&h->lock);
	free(h->buckets);
	free(h);
	m->priv = NULL;
}

/* ---- internals (lock held) ----------------------------------------------- */

static struct helem **find_link(struct b2n_map *m, struct htab *h, const void *key, uint32_t hash)
{
	struct helem **pp = &h->buckets[hash & (h->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == hash && key_eq(ekey(*pp), key, m->key_size))
			return pp;
	return NULL;
}

static void lru_unlink(struct htab *h, struct helem *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		h->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		h->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct htab *h, struct helem *e)
{
	e->lru_prev = NULL;
	e->lru_next = h->lru_head;
	if (h->lru_head)
		h->lru_head->lru_prev = e;
	else
		h->lru_tail = e;
	h->lru_head = e;
}

static void lru_touch(struct htab *h, struct helem *e)
{
	if (h->lru && h->lru_head != e) {
		lru_unlink(h, e);
		lru_push_front(h, e);
	}
}

static struct helem *elem_alloc(struct b2n_map *m, struct htab *h)
{
	struct helem *e = h->free;
	size_t dsize = h->kstride + (size_t)h->ncpus * h->vstride;
	if (e) {
		h->free = e->next;
	} else {
		e = malloc(sizeof(*e) + dsize);
		if (!e)
			return NULL;
		e->all = h->all;
		h->all = e;
	}
	(void)m;
	e->next = e->lru_prev = e->lru_next = NULL;
	memset(e->data, 0, dsize);
	return e;
}

/* Unlink *pp from its bucket (and the LRU list) and recycle it. */
static void elem_remove(struct htab *h, struct helem **pp)
{
	struct helem *e = *pp;
	*pp = e->next;
	if (h->lru)
		lru_unlink(h, e);
	__atomic_store_n(&e->live, 0, __ATOMIC_RELEASE);
	e->next = h->free;
	h->free = e;
	h->count--;
}

static void elem_link(struct htab *h, struct helem *e, uint32_t hash)
{
	struct helem **head = &h->buckets[hash & (h->nbuckets - 1)];
	e->hash = hash;
	e->next = *head;
	*head = e;
	if (h->lru)
		lru_push_front(h, e);
	__atomic_store_n(&e->live, 1, __ATOMIC_RELEASE);
	h->count++;
}

static void copy_value_in(struct b2n_map *m, struct htab *h, void *dst, const void *src)
{
	if (m->spin_lock_off >= 0)
		b2n_rt_value_copy(m, dst, src);
	else
		memcpy(dst, src, h->vsize);
}

/* Copy an element's value(s) out in the user layout. */
static void copy_value_out(struct b2n_map *m, struct htab *h, struct helem *e, void *dst,
                           uint64_t flags)
{
	int c;
	if (h->percpu) {
		for (c = 0; c < h->ncpus; c++)
			memcpy((char *)dst + (size_t)c * h->vstride, evalue(h, e, c), h->vstride);
		return;
	}
	if (flags & B2N_F_LOCK)
		b2n_rt_value_lock(m, evalue(h, e, 0));
	copy_value_in(m, h, dst, evalue(h, e, 0));
	if (flags & B2N_F_LOCK)
		b2n_rt_value_unlock(m, evalue(h, e, 0));
	if (m->spin_lock_off >= 0)
		memset((char *)dst + m->spin_lock_off, 0, 4);
}

/* The update of hashtab.c; onallcpus: value holds every CPU's slot. */
static int htab_update_common(struct b2n_map *m, const void *key, const void *value, uint64_t flags,
                              int onallcpus)
{
	struct htab *h = m->priv;
	uint64_t op = flags & ~(uint64_t)B2N_F_LOCK;
	struct helem **pp, *old, *e;
	uint32_t hash;
	int c, cpu, ret = 0;

	if (h->percpu ? flags > B2N_EXIST : op > B2N_EXIST)
		return -EINVAL;
	if ((flags & B2N_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	hash = hash_key(h, key, m->key_size);
	hlock(h);
	pp = find_link(m, h, key, hash);
	old = pp ? *pp : NULL;
	if (old && op == B2N_NOEXIST) {
		ret = -EEXIST;
		goto out;
	}
	if (!old && op == B2N_EXIST) {
		ret = -ENOENT;
		goto out;
	}
	if (old && h->percpu) {
		/* per-CPU values are updated in place */
		if (onallcpus) {
			for (c = 0; c < h->ncpus; c++)
				memcpy(evalue(h, old, c),
				       (const char *)value + (size_t)c * h->vstride, h->vstride);
		} else {
			memcpy(evalue(h, old, b2n_rt_cpu()), value, h->vsize);
		}
		lru_touch(h, old);
		goto out;
	}
	if (old && (flags & B2N_F_LOCK)) {
		b2n_rt_value_lock(m, evalue(h, old, 0));
		b2n_rt_value_copy(m, evalue(h, old, 0), value);
		b2n_rt_value_unlock(m, evalue(h, old, 0));
		lru_touch(h, old);
		goto out;
	}
	if (!old && h->count >= m->max_entries) {
		if (!h->lru || !h->lru_tail) {
			ret = -E2BIG;
			goto out;
		}
		/* evict the least recently used element */
		{
			struct helem *victim = h->lru_tail;
			struct helem **vp = find_link(m, h, ekey(victim), victim->hash);
			elem_remove(h, vp);
		}
	}
	e = elem_alloc(m, h);
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(ekey(e), key, m->key_size);
	if (h->percpu) {
		if (onallcpus) {
			for (c = 0; c < h->ncpus; c++)
				memcpy(evalue(h, e, c),
				       (const char *)value + (size_t)c * h->vstride, h->vstride);
		} else {
			cpu = b2n_rt_cpu();
			memcpy(evalue(h, e, cpu), value, h->vsize);
		}
	} else {
		copy_value_in(m, h, evalue(h, e, 0), value);
	}
	if (old) {
		/* replace: the new element takes the old one's place */
		pp = find_link(m, h, key, hash);
		elem_remove(h, pp);
	}
	elem_link(h, e, hash);
out:
	hunlock(h);
	return ret;
}

/* ---- program side ------------------------------------------------------- */

static void *htab_lookup(struct b2n_map *m, const void *key)
{
	struct htab *h = m->priv;
	uint32_t hash = hash_key(h, key, m->key_size);
	struct helem **pp, *e;
	void *v = NULL;
	uint32_t s, steps, tries;

	/* Lock-free for the non-LRU maps (an LRU lookup reorders the list). */
	for (tries = 0; !h->lru && tries < 4; tries++) {
		s = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		if (s & 1)
			continue;
		e = __atomic_load_n(&h->buckets[hash & (h->nbuckets - 1)], __ATOMIC_ACQUIRE);
		for (steps = 0; e; steps++) {
			if (steps >= 8 && __atomic_load_n(&h->seq, __ATOMIC_RELAXED) != s)
				break; /* a racing walk could be on another chain */
			if (__atomic_load_n(&e->hash, __ATOMIC_RELAXED) == hash &&
			    key_eq(ekey(e), key, m->key_size))
				break;
			e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE);
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->seq, __ATOMIC_RELAXED) == s)
			return e ? evalue(h, e, h->percpu ? b2n_rt_cpu() : 0) : NULL;
	}
	hlock(h);
	pp = find_link(m, h, key, hash);
	if (pp) {
		lru_touch(h, *pp);
		v = evalue(h, *pp, h->percpu ? b2n_rt_cpu() : 0);
	}
	hunlock(h);
	return v;
}

static long htab_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	return htab_update_common(m, key, value, flags, 0);
}

static long htab_delete(struct b2n_map *m, const void *key)
{
	struct htab *h = m->priv;
	uint32_t hash = hash_key(h, key, m->key_size);
	struct helem **pp;
	int ret = -ENOENT;
	hlock(h);
	pp = find_link(m, h, key, hash);
	if (pp) {
		elem_remove(h, pp);
		ret = 0;
	}
	hunlock(h);
	return ret;
}

static long htab_for_each(struct b2n_map *m, b2n_map_iter_fn fn, void *ctx)
{
	struct htab *h = m->priv;
	struct helem **snap, *e;
	uint32_t i, n = 0, k;
	long visited = 0;
	int cpu = h->percpu ? b2n_rt_cpu() : 0;

	hlock(h);
	snap = malloc(((size_t)h->count + 1) * sizeof(*snap));
	if (!snap) {
		hunlock(h);
		return -ENOMEM;
	}
	for (i = 0; i < h->nbuckets; i++)
		for (e = h->buckets[i]; e; e = e->next)
			snap[n++] = e;
	hunlock(h);
	for (k = 0; k < n; k++) {
		e = snap[k];
		if (!__atomic_load_n(&e->live, __ATOMIC_ACQUIRE))
			continue;
		visited++;
		if (fn(m, ekey(e), evalue(h, e, cpu), ctx))
			break;
	}
	free(snap);
	return visited;
}

/* ---- user side ------------------------------------------------------------ */

static int htab_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct htab *h = m->priv;
	uint32_t hash = hash_key(h, key, m->key_size);
	struct helem **pp;
	int ret = -ENOENT;
	hlock(h);
	pp = find_link(m, h, key, hash);
	if (pp) {
		copy_value_out(m, h, *pp, value, flags);
		ret = 0;
	}
	hunlock(h);
	return ret;
}

static int htab_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	return htab_update_common(m, key, value, flags, 1);
}

static int htab_delete_user(struct b2n_map *m, const void *key)
{
	return (int)htab_delete(m, key);
}

int b2n_rt_htab_lookup_and_delete(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct htab *h = m->priv;
	uint32_t hash;
	struct helem **pp;
	int ret = -ENOENT;
	if ((flags & ~(uint64_t)B2N_F_LOCK) || ((flags & B2N_F_LOCK) && m->spin_lock_off < 0))
		return -EINVAL;
	hash = hash_key(h, key, m->key_size);
	hlock(h);
	pp = find_link(m, h, key, hash);
	if (pp) {
		copy_value_out(m, h, *pp, value, flags);
		elem_remove(h, pp);
		ret = 0;
	}
	hunlock(h);
	return ret;
}

static int htab_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	struct htab *h = m->priv;
	struct helem **pp = NULL, *e = NULL;
	uint32_t i = 0, hash;
	int ret = -ENOENT;
	hlock(h);
	if (key) {
		hash = hash_key(h, key, m->key_size);
		pp = find_link(m, h, key, hash);
		if (pp) {
			e = (*pp)->next;
			i = (hash & (h->nbuckets - 1)) + 1;
		}
	}
	for (; !e && i < h->nbuckets; i++)
		e = h->buckets[i];
	if (e) {
		memcpy(next_key, ekey(e), m->key_size);
		ret = 0;
	}
	hunlock(h);
	return ret;
}

int b2n_rt_htab_batch(struct b2n_map *m, const void *in_batch, void *out_batch, void *keys,
                      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags,
                      int do_delete)
{
	struct htab *h = m->priv;
	uint32_t max_count, total = 0, batch = 0, bucket_cnt;
	size_t vsz = h->percpu ? (size_t)h->ncpus * h->vstride : m->value_size;
	struct helem *e, **pp;
	int ret = 0;

	if ((elem_flags & ~(uint64_t)B2N_F_LOCK) ||
	    ((elem_flags & B2N_F_LOCK) && m->spin_lock_off < 0))
		return -EINVAL;
	if (flags)
		return -EINVAL;
	max_count = *count;
	if (!max_count)
		return 0;
	*count = 0;
	if (in_batch)
		memcpy(&batch, in_batch, 4);
	if (batch >= h->nbuckets)
		return -ENOENT;
	for (;;) {
		hlock(h);
		bucket_cnt = 0;
		for (e = h->buckets[batch]; e; e = e->next)
			bucket_cnt++;
		if (bucket_cnt > max_count - total) {
			if (total == 0)
				ret = -ENOSPC;
			hunlock(h);
			break;
		}
		pp = &h->buckets[batch];
		while (*pp) {
			e = *pp;
			memcpy((char *)keys + (size_t)total * m->key_size, ekey(e), m->key_size);
			copy_value_out(m, h, e, (char *)values + (size_t)total * vsz, elem_flags);
			total++;
			if (do_delete)
				elem_remove(h, pp);
			else
				pp = &e->next;
		}
		hunlock(h);
		batch++;
		if (batch >= h->nbuckets) {
			ret = -ENOENT;
			break;
		}
	}
	memcpy(out_batch, &batch, 4);
	*count = total;
	return ret;
}

const struct b2n_map_ops b2n_rt_ops_hash = {
	.create = htab_create,
	.destroy = htab_destroy,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.for_each = htab_for_each,
	.lookup_user = htab_lookup_user,
	.update_user = htab_update_user,
	.delete_user = htab_delete_user,
	.get_next_key = htab_get_next_key,
};
