/*
 * map_user.c - the application side of maps (libb2n.h): single-element
 * operations, get_next_key, batch operations, attribute getters.
 *
 * Every call first checks what the bpf() syscall and libbpf check: sizes
 * (libbpf's validate_map_op: key_sz must equal key_size, value_sz must
 * equal value_size, or for per-CPU maps num_possible_cpus() values each
 * rounded up to 8 bytes; -EINVAL with a message), access (a map created
 * BPF_F_RDONLY cannot be written, BPF_F_WRONLY cannot be read: -EPERM),
 * flags (only BPF_F_LOCK for lookups, and only on a value with a
 * bpf_spin_lock: -EINVAL), then calls the family's user-side operation.
 * Pointers are checked as bpf() copies them: a NULL key (when key_size
 * != 0) or value is -EFAULT, a key given to a map without keys -EINVAL.
 * An operation a map type lacks is -ENOTSUPP, the kernel's internal errno
 * 524 that bpf() returns in that case.  The order of these checks is the
 * kernel's (flags before permissions, for instance), so that every return
 * code equals the kernel's: tests/maps/kernel_diff.c compares them.
 *
 * Batch operations follow the kernel.  Hash maps (all four kinds) use the
 * bucket cursor of map_hash.c: in_batch/out_batch point to a u32 bucket
 * index.  Arrays use generic_map_lookup_batch's cursor: the last key
 * returned (a u32 index, key_size bytes), and get_next_key from it.  Either
 * way the cursor is 4 bytes and opaque; NULL in_batch starts at the
 * beginning; *count is in/out; the end of the map is -ENOENT with *count
 * entries still filled.  lookup_and_delete_batch and delete_batch exist for
 * hash maps only (arrays cannot delete: -ENOTSUPP), update_batch and
 * delete_batch stop at the first failing element and report in *count how
 * many succeeded.  elem_flags other than BPF_F_LOCK (or BPF_F_LOCK on a
 * value without a spin lock) are -EINVAL for every batch operation (so
 * update_batch always updates with BPF_ANY semantics); opts->flags != 0
 * is -EINVAL for the hash lookup batches only, the generic array and
 * update/delete batches ignore it, exactly as the kernel (checked against
 * it by tests/maps/kernel_diff.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define B2N_ENOTSUPP 524
#define MAP_LOOKUP_RETRIES 3

/* object.c: weak, so that maps work in a program that does not link it. */
#pragma weak b2n_rt_pr
/* map_hash.c */
int b2n_rt_htab_lookup_and_delete(struct b2n_map *m, const void *key, void *value, uint64_t flags);
int b2n_rt_htab_batch(struct b2n_map *m, const void *in_batch, void *out_batch, void *keys,
                      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags,
                      int do_delete);

static int is_percpu(uint32_t t)
{
	return t == B2N_MAP_PERCPU_ARRAY || t == B2N_MAP_PERCPU_HASH ||
	       t == B2N_MAP_LRU_PERCPU_HASH;
}

static int is_hash(uint32_t t)
{
	return t == B2N_MAP_HASH || t == B2N_MAP_PERCPU_HASH || t == B2N_MAP_LRU_HASH ||
	       t == B2N_MAP_LRU_PERCPU_HASH;
}

static int is_array(uint32_t t)
{
	return t == B2N_MAP_ARRAY || t == B2N_MAP_PERCPU_ARRAY;
}

/* Bytes of one value on the user side. */
static size_t user_value_size(const struct b2n_map *m)
{
	if (is_percpu(m->type))
		return (size_t)b2n_rt_ncpus() * (((size_t)m->value_size + 7) & ~(size_t)7);
	return m->value_size;
}

static int validate(const struct b2n_map *m, size_t key_sz, size_t value_sz, int check_value)
{
	if (!m)
		return -EINVAL;
	if (!m->ops || !m->priv)
		return -ENOENT; /* not created (libbpf: map not loaded) */
	if (key_sz != m->key_size) {
		if (b2n_rt_pr)
			b2n_rt_pr(B2N_RT_WARN,
			          "map '%s': unexpected key size %zu provided, expected %u\n",
			          m->name, key_sz, m->key_size);
		return -EINVAL;
	}
	if (check_value && value_sz != user_value_size(m)) {
		if (b2n_rt_pr)
			b2n_rt_pr(B2N_RT_WARN,
			          "map '%s': unexpected value size %zu provided, expected %zu\n",
			          m->name, value_sz, user_value_size(m));
		return -EINVAL;
	}
	return 0;
}

