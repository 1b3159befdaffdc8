/*
 * map_lpm.c - BPF_MAP_TYPE_LPM_TRIE (longest-prefix match).
 *
 * A key is struct bpf_lpm_trie_key: a u32 prefixlen (host order) followed
 * by key_size - 4 data bytes, whose bits are numbered from the most
 * significant bit of data[0] (network order), so max_prefixlen is
 * 8 * (key_size - 4).  Instead of the kernel's binary trie this keeps a
 * flat list of entries under one mutex: lookup scans for the matching
 * entry with the longest prefix (an entry matches when its prefixlen is
 * <= the key's and those first bits are equal), update and delete work on
 * the exact (prefixlen, first prefixlen bits) pair.  Entries are allocated
 * on demand and recycled through a free list, freed only with the map, so
 * value pointers given to programs stay valid.
 *
 * get_next_key yields the kernel's order, the post-order of the trie:
 * entries are totally ordered by their first differing bit within the
 * shorter prefix (0 before 1), and when one prefix contains the other the
 * longer (more specific) one comes first.  A NULL key, or one not in the
 * map, gives the first entry; the last gives -ENOENT.
 *
 * Creation as trie_alloc(): BPF_F_NO_PREALLOC required, flags only
 * NO_PREALLOC/NUMA_NODE/access flags, key_size 5..260, value_size >= 1
 * (and bounded), all -EINVAL.  Update: flags > BPF_EXIST or prefixlen >
 * max -EINVAL, BPF_NOEXIST/BPF_EXIST as usual, a new entry in a full map
 * -ENOSPC (the kernel's answer).  Delete: prefixlen > max -EINVAL, missing
 * -ENOENT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define F_NUMA_NODE (1U << 2)
#define ACCESS_FLAGS (B2N_F_RDONLY | B2N_F_WRONLY | B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)
#define LPM_CREATE_FLAG_MASK (B2N_F_NO_PREALLOC | F_NUMA_NODE | ACCESS_FLAGS)
#define LPM_DATA_SIZE_MAX 256
#define LPM_KEY_SIZE_MIN (4 + 1)
#define LPM_KEY_SIZE_MAX (4 + LPM_DATA_SIZE_MAX)
#define LPM_VAL_SIZE_MAX ((1U << 22) - LPM_DATA_SIZE_MAX - 64)

struct lnode {
	struct lnode *next_free;
	uint32_t prefixlen;
	uint64_t mem[]; /* data (round_up(data_size, 8)), then value */
};

struct lpm {
	pthread_mutex_t lock;
	uint32_t data_size, max_prefixlen, n;
	size_t dstride;
	struct lnode **ents; /* [max_entries], n used */
	struct lnode *free;
	struct lnode **allocated; /* every node, for destroy */
	uint32_t nalloc;
};

static uint8_t *ndata(struct lnode *e)
{
	return (uint8_t *)e->mem;
}

static void *nvalue(const struct lpm *t, struct lnode *e)
{
	return (char *)e->mem + t->dstride;
}

