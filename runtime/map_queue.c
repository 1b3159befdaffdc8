/*
 * map_queue.c - BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO).
 *
 * As kernel/bpf/queue_stack_maps.c: a circular buffer of max_entries + 1
 * slots (one always empty, to tell full from empty) with head and tail
 * indexes under one mutex per map.  Elements are pushed at the head; a
 * queue pops at the tail (oldest first), a stack at the head (newest
 * first).  Creation: key_size 0, value_size != 0, flags only NUMA_NODE
 * and the access flags (-EINVAL otherwise), value_size over 4 MiB -E2BIG.
 * push: flags BPF_ANY or BPF_EXIST (BPF_NOEXIST or anything else is
 * -EINVAL); a full map is -E2BIG unless BPF_EXIST, which drops the oldest
 * element to make room.  pop/peek on an empty map: -ENOENT.  Programs get
 * no value pointers from these maps (lookup is NULL, update/delete are
 * -EINVAL: the verifier only allows push/pop/peek); the user side maps
 * lookup to peek and update to push, delete and get_next_key are -EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

#define F_NUMA_NODE (1U << 2)
#define ACCESS_FLAGS (B2N_F_RDONLY | B2N_F_WRONLY | B2N_F_RDONLY_PROG | B2N_F_WRONLY_PROG)
#define QUEUE_STACK_CREATE_FLAG_MASK (F_NUMA_NODE | ACCESS_FLAGS)
#define KMALLOC_MAX_SIZE (1U << 22)

struct qs {
	pthread_mutex_t lock;
	uint32_t head, tail, size; /* size = max_entries + 1 */
	char *elems;
};

static int qs_create(struct b2n_map *m)
{
	struct qs *q;
	uint64_t bytes;
	if (m->key_size != 0 || m->value_size == 0 ||
	    (m->map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK))
		return -EINVAL;
	if (m->value_size > KMALLOC_MAX_SIZE)
		return -E2BIG;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->size = m->max_entries + 1;
	bytes = ((uint64_t)m->max_entries + 1) * m->value_size;
	if (bytes > (uint64_t)SIZE_MAX / 2 || !(q->elems = malloc((size_t)bytes))) {
		free(q);
		return -ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	m->priv = q;
	return 0;
}

static void qs_destroy(struct b2n_map *m)
{
	struct qs *q = m->priv;
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	free(q->elems);
	free(q);
	m->priv = NULL;
}

static char *slot(const struct b2n_map *m, const struct qs *q, uint32_t i)
{
	return q->elems + (size_t)i * m->value_size;
}

static long qs_push(struct b2n_map *m, const void *value, uint64_t flags)
{
	struct qs *q = m->priv;
	int ret = 0;
	uint32_t next;
	if ((flags & B2N_NOEXIST) || flags > B2N_EXIST)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	next = q->head + 1 >= q->size ? 0 : q->head + 1;
	if (next == q->tail) { /* full */
		if (!(flags & B2N_EXIST)) {
			ret = -E2BIG;
			goto out;
		}
		q->tail = q->tail + 1 >= q->size ? 0 : q->tail + 1; /* drop the oldest */
	}
	memcpy(slot(m, q, q->head), value, m->value_size);
	q->head = next;
out:
	pthread_mutex_unlock(&q->lock);
	return ret;
}

static long qs_pop(struct b2n_map *m, void *value, int peek)
{
	struct qs *q = m->priv;
	int ret = 0;
	uint32_t i;
	pthread_mutex_lock(&q->lock);
	if (q->head == q->tail) {
		ret = -ENOENT;
		goto out;
	}
	if (m->type == B2N_MAP_QUEUE) {
		memcpy(value, slot(m, q, q->tail), m->value_size);
		if (!peek)
			q->tail = q->tail + 1 >= q->size ? 0 : q->tail + 1;
	} else {
		i = q->head == 0 ? q->size - 1 : q->head - 1;
		memcpy(value, slot(m, q, i), m->value_size);
		if (!peek)
			q->head = i;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return ret;
}

static void *qs_lookup(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return NULL;
}

static long qs_update(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m;
	(void)key;
	(void)value;
	(void)flags;
	return -EINVAL;
}

static long qs_delete(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int qs_lookup_user(struct b2n_map *m, const void *key, void *value, uint64_t flags)
{
	(void)key;
	if (flags)
		return -EINVAL;
	return (int)qs_pop(m, value, 1);
}

static int qs_update_user(struct b2n_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	return (int)qs_push(m, value, flags);
}

static int qs_delete_user(struct b2n_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int qs_get_next_key(struct b2n_map *m, const void *key, void *next_key)
{
	(void)m;
	(void)key;
	(void)next_key;
	return -EINVAL;
}

const struct b2n_map_ops b2n_rt_ops_queue = {
	.create = qs_create,
	.destroy = qs_destroy,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.push = qs_push,
	.pop = qs_pop,
	.lookup_user = qs_lookup_user,
	.update_user = qs_update_user,
	.delete_user = qs_delete_user,
	.get_next_key = qs_get_next_key,
};

const struct b2n_map_ops b2n_rt_ops_stack = {
	.create = qs_create,
	.destroy = qs_destroy,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.push = qs_push,
	.pop = qs_pop,
	.lookup_user = qs_lookup_user,
	.update_user = qs_update_user,
	.delete_user = qs_delete_user,
	.get_next_key = qs_get_next_key,
};