/* The kernel's __bpf_copy_key(): a key is required when key_size != 0
 * (NULL: -EFAULT) and refused when it is 0 (-EINVAL); NULL values -EFAULT. */
static int check_ptrs(const struct b2n_map *m, const void *key, const void *value)
{
	if (m->key_size ? !key : key != NULL)
		return m->key_size ? -EFAULT : -EINVAL;
	return value ? 0 : -EFAULT;
}

static int can_read(const struct b2n_map *m)
{
	return !(m->map_flags & B2N_F_WRONLY);
}

static int can_write(const struct b2n_map *m)
{
	return !(m->map_flags & B2N_F_RDONLY) && !m->frozen;
}

static int lock_flag_ok(const struct b2n_map *m, uint64_t flags)
{
	return !(flags & B2N_F_LOCK) || m->spin_lock_off >= 0;
}

B2N_API int b2n_map__lookup_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 void *value, size_t value_sz, uint64_t flags)
{
	struct b2n_map *m = (struct b2n_map *)map;
	int err = validate(m, key_sz, value_sz, 1);
	if (err)
		return err;
	if (flags & ~(uint64_t)B2N_F_LOCK) /* checked before the permissions */
		return -EINVAL;
	if (!can_read(m))
		return -EPERM;
	if (!lock_flag_ok(m, flags))
		return -EINVAL;
	err = check_ptrs(m, key, value);
	if (err)
		return err;
	if (!m->ops->lookup_user)
		return -B2N_ENOTSUPP;
	return m->ops->lookup_user(m, key, value, flags);
}

B2N_API int b2n_map__update_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 const void *value, size_t value_sz, uint64_t flags)
{
	struct b2n_map *m = (struct b2n_map *)map;
	int err = validate(m, key_sz, value_sz, 1);
	if (err)
		return err;
	if (!can_write(m))
		return -EPERM;
	if (!lock_flag_ok(m, flags))
		return -EINVAL;
	err = check_ptrs(m, key, value);
	if (err)
		return err;
	if (!m->ops->update_user)
		return -B2N_ENOTSUPP;
	return m->ops->update_user(m, key, value, flags);
}

B2N_API int b2n_map__delete_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 uint64_t flags)
{
	struct b2n_map *m = (struct b2n_map *)map;
	int err = validate(m, key_sz, 0, 0);
	if (err)
		return err;
	if (!can_write(m))
		return -EPERM;
	if (flags)
		return -EINVAL;
	err = check_ptrs(m, key, "");
	if (err)
		return err;
	if (!m->ops->delete_user)
		return -B2N_ENOTSUPP;
	return m->ops->delete_user(m, key);
}

B2N_API int b2n_map__lookup_and_delete_elem(const struct b2n_map *map, const void *key,
                                            size_t key_sz, void *value, size_t value_sz,
                                            uint64_t flags)
{
	struct b2n_map *m = (struct b2n_map *)map;
	int err = validate(m, key_sz, value_sz, 1);
	if (err)
		return err;
	if (flags & ~(uint64_t)B2N_F_LOCK)
		return -EINVAL;
	if (!can_read(m) || !can_write(m))
		return -EPERM;
	err = check_ptrs(m, key, value);
	if (err)
		return err;
	if (m->type == B2N_MAP_QUEUE || m->type == B2N_MAP_STACK) {
		if (flags)
			return -EINVAL;
		return (int)m->ops->pop(m, value, 0);
	}
	if (!lock_flag_ok(m, flags))
		return -EINVAL;
	if (!is_hash(m->type))
		return -B2N_ENOTSUPP;
	return b2n_rt_htab_lookup_and_delete(m, key, value, flags);
}

