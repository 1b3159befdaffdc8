/*
 * map_dev.c - the redirect maps of XDP: BPF_MAP_TYPE_DEVMAP, DEVMAP_HASH,
 * CPUMAP and XSKMAP, as kernel/bpf/devmap.c, cpumap.c and
 * net/xdp/xskmap.c define them for user space and for bpf_redirect_map.
 *
 * There are no network devices, CPU queues or AF_XDP sockets here: a slot
 * only records what the kernel would keep visible (struct bpf_devmap_val
 * {ifindex, prog id} or struct bpf_cpumap_val {qsize, prog id}, the prog
 * id always 0), and bpf_redirect_map (helpers_pkt.c) reads it to report
 * the verdict and the target to the application.  The kernel's rules:
 *
 *  - creation: key_size 4; devmap/devmap_hash value 4 or 8 bytes, flags
 *    NUMA_NODE/RDONLY/WRONLY only, devmap_hash max_entries <= 2^31;
 *    cpumap value 4 or 8, flags NUMA_NODE only, max_entries <= NR_CPUS
 *    (8192, the x86_64 Debian config) else -E2BIG; xskmap value 4, flags
 *    as devmap.  Anything else -EINVAL.
 *  - devmap update: flags > BPF_EXIST -EINVAL, key >= max_entries -E2BIG,
 *    BPF_NOEXIST -EEXIST (always), ifindex 0 clears the slot; a program
 *    fd (> 0) in the value is -EOPNOTSUPP here (the kernel would attach a
 *    devmap program; ifindex is not checked against real devices).
 *    delete: key >= max_entries -EINVAL, else 0 even when empty.
 *  - devmap_hash update: flags > BPF_EXIST or ifindex 0 -EINVAL, NOEXIST
 *    on a present key -EEXIST, a new key when full -E2BIG (BPF_EXIST on an
 *    absent key inserts, as the kernel does); delete of an absent key
 *    -ENOENT; get_next_key walks the kernel's bucket order
 *    (roundup_pow_of_two(max_entries) buckets, newest first in a bucket;
 *    an absent key restarts at the first element).
 *  - cpumap update: as devmap plus qsize > 16384 -EOVERFLOW, a key that
 *    is not a possible CPU (b2n_num_possible_cpus) -ENODEV, qsize 0
 *    clears; delete as devmap.
 *  - xskmap: user-space lookups are -EOPNOTSUPP (as the kernel), updates
 *    need an AF_XDP socket: -EOPNOTSUPP after the flag and range checks;
 *    every slot stays empty, so bpf_redirect_map into it takes the
 *    fallback action, as in a kernel test run.
 *  - programs may only look these maps up (devmap, devmap_hash, xskmap:
 *    the value, or NULL) or redirect into them.
 * One mutex per map serialises user-side writes; program lookups read
 * slots that stay allocated until the map is destroyed (array types) or
 * until the entry is deleted (devmap_hash, as the kernel frees after RCU).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define F_NUMA_NODE (1U << 2)
#define DEV_CREATE_FLAG_MASK (F_NUMA_NODE | B2N_F_RDONLY | B2N_F_WRONLY)
#define CPUMAP_NR_CPUS 8192u

struct dev_ent {
	struct dev_ent *next; /* devmap_hash chain */
	uint32_t key;
	int present;
	uint32_t val[2]; /* ifindex or qsize, prog id */
};

struct devmap {
	pthread_mutex_t lock;
	struct dev_ent *slots;    /* array types: max_entries */
	struct dev_ent **buckets; /* devmap_hash */
	uint32_t nbuckets, items;
};

