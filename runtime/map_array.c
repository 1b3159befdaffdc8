/*
 * map_array.c - BPF_MAP_TYPE_ARRAY, PERCPU_ARRAY and PROG_ARRAY.
 *
 * Arrays are one calloc'ed block, never reallocated, so the value pointers
 * handed to programs stay valid for the map's life.  Elements are
 * round_up(value_size, 8) bytes apart (the kernel's elem_size); a per-CPU
 * array keeps b2n_rt_ncpus() such slots per element, consecutively.  As in
 * the kernel, array elements always exist: updates copy in place without a
 * map lock (a bpf_spin_lock in the value, with BPF_F_LOCK, is the only
 * serialisation; concurrent plain updates of one element may interleave,
 * as they do in the kernel), delete is -EINVAL, BPF_NOEXIST is -EEXIST and
 * an index >= max_entries is -E2BIG on update, NULL/-ENOENT on lookup.
 * get_next_key: a missing or out-of-range key gives index 0, the last
 * index gives -ENOENT.
 *
 * Creation follows array_map_alloc_check(): key_size 4, value_size != 0,
 * flags among NUMA_NODE|MMAPABLE|INNER_MAP|access flags, MMAPABLE and
 * INNER_MAP only for plain arrays, NUMA_NODE not for per-CPU ones,
 * value_size > INT_MAX or a per-CPU value over 32 KiB is -E2BIG.
 *
 * PROG_ARRAY (fd_array_map_alloc_check: value_size 4, no *_PROG access
 * flags) stores a struct b2n_program * per slot, read and written
 * atomically.  The user side speaks program ids: update (BPF_ANY only)
 * takes an id (-EBADF unknown, -EINVAL not a program), lookup returns the
 * id, delete empties the slot (-ENOENT when empty).  Programs cannot look
 * up, update or delete it (the verifier's rule); the tail-call code reads
 * slots with b2n_rt_prog_array_get().
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define PCPU_MIN_UNIT_SIZE (32 * 1024)
#define ACCESS_FLAGS (B2N_F_RDONLY | B2N_F_WRONLY | B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)
#define F_NUMA_NODE (1U << 2)
#define ARRAY_CREATE_FLAG_MASK (F_NUMA_NODE | B2N_F_MMAPABLE | ACCESS_FLAGS | B2N_F_INNER_MAP)

/* map.c */
int b2n_rt_fd_kind_error(int fd);
/* The program in slot `index` of a prog_array, or NULL (empty slot, bad
 * index, not a prog_array).  For the tail-call code (issue #4). */
struct b2n_program *b2n_rt_prog_array_get(struct b2n_map *m, uint32_t index);
void b2n_rt_prog_array_forget(struct b2n_map *m, const struct b2n_program *p);

struct arr {
	size_t stride; /* round_up(value_size, 8) */
	int ncpus;     /* slots per element: 1, or b2n_rt_ncpus() */
	char *data;
};

static size_t round8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