B2N_API int b2n_map__get_next_key(const struct b2n_map *map, const void *cur_key, void *next_key,
                                  size_t key_sz)
{
	struct b2n_map *m = (struct b2n_map *)map;
	int err = validate(m, key_sz, 0, 0);
	if (err)
		return err;
	if (!can_read(m))
		return -EPERM;
	err = check_ptrs(m, m->key_size ? "" : cur_key, m->key_size ? next_key : "");
	if (err)
		return err;
	if (!m->ops->get_next_key)
		return -B2N_ENOTSUPP;
	return m->ops->get_next_key(m, cur_key, next_key);
}

/* ---- batch --------------------------------------------------------------- */

static void batch_flags(const struct b2n_map_batch_opts *opts, uint64_t *elem_flags,
                        uint64_t *flags)
{
	*elem_flags = 0;
	*flags = 0;
	if (!opts)
		return;
	if (opts->sz == 0 || opts->sz >= offsetof(struct b2n_map_batch_opts, elem_flags) + 8)
		*elem_flags = opts->elem_flags;
	if (opts->sz == 0 || opts->sz >= offsetof(struct b2n_map_batch_opts, flags) + 8)
		*flags = opts->flags;
}

/* generic_map_lookup_batch: cursor = last key returned. */
static int generic_lookup_batch(struct b2n_map *m, const void *in_batch, void *out_batch,
                                void *keys, void *values, uint32_t *count, uint64_t elem_flags)
{
	size_t vsz = user_value_size(m);
	uint32_t max_count = *count, cp = 0;
	int err = 0, retry = MAP_LOOKUP_RETRIES;
	char *prev = NULL, *key;

	if (!max_count)
		return 0;
	*count = 0;
	if (in_batch)
		prev = (char *)in_batch;
	while (cp < max_count) {
		key = (char *)keys + (size_t)cp * m->key_size;
		err = m->ops->get_next_key(m, prev, key);
		if (err)
			break;
		err = m->ops->lookup_user(m, key, (char *)values + (size_t)cp * vsz, elem_flags);
		if (err == -ENOENT) {
			if (retry--)
				continue;
			err = -EINTR;
			break;
		}
		if (err)
			return err;
		prev = key;
		retry = MAP_LOOKUP_RETRIES;
		cp++;
	}
	*count = cp;
	if (cp)
		memcpy(out_batch, prev, m->key_size);
	return err;
}

static int lookup_batch(const struct b2n_map *map, void *in_batch, void *out_batch, void *keys,
                        void *values, uint32_t *count, const struct b2n_map_batch_opts *opts,
                        int do_delete)
{
	struct b2n_map *m = (struct b2n_map *)map;
	uint64_t elem_flags, flags;
	int err = validate(m, m ? m->key_size : 0, 0, 0);
	if (err)
		return err;
	if (!count || !out_batch || !keys || !values)
		return -EFAULT;
	if (!can_read(m) || (do_delete && !can_write(m)))
		return -EPERM;
	batch_flags(opts, &elem_flags, &flags);
	if ((elem_flags & ~(uint64_t)B2N_F_LOCK) || !lock_flag_ok(m, elem_flags))
		return -EINVAL;
	if (is_hash(m->type))
		return b2n_rt_htab_batch(m, in_batch, out_batch, keys, values, count, elem_flags,
		                         flags, do_delete);
	if (is_array(m->type) && !do_delete)
		return generic_lookup_batch(m, in_batch, out_batch, keys, values, count,
		                            elem_flags);
	return -B2N_ENOTSUPP;
}

B2N_API int b2n_map__lookup_batch(const struct b2n_map *map, void *in_batch, void *out_batch,
                                  void *keys, void *values, uint32_t *count,
                                  const struct b2n_map_batch_opts *opts)
{
	return lookup_batch(map, in_batch, out_batch, keys, values, count, opts, 0);
}

B2N_API int b2n_map__lookup_and_delete_batch(const struct b2n_map *map, void *in_batch,
                                             void *out_batch, void *keys, void *values,
                                             uint32_t *count, const struct b2n_map_batch_opts *opts)
{
	return lookup_batch(map, in_batch, out_batch, keys, values, count, opts, 1);
}

