/*
 * map_of_maps.c - BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS.
 *
 * The value of a map-in-map is another map.  Programs look up the outer
 * map and get the inner struct b2n_map * itself (which they then pass to
 * map helpers, as with the kernel's inner map pointer); they cannot update
 * or delete (the verifier's rule: -EINVAL here).  The user side speaks map
 * ids (b2n_map__fd): update takes an inner map id, lookup returns one.
 *
 * Creation (fd_array_map_alloc_check / fd_htab_map_alloc_check, then
 * bpf_map_meta_alloc): value_size must be 4, the template of inner maps is
 * required (-EBADF without one, checked in map.c together with "no map-in-
 * map inside a map-in-map"), then the usual array or hash checks.  An
 * inner map given by the user must match the template as
 * bpf_map_meta_equal() says: same type, key size, value size, map flags
 * and spin lock; for array and per-CPU array inner maps also the same
 * max_entries unless the template has BPF_F_INNER_MAP (hash-like inner
 * maps may differ in max_entries, as in kernels since 5.10).  Otherwise
 * -EINVAL; an id naming no map is -EBADF, a program id -EINVAL.
 *
 * ARRAY_OF_MAPS keeps one atomic pointer per slot (update BPF_ANY only;
 * index >= max_entries -E2BIG on update and delete; an empty slot -ENOENT
 * on lookup and delete).  HASH_OF_MAPS reuses the hash table of
 * map_hash.c storing the pointer (8 bytes) as the value, with the normal
 * BPF_ANY/NOEXIST/EXIST rules.  When an inner map is destroyed, map.c
 * calls b2n_rt_mim_forget() so that no outer map keeps pointing to it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define F_NUMA_NODE (1U << 2)
#define ACCESS_FLAGS (B2N_F_RDONLY | B2N_F_WRONLY | B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)

/* map.c, map_hash.c */
int b2n_rt_fd_kind_error(int fd);
extern const struct b2n_map_ops b2n_rt_ops_hash;
int b2n_rt_htab_check(const struct b2n_map *m);
int b2n_rt_htab_create(struct b2n_map *m, uint32_t vsize);
void b2n_rt_mim_forget(struct b2n_map *outer, const struct b2n_map *inner);

/* Resolve an inner map id and check it against the template. */
static int inner_from_value(const struct b2n_map *outer, const void *value, struct b2n_map **out)
{
	const struct b2n_map *meta = outer->inner;
	struct b2n_map *in;
	uint32_t fd;
	memcpy(&fd, value, 4);
	if (fd > INT_MAX)
		return -EBADF;
	in = b2n_rt_map_by_fd((int)fd);
	if (!in)
		return b2n_rt_fd_kind_error((int)fd);
	if (!meta || in->type != meta->type || in->key_size != meta->key_size ||
	    in->value_size != meta->value_size || in->map_flags != meta->map_flags ||
	    in->spin_lock_off != meta->spin_lock_off || in->inner)
		return -EINVAL;
	if ((meta->type == B2N_MAP_ARRAY || meta->type == B2N_MAP_PERCPU_ARRAY) &&
	    !(meta->map_flags & B2N_F_INNER_MAP) && in->max_entries != meta->max_entries)
		return -EINVAL;
	*out = in;
	return 0;
}

static void put_id(void *value, const struct b2n_map *in)
{
	uint32_t id = (uint32_t)in->fd;
	memcpy(value, &id, 4);
}

static long mim_prog_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m;
	(void)key;
	(void)value;
	(void)flags;
	return -EINVAL;
}

static long mim_prog_delete(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

/* ---- array of maps ------------------------------------------------------- */

static int aom_create(struct b2n_map *m)
{
	struct b2n_map **slots;
	if (m->value_size != 4 || m->key_size != 4 ||
	    (m->map_flags & ~(F_NUMA_NODE | ACCESS_FLAGS)) ||
	    (m->map_flags & (B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)))
		return -EINVAL;
	slots = calloc(m->max_entries, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	m->priv = slots;
	return 0;
}

static void aom_destroy(struct b2n_map *m)
{
	free(m->priv);
	m->priv = NULL;
}

static struct b2n_map **aom_slot(struct b2n_map *m, const void *key)
{
	uint32_t i;
	memcpy(&i, key, 4);
	return i < m->max_entries ? (struct b2n_map **)m->priv + i : NULL;
}

static void *aom_lookup(struct b2n_map *m, const void *key)
{
	struct b2n_map **s = aom_slot(m, key);
	return s ? __atomic_load_n(s, __ATOMIC_ACQUIRE) : NULL;
}

static int aom_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct b2n_map *in = aom_lookup(m, key);
	(void)flags;
	if (!in)
		return -ENOENT;
	put_id(value, in);
	return 0;
}

static int aom_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	struct b2n_map **s, *in = NULL;
	int err;
	if (flags != B2N_ANY)
		return -EINVAL;
	s = aom_slot(m, key);
	if (!s)
		return -E2BIG;
	err = inner_from_value(m, value, &in);
	if (err)
		return err;
	__atomic_store_n(s, in, __ATOMIC_RELEASE);
	return 0;
}