static int array_check(const struct b2n_map *m)
{
	int percpu = m->type == B2N_MAP_PERCPU_ARRAY;
	if (m->key_size != 4 || m->value_size == 0 || (m->map_flags & ~ARRAY_CREATE_FLAG_MASK))
		return -EINVAL;
	if (percpu && (m->map_flags & F_NUMA_NODE))
		return -EINVAL;
	if (m->type != B2N_MAP_ARRAY && (m->map_flags & (B2N_F_MMAPABLE | B2N_F_INNER_MAP)))
		return -EINVAL;
	if (m->value_size > INT_MAX)
		return -E2BIG;
	if (percpu && round8(m->value_size) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static int array_create(struct b2n_map *m)
{
	struct arr *a;
	uint64_t total;
	int err = array_check(m);
	if (err)
		return err;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->stride = round8(m->value_size);
	a->ncpus = m->type == B2N_MAP_PERCPU_ARRAY ? b2n_rt_ncpus() : 1;
	total = (uint64_t)m->max_entries * a->stride * (uint64_t)a->ncpus;
	if (total > (uint64_t)SIZE_MAX / 2 || !(a->data = calloc(1, (size_t)total))) {
		free(a);
		return -ENOMEM;
	}
	m->priv = a;
	return 0;
}

static void array_destroy(struct b2n_map *m)
{
	struct arr *a = m->priv;
	if (a) {
		free(a->data);
		free(a);
	}
	m->priv = NULL;
}

static char *elem(const struct b2n_map *m, uint32_t idx, int cpu)
{
	struct arr *a = m->priv;
	return a->data + ((size_t)idx * (size_t)a->ncpus + (size_t)cpu) * a->stride;
}

static int key_index(const struct b2n_map *m, const void *key, uint32_t *idx)
{
	memcpy(idx, key, 4);
	return *idx < m->max_entries;
}

static void *array_lookup(struct b2n_map *m, const void *key)
{
	uint32_t i;
	if (!key_index(m, key, &i))
		return NULL;
	return elem(m, i, m->type == B2N_MAP_PERCPU_ARRAY ? b2n_rt_cpu() : 0);
}

/* Flag and index checks of array_map_update_elem. */
static int array_update_check(const struct b2n_map *m, const void *key, uint64_t flags,
                              uint32_t *idx)
{
	if (m->type == B2N_MAP_PERCPU_ARRAY ? flags > B2N_EXIST
	                                    : (flags & ~(uint64_t)B2N_F_LOCK) > B2N_EXIST)
		return -EINVAL;
	if ((flags & B2N_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	if (!key_index(m, key, idx))
		return -E2BIG;
	if ((flags & ~(uint64_t)B2N_F_LOCK) == B2N_NOEXIST)
		return -EEXIST; /* all elements exist */
	return 0;
}

static void copy_in(const struct b2n_map *m, void *dst, const void *src, uint64_t flags)
{
	if (flags & B2N_F_LOCK) {
		b2n_rt_value_lock(m, dst);
		b2n_rt_value_copy(m, dst, src);
		b2n_rt_value_unlock(m, dst);
	} else {
		b2n_rt_value_copy(m, dst, src);
	}
}

static long array_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t i;
	int err = array_update_check(m, key, flags, &i);
	if (err)
		return err;
	copy_in(m, elem(m, i, m->type == B2N_MAP_PERCPU_ARRAY ? b2n_rt_cpu() : 0), value, flags);
	return 0;
}

static long array_delete(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static long array_for_each(struct b2n_map *m, b2n_map_iter_fn fn, void *ctx)
{
	int cpu = m->type == B2N_MAP_PERCPU_ARRAY ? b2n_rt_cpu() : 0;
	long n = 0;
	uint32_t i;
	for (i = 0; i < m->max_entries; i++) {
		uint32_t key = i;
		n++;
		if (fn(m, &key, elem(m, i, cpu), ctx))
			break;
	}
	return n;
}

static int array_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct arr *a = m->priv;
	uint32_t i;
	int c;
	if (!key_index(m, key, &i))
		return -ENOENT;
	if (m->type == B2N_MAP_PERCPU_ARRAY) {
		for (c = 0; c < a->ncpus; c++)
			memcpy((char *)value + (size_t)c * a->stride, elem(m, i, c), a->stride);
		return 0;
	}
	if (flags & B2N_F_LOCK) {
		b2n_rt_value_lock(m, elem(m, i, 0));
		b2n_rt_value_copy(m, value, elem(m, i, 0));
		b2n_rt_value_unlock(m, elem(m, i, 0));
	} else {
		b2n_rt_value_copy(m, value, elem(m, i, 0));
	}
	if (m->spin_lock_off >= 0)
		memset((char *)value + m->spin_lock_off, 0, 4);
	return 0;
}

static int array_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	struct arr *a = m->priv;
	uint32_t i;
	int c, err = array_update_check(m, key, flags, &i);
	if (err)
		return err;
	if (m->type == B2N_MAP_PERCPU_ARRAY) {
		for (c = 0; c < a->ncpus; c++)
			memcpy(elem(m, i, c), (const char *)value + (size_t)c * a->stride,
			       a->stride);
		return 0;
	}
	copy_in(m, elem(m, i, 0), value, flags);
	return 0;
}

static int array_delete_user(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int array_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	uint32_t i, next;
	if (!key || !key_index(m, key, &i)) {
		next = 0;
	} else {
		if (i == m->max_entries - 1)
			return -ENOENT;
		next = i + 1;
	}
	memcpy(next_key, &next, 4);
	return 0;
}

const struct b2n_map_ops b2n_rt_ops_array = {
	.create = array_create,
	.destroy = array_destroy,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.for_each = array_for_each,
	.lookup_user = array_lookup_user,
	.update_user = array_update_user,
	.delete_user = array_delete_user,
	.get_next_key = array_get_next_key,
};

const struct b2n_map_ops b2n_rt_ops_percpu_array = {
	.create = array_create,
	.destroy = array_destroy,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.for_each = array_for_each,
	.lookup_user = array_lookup_user,
	.update_user = array_update_user,
	.delete_user = array_delete_user,
	.get_next_key = array_get_next_key,
};

/* ---- prog_array ---------------------------------------------------------- */

static int prog_array_create(struct b2n_map *m)
{
	struct b2n_program **slots;
	int err;
	if (m->value_size != 4 || (m->map_flags & (B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)))
		return -EINVAL;
	err = array_check(m);
	if (err)
		return err;
	slots = calloc(m->max_entries, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	m->priv = slots;
	return 0;
}

static void prog_array_destroy(struct b2n_map *m)
{
	free(m->priv);
	m->priv = NULL;
}

struct b2n_program *b2n_rt_prog_array_get(struct b2n_map *m, uint32_t index)
{
	struct b2n_program **slots;
	if (!m || m->type != B2N_MAP_PROG_ARRAY || index >= m->max_entries)
		return NULL;
	slots = m->priv;
	return __atomic_load_n(&slots[index], __ATOMIC_ACQUIRE);
}

void b2n_rt_prog_array_forget(struct b2n_map *m, const struct b2n_program *p)
{
	struct b2n_program **slots = m->priv;
	uint32_t i;
	for (i = 0; i < m->max_entries; i++) {
		struct b2n_program *expect = (struct b2n_program *)p;
		__atomic_compare_exchange_n(&slots[i], &expect, NULL, 0, __ATOMIC_ACQ_REL,
		                            __ATOMIC_ACQUIRE);
	}
}

static void *prog_array_lookup(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return NULL; /* the verifier allows only bpf_tail_call on a prog_array */
}

static long prog_array_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m;
	(void)key;
	(void)value;
	(void)flags;
	return -EINVAL;
}

static long prog_array_delete(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int prog_array_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	struct b2n_program *p;
	uint32_t i, id;
	(void)flags;
	if (!key_index(m, key, &i))
		return -ENOENT;
	p = b2n_rt_prog_array_get(m, i);
	if (!p)
		return -ENOENT;
	id = (uint32_t)p->fd;
	memcpy(value, &id, 4);
	return 0;
}

static int prog_array_update_user(struct b2n_map *m, const void *key, const void *value,
                                  uint64_t flags)
{
	struct b2n_program **slots = m->priv;
	struct b2n_program *p;
	uint32_t i, fd;
	if (flags != B2N_ANY)
		return -EINVAL;
	if (!key_index(m, key, &i))
		return -E2BIG;
	memcpy(&fd, value, 4);
	p = fd <= INT_MAX ? b2n_rt_prog_by_fd((int)fd) : NULL;
	if (!p)
		return fd <= INT_MAX ? b2n_rt_fd_kind_error((int)fd) : -EBADF;
	__atomic_store_n(&slots[i], p, __ATOMIC_RELEASE);
	return 0;
}

static int prog_array_delete_user(struct b2n_map *m, const void *key)
{
	struct b2n_program **slots = m->priv;
	uint32_t i;
	if (!key_index(m, key, &i))
		return -E2BIG;
	return __atomic_exchange_n(&slots[i], NULL, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}

const struct b2n_map_ops b2n_rt_ops_prog_array = {
	.create = prog_array_create,
	.destroy = prog_array_destroy,
	.lookup = prog_array_lookup,
	.update = prog_array_update,
	.delete = prog_array_delete,
	.lookup_user = prog_array_lookup_user,
	.update_user = prog_array_update_user,
	.delete_user = prog_array_delete_user,
	.get_next_key = array_get_next_key,
};