static int dev_create(struct b2n_map *m)
{
	struct devmap *d;
	if (m->max_entries == 0 || m->key_size != 4)
		return -EINVAL;
	switch (m->type) {
	case B2N_MAP_DEVMAP:
	case B2N_MAP_DEVMAP_HASH:
		if ((m->value_size != 4 && m->value_size != 8) ||
		    (m->map_flags & ~DEV_CREATE_FLAG_MASK))
			return -EINVAL;
		if (m->type == B2N_MAP_DEVMAP_HASH && m->max_entries > (1u << 31))
			return -EINVAL;
		break;
	case B2N_MAP_CPUMAP:
		if ((m->value_size != 4 && m->value_size != 8) || (m->map_flags & ~F_NUMA_NODE))
			return -EINVAL;
		if (m->max_entries > CPUMAP_NR_CPUS)
			return -E2BIG;
		break;
	default: /* XSKMAP */
		if (m->value_size != 4 || (m->map_flags & ~DEV_CREATE_FLAG_MASK))
			return -EINVAL;
		break;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (m->type == B2N_MAP_DEVMAP_HASH) {
		uint32_t n = 1;
		while (n < m->max_entries)
			n <<= 1;
		d->nbuckets = n;
		d->buckets = calloc(n, sizeof(*d->buckets));
		if (!d->buckets) {
			free(d);
			return -ENOMEM;
		}
	} else {
		d->slots = calloc(m->max_entries, sizeof(*d->slots));
		if (!d->slots) {
			free(d);
			return -ENOMEM;
		}
	}
	pthread_mutex_init(&d->lock, NULL);
	m->priv = d;
	return 0;
}

static void dev_destroy(struct b2n_map *m)
{
	struct devmap *d = m->priv;
	if (!d)
		return;
	for (uint32_t b = 0; b < d->nbuckets; b++) {
		struct dev_ent *e = d->buckets[b], *n;
		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	free(d->buckets);
	free(d->slots);
	pthread_mutex_destroy(&d->lock);
	free(d);
	m->priv = NULL;
}

static struct dev_ent *hash_find(struct devmap *d, uint32_t key)
{
	struct dev_ent *e = d->buckets[key & (d->nbuckets - 1)];
	while (e && e->key != key)
		e = e->next;
	return e;
}

static struct dev_ent *find(struct b2n_map *m, uint32_t key)
{
	struct devmap *d = m->priv;
	if (m->type == B2N_MAP_DEVMAP_HASH)
		return hash_find(d, key);
	if (key >= m->max_entries || !d->slots[key].present)
		return NULL;
	return &d->slots[key];
}

/* program side: the value (devmap, devmap_hash) or NULL (xskmap: no
 * socket is ever there; cpumap: programs may not look it up) */
static void *dev_lookup(struct b2n_map *m, const void *key)
{
	uint32_t k;
	struct dev_ent *e;
	if (m->type == B2N_MAP_XSKMAP || m->type == B2N_MAP_CPUMAP)
		return NULL;
	memcpy(&k, key, 4);
	e = find(m, k);
	return e ? e->val : NULL;
}

int b2n_rt_dev_map_target(struct b2n_map *m, uint32_t key, uint32_t *ifindex)
{
	struct dev_ent *e;
	if (m->type == B2N_MAP_XSKMAP)
		return 0;
	e = find(m, key);
	if (!e)
		return 0;
	*ifindex = m->type == B2N_MAP_CPUMAP ? key : e->val[0];
	return 1;
}

static int dev_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct devmap *d = m->priv;
	struct dev_ent *e;
	uint32_t k;
	int err = 0;
	if (flags)
		return -EINVAL;
	if (m->type == B2N_MAP_XSKMAP)
		return -EOPNOTSUPP;
	memcpy(&k, key, 4);
	pthread_mutex_lock(&d->lock);
	e = find(m, k);
	if (e)
		memcpy(value, e->val, m->value_size);
	else
		err = -ENOENT;
	pthread_mutex_unlock(&d->lock);
	return err;
}

static int dev_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	struct devmap *d = m->priv;
	uint32_t k, val[2] = {0, (uint32_t)-1};
	int err = 0;
	memcpy(&k, key, 4);
	memcpy(val, value, m->value_size);
	if (m->type == B2N_MAP_DEVMAP_HASH) {
		struct dev_ent *e;
		if (flags > B2N_EXIST || !val[0])
			return -EINVAL;
		if ((int32_t)val[1] > 0 && m->value_size == 8)
			return -EOPNOTSUPP;
		pthread_mutex_lock(&d->lock);
		e = hash_find(d, k);
		if (e && (flags & B2N_NOEXIST)) {
			err = -EEXIST;
		} else if (e) {
			e->val[0] = val[0];
			e->val[1] = 0;
		} else if (d->items >= m->max_entries) {
			err = -E2BIG;
		} else if (!(e = calloc(1, sizeof(*e)))) {
			err = -ENOMEM;
		} else {
			uint32_t b = k & (d->nbuckets - 1);
			e->key = k;
			e->present = 1;
			e->val[0] = val[0];
			e->next = d->buckets[b];
			d->buckets[b] = e;
			d->items++;
		}
		pthread_mutex_unlock(&d->lock);
		return err;
	}
	if (m->type == B2N_MAP_CPUMAP) {
		/* the kernel copies the value before checking the flags */
		if (m->value_size == 4)
			val[1] = 0;
	}
	if (flags > B2N_EXIST)
		return -EINVAL;
	if (k >= m->max_entries)
		return -E2BIG;
	if (m->type == B2N_MAP_XSKMAP)
		return -EOPNOTSUPP; /* needs an AF_XDP socket */
	if (flags == B2N_NOEXIST)
		return -EEXIST;
	if (m->type == B2N_MAP_CPUMAP) {
		if (val[0] > 16384)
			return -EOVERFLOW;
		if (k >= (uint32_t)b2n_num_possible_cpus())
			return -ENODEV;
		if (val[0] && (int32_t)val[1] > 0)
			return -EOPNOTSUPP; /* cpumap programs are not supported */
	} else if (m->value_size == 8 && (int32_t)val[1] > 0) {
		return val[0] ? -EOPNOTSUPP : -EINVAL;
	}
	pthread_mutex_lock(&d->lock);
	d->slots[k].present = val[0] != 0;
	d->slots[k].val[0] = val[0];
	d->slots[k].val[1] = 0;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int dev_delete_user(struct b2n_map *m, const void *key)
{
	struct devmap *d = m->priv;
	uint32_t k;
	int err = 0;
	memcpy(&k, key, 4);
	pthread_mutex_lock(&d->lock);
	if (m->type == B2N_MAP_DEVMAP_HASH) {
		struct dev_ent **pp = &d->buckets[k & (d->nbuckets - 1)];
		while (*pp && (*pp)->key != k)
			pp = &(*pp)->next;
		if (*pp) {
			struct dev_ent *e = *pp;
			*pp = e->next;
			free(e);
			d->items--;
		} else {
			err = -ENOENT;
		}
	} else if (k >= m->max_entries) {
		err = -EINVAL;
	} else {
		d->slots[k].present = 0;
		d->slots[k].val[0] = d->slots[k].val[1] = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return err;
}

static int dev_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	struct devmap *d = m->priv;
	uint32_t k = UINT32_MAX, b = 0;
	int err = -ENOENT;
	if (key)
		memcpy(&k, key, 4);
	if (m->type != B2N_MAP_DEVMAP_HASH) {
		if (!key || k >= m->max_entries)
			k = 0;
		else if (k == m->max_entries - 1)
			return -ENOENT;
		else
			k++;
		memcpy(next_key, &k, 4);
		return 0;
	}
	pthread_mutex_lock(&d->lock);
	struct dev_ent *e = key ? hash_find(d, k) : NULL;
	if (e && e->next) {
		memcpy(next_key, &e->next->key, 4);
		err = 0;
		goto out;
	}
	b = e ? (k & (d->nbuckets - 1)) + 1 : 0;
	for (; b < d->nbuckets; b++)
		if (d->buckets[b]) {
			memcpy(next_key, &d->buckets[b]->key, 4);
			err = 0;
			break;
		}
out:
	pthread_mutex_unlock(&d->lock);
	return err;
}

const struct b2n_map_ops b2n_rt_ops_dev = {
    .create = dev_create,
    .destroy = dev_destroy,
    .lookup = dev_lookup,
    .lookup_user = dev_lookup_user,
    .update_user = dev_update_user,
    .delete_user = dev_delete_user,
    .get_next_key = dev_get_next_key,
};