B2N_API int b2n_map__update_batch(const struct b2n_map *map, const void *keys, const void *values,
                                  uint32_t *count, const struct b2n_map_batch_opts *opts)
{
	struct b2n_map *m = (struct b2n_map *)map;
	uint64_t elem_flags, flags;
	uint32_t max_count, cp;
	size_t vsz;
	int err = validate(m, m ? m->key_size : 0, 0, 0);
	if (err)
		return err;
	if (!count || !keys || !values)
		return -EFAULT;
	if (!can_write(m))
		return -EPERM;
	batch_flags(opts, &elem_flags, &flags);
	(void)flags; /* generic_map_update_batch does not look at it */
	if ((elem_flags & ~(uint64_t)B2N_F_LOCK) || !lock_flag_ok(m, elem_flags))
		return -EINVAL;
	if (!is_hash(m->type) && !is_array(m->type))
		return -B2N_ENOTSUPP;
	vsz = user_value_size(m);
	max_count = *count;
	for (cp = 0; cp < max_count; cp++) {
		err = m->ops->update_user(m, (const char *)keys + (size_t)cp * m->key_size,
		                          (const char *)values + (size_t)cp * vsz, elem_flags);
		if (err)
			break;
	}
	*count = cp;
	return err;
}

B2N_API int b2n_map__delete_batch(const struct b2n_map *map, const void *keys, uint32_t *count,
                                  const struct b2n_map_batch_opts *opts)
{
	struct b2n_map *m = (struct b2n_map *)map;
	uint64_t elem_flags, flags;
	uint32_t max_count, cp;
	int err = validate(m, m ? m->key_size : 0, 0, 0);
	if (err)
		return err;
	if (!count || !keys)
		return -EFAULT;
	if (!can_write(m))
		return -EPERM;
	batch_flags(opts, &elem_flags, &flags);
	(void)flags; /* generic_map_delete_batch does not look at it */
	if (elem_flags & ~(uint64_t)B2N_F_LOCK)
		return -EINVAL;
	if (!is_hash(m->type))
		return -B2N_ENOTSUPP;
	max_count = *count;
	for (cp = 0; cp < max_count; cp++) {
		err = m->ops->delete_user(m, (const char *)keys + (size_t)cp * m->key_size);
		if (err)
			break;
	}
	*count = cp;
	return err;
}

/* ---- attributes ---------------------------------------------------------- */

B2N_API const char *b2n_map__name(const struct b2n_map *map)
{
	return map ? map->name : NULL;
}

B2N_API uint32_t b2n_map__type(const struct b2n_map *map)
{
	return map ? map->type : 0;
}

B2N_API uint32_t b2n_map__key_size(const struct b2n_map *map)
{
	return map ? map->key_size : 0;
}

B2N_API uint32_t b2n_map__value_size(const struct b2n_map *map)
{
	return map ? map->value_size : 0;
}

B2N_API uint32_t b2n_map__max_entries(const struct b2n_map *map)
{
	return map ? map->max_entries : 0;
}

B2N_API uint32_t b2n_map__map_flags(const struct b2n_map *map)
{
	return map ? map->map_flags : 0;
}

B2N_API int b2n_map__fd(const struct b2n_map *map)
{
	return map ? map->fd : -EINVAL;
}

/* The storage of a (non-per-CPU) array map: element 0 and the bytes up to
 * the end of the last value.  Global-data maps are arrays of one element.
 * NULL with errno EINVAL for other map types, ENOENT before creation. */
B2N_API void *b2n_map__data(const struct b2n_map *map, size_t *size)
{
	struct b2n_map *m = (struct b2n_map *)map;
	uint32_t zero = 0;
	void *p;
	if (!m || m->type != B2N_MAP_ARRAY) {
		errno = EINVAL;
		return NULL;
	}
	if (!m->ops || !m->priv) {
		errno = ENOENT;
		return NULL;
	}
	p = m->ops->lookup(m, &zero);
	if (size)
		*size = (size_t)(m->max_entries - 1) * (((size_t)m->value_size + 7) & ~(size_t)7) +
		        m->value_size;
	return p;
}

B2N_API int b2n_num_possible_cpus(void)
{
	return b2n_rt_ncpus();
}