static int bit_at(const uint8_t *d, uint32_t i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

/* Length of the common prefix of a and b within their first `limit` bits. */
static uint32_t common_bits(const uint8_t *a, const uint8_t *b, uint32_t limit)
{
	uint32_t i = 0;
	while (i + 8 <= limit && a[i / 8] == b[i / 8])
		i += 8;
	while (i < limit && bit_at(a, i) == bit_at(b, i))
		i++;
	return i;
}

static int lpm_create(struct b2n_map *m)
{
	struct lpm *t;
	if (!(m->map_flags & B2N_F_NO_PREALLOC) || (m->map_flags & ~LPM_CREATE_FLAG_MASK) ||
	    m->key_size < LPM_KEY_SIZE_MIN || m->key_size > LPM_KEY_SIZE_MAX || m->value_size < 1 ||
	    m->value_size > LPM_VAL_SIZE_MAX)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->data_size = m->key_size - 4;
	t->max_prefixlen = 8 * t->data_size;
	t->dstride = (t->data_size + 7) & ~(size_t)7;
	t->ents = calloc(m->max_entries, sizeof(*t->ents));
	t->allocated = calloc(m->max_entries, sizeof(*t->allocated));
	if (!t->ents || !t->allocated) {
		free(t->ents);
		free(t->allocated);
		free(t);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	m->priv = t;
	return 0;
}

static void lpm_destroy(struct b2n_map *m)
{
	struct lpm *t = m->priv;
	uint32_t i;
	if (!t)
		return;
	for (i = 0; i < t->nalloc; i++)
		free(t->allocated[i]);
	pthread_mutex_destroy(&t->lock);
	free(t->allocated);
	free(t->ents);
	free(t);
	m->priv = NULL;
}

static uint32_t key_plen(const void *key)
{
	uint32_t p;
	memcpy(&p, key, 4);
	return p;
}

static const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + 4;
}

/* Index of the entry with exactly this prefix, or -1.  Lock held. */
static long find_exact(struct lpm *t, uint32_t plen, const uint8_t *d)
{
	uint32_t i;
	for (i = 0; i < t->n; i++)
		if (t->ents[i]->prefixlen == plen &&
		    common_bits(ndata(t->ents[i]), d, plen) == plen)
			return i;
	return -1;
}

/* The post-order comparison described at the top. */
static int order_cmp(const struct lpm *t, uint32_t pa, const uint8_t *a, uint32_t pb,
                     const uint8_t *b)
{
	uint32_t lim = pa < pb ? pa : pb;
	uint32_t c = common_bits(a, b, lim);
	(void)t;
	if (c < lim)
		return bit_at(a, c) ? 1 : -1;
	if (pa == pb)
		return 0;
	return pa > pb ? -1 : 1;
}

static void *lpm_lookup_locked(struct lpm *t, const void *key)
{
	uint32_t plen = key_plen(key), i;
	struct lnode *best = NULL;
	if (plen > t->max_prefixlen)
		return NULL;
	for (i = 0; i < t->n; i++) {
		struct lnode *e = t->ents[i];
		if (e->prefixlen <= plen && (!best || e->prefixlen > best->prefixlen) &&
		    common_bits(ndata(e), key_data(key), e->prefixlen) == e->prefixlen)
			best = e;
	}
	return best ? nvalue(t, best) : NULL;
}

static void *lpm_lookup(struct b2n_map *m, const void *key)
{
	struct lpm *t = m->priv;
	void *v;
	pthread_mutex_lock(&t->lock);
	v = lpm_lookup_locked(t, key);
	pthread_mutex_unlock(&t->lock);
	return v;
}

static long lpm_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	struct lpm *t = m->priv;
	uint32_t plen = key_plen(key);
	struct lnode *e;
	long i, ret = 0;
	if (flags > B2N_EXIST || plen > t->max_prefixlen)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	i = find_exact(t, plen, key_data(key));
	if (i >= 0) {
		if (flags == B2N_NOEXIST) {
			ret = -EEXIST;
			goto out;
		}
		e = t->ents[i];
		memcpy(ndata(e), key_data(key), t->data_size);
		memcpy(nvalue(t, e), value, m->value_size);
		goto out;
	}
	if (flags == B2N_EXIST) {
		ret = -ENOENT;
		goto out;
	}
	if (t->n >= m->max_entries) {
		ret = -ENOSPC;
		goto out;
	}
	if (t->free) {
		e = t->free;
		t->free = e->next_free;
	} else {
		e = malloc(sizeof(*e) + t->dstride + m->value_size);
		if (!e) {
			ret = -ENOMEM;
			goto out;
		}
		t->allocated[t->nalloc++] = e;
	}
	e->next_free = NULL;
	e->prefixlen = plen;
	memcpy(ndata(e), key_data(key), t->data_size);
	memcpy(nvalue(t, e), value, m->value_size);
	t->ents[t->n++] = e;
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static long lpm_delete(struct b2n_map *m, const void *key)
{
	struct lpm *t = m->priv;
	uint32_t plen = key_plen(key);
	long i, ret = 0;
	if (plen > t->max_prefixlen)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	i = find_exact(t, plen, key_data(key));
	if (i < 0) {
		ret = -ENOENT;
	} else {
		struct lnode *e = t->ents[i];
		t->ents[i] = t->ents[--t->n];
		e->next_free = t->free;
		t->free = e;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static int lpm_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct lpm *t = m->priv;
	void *v;
	int ret = -ENOENT;
	(void)flags;
	pthread_mutex_lock(&t->lock);
	v = lpm_lookup_locked(t, key);
	if (v) {
		memcpy(value, v, m->value_size);
		ret = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static int lpm_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	return (int)lpm_update(m, key, value, flags);
}

static int lpm_delete_user(struct b2n_map *m, const void *key)
{
	return (int)lpm_delete(m, key);
}

static int lpm_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	struct lpm *t = m->priv;
	struct lnode *best = NULL;
	uint32_t i, plen = 0;
	int have_cur = 0, ret = 0;
	pthread_mutex_lock(&t->lock);
	if (key) {
		plen = key_plen(key);
		have_cur = plen <= t->max_prefixlen && find_exact(t, plen, key_data(key)) >= 0;
	}
	for (i = 0; i < t->n; i++) {
		struct lnode *e = t->ents[i];
		if (have_cur && order_cmp(t, e->prefixlen, ndata(e), plen, key_data(key)) <= 0)
			continue;
		if (!best || order_cmp(t, e->prefixlen, ndata(e), best->prefixlen, ndata(best)) < 0)
			best = e;
	}
	if (best) {
		memcpy(next_key, &best->prefixlen, 4);
		memcpy((char *)next_key + 4, ndata(best), t->data_size);
	} else {
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

const struct b2n_map_ops b2n_rt_ops_lpm_trie = {
	.create = lpm_create,
	.destroy = lpm_destroy,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.lookup_user = lpm_lookup_user,
	.update_user = lpm_update_user,
	.delete_user = lpm_delete_user,
	.get_next_key = lpm_get_next_key,
};