static int aom_delete_user(struct b2n_map *m, const void *key)
{
	struct b2n_map **s = aom_slot(m, key);
	if (!s)
		return -E2BIG;
	return __atomic_exchange_n(s, NULL, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}

static int aom_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	uint32_t i, next = 0;
	if (key) {
		memcpy(&i, key, 4);
		if (i < m->max_entries) {
			if (i == m->max_entries - 1)
				return -ENOENT;
			next = i + 1;
		}
	}
	memcpy(next_key, &next, 4);
	return 0;
}

const struct b2n_map_ops b2n_rt_ops_array_of_maps = {
	.create = aom_create,
	.destroy = aom_destroy,
	.lookup = aom_lookup,
	.update = mim_prog_update,
	.delete = mim_prog_delete,
	.lookup_user = aom_lookup_user,
	.update_user = aom_update_user,
	.delete_user = aom_delete_user,
	.get_next_key = aom_get_next_key,
};

/* ---- hash of maps -------------------------------------------------------- */

static int hom_create(struct b2n_map *m)
{
	int err;
	if (m->value_size != 4)
		return -EINVAL;
	err = b2n_rt_htab_check(m);
	return err ? err : b2n_rt_htab_create(m, sizeof(struct b2n_map *));
}

static void *hom_lookup(struct b2n_map *m, const void *key)
{
	struct b2n_map **p = b2n_rt_ops_hash.lookup(m, key);
	return p ? __atomic_load_n(p, __ATOMIC_ACQUIRE) : NULL;
}

static int hom_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct b2n_map *in = NULL;
	int err = b2n_rt_ops_hash.lookup_user(m, key, &in, flags);
	if (err)
		return err;
	put_id(value, in);
	return 0;
}

static int hom_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	struct b2n_map *in;
	int err;
	if ((flags & ~(uint64_t)B2N_F_LOCK) > B2N_EXIST || (flags & B2N_F_LOCK))
		return -EINVAL;
	err = inner_from_value(m, value, &in);
	if (err)
		return err;
	return b2n_rt_ops_hash.update_user(m, key, &in, flags);
}

void b2n_rt_mim_forget(struct b2n_map *outer, const struct b2n_map *inner)
{
	uint32_t i;
	if (outer->type == B2N_MAP_ARRAY_OF_MAPS) {
		struct b2n_map **slots = outer->priv;
		for (i = 0; i < outer->max_entries; i++) {
			struct b2n_map *expect = (struct b2n_map *)inner;
			__atomic_compare_exchange_n(&slots[i], &expect, NULL, 0, __ATOMIC_ACQ_REL,
			                            __ATOMIC_ACQUIRE);
		}
	} else if (outer->type == B2N_MAP_HASH_OF_MAPS) {
		void *key = malloc(outer->key_size);
		struct b2n_map *in;
		int restart = 1;
		if (!key)
			return;
		/* restart the walk after each removal (the element is gone) */
		while (restart) {
			int err = b2n_rt_ops_hash.get_next_key(outer, NULL, key);
			restart = 0;
			while (!err) {
				if (!b2n_rt_ops_hash.lookup_user(outer, key, &in, 0) &&
				    in == inner) {
					b2n_rt_ops_hash.delete_user(outer, key);
					restart = 1;
					break;
				}
				err = b2n_rt_ops_hash.get_next_key(outer, key, key);
			}
		}
		free(key);
	}
}

static void hom_destroy(struct b2n_map *m)
{
	b2n_rt_ops_hash.destroy(m);
}

static int hom_delete_user(struct b2n_map *m, const void *key)
{
	return b2n_rt_ops_hash.delete_user(m, key);
}

static int hom_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	return b2n_rt_ops_hash.get_next_key(m, key, next_key);
}

const struct b2n_map_ops b2n_rt_ops_hash_of_maps = {
	.create = hom_create,
	.destroy = hom_destroy,
	.lookup = hom_lookup,
	.update = mim_prog_update,
	.delete = mim_prog_delete,
	.lookup_user = hom_lookup_user,
	.update_user = hom_update_user,
	.delete_user = hom_delete_user,
	.get_next_key = hom_get_next_key,
};
