/*
 * helpers_map.c - the map helpers called by compiled programs, with the
 * kernel's calling convention: r1 is a struct b2n_map * (what the object's
 * map slot holds), pointers are real addresses, and errors come back as a
 * negative errno in the 64-bit return value.
 *
 *   map_lookup_elem(map, key)          value pointer or 0 (for map-in-map
 *                                      the inner struct b2n_map *)
 *   map_update_elem(map, key, value, flags), map_delete_elem(map, key)
 *   map_push_elem(map, value, flags), map_pop_elem / map_peek_elem(map, value)
 *   spin_lock(lock) / spin_unlock(lock)  a u32 test-and-set lock (map.c)
 *   for_each_map_elem(map, cb, cb_ctx, flags)
 *
 * The verifier would reject a program that writes to a map created with
 * BPF_F_RDONLY_PROG; at run time such an update/delete/push/pop is -EPERM.
 * Operations a map type does not offer to programs are -EINVAL.
 * for_each_map_elem calls a native callback
 *   uint64_t cb(uint64_t map, uint64_t key, uint64_t value, uint64_t ctx, uint64_t)
 * for each element (this thread's slot of per-CPU maps) until it returns
 * non-zero, and returns the number of elements visited (including the one
 * that stopped it); flags != 0 is -EINVAL.
 */
#include <errno.h>

#include "runtime_internal.h"

/* map.c */
void b2n_rt_spin_lock_word(uint32_t *w);
void b2n_rt_spin_unlock_word(uint32_t *w);

static struct b2n_map *as_map(uint64_t r)
{
	return (struct b2n_map *)(uintptr_t)r;
}

static uint64_t err64(long e)
{
	return (uint64_t)(int64_t)e;
}

uint64_t b2n_h_map_lookup_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = as_map(r1);
	(void)r3;
	(void)r4;
	(void)r5;
	if (!m || !m->ops->lookup)
		return 0;
	return (uint64_t)(uintptr_t)m->ops->lookup(m, (const void *)(uintptr_t)r2);
}

uint64_t b2n_h_map_update_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = as_map(r1);
	(void)r5;
	if (!m || !m->ops->update)
		return err64(-EINVAL);
	if (m->map_flags & B2N_F_RDONLY_PROG)
		return err64(-EPERM);
	return err64(
	    m->ops->update(m, (const void *)(uintptr_t)r2, (const void *)(uintptr_t)r3, r4));
}

uint64_t b2n_h_map_delete_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = as_map(r1);
	(void)r3;
	(void)r4;
	(void)r5;
	if (!m || !m->ops->delete)
		return err64(-EINVAL);
	if (m->map_flags & B2N_F_RDONLY_PROG)
		return err64(-EPERM);
	return err64(m->ops->delete (m, (const void *)(uintptr_t)r2));
}

uint64_t b2n_h_map_push_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = as_map(r1);
	(void)r4;
	(void)r5;
	if (!m || !m->ops->push)
		return err64(-EINVAL);
	if (m->map_flags & B2N_F_RDONLY_PROG)
		return err64(-EPERM);
	return err64(m->ops->push(m, (const void *)(uintptr_t)r2, r3));
}

static uint64_t pop_common(uint64_t r1, uint64_t r2, int peek)
{
	struct b2n_map *m = as_map(r1);
	if (!m || !m->ops->pop)
		return err64(-EINVAL);
	if (!peek && (m->map_flags & B2N_F_RDONLY_PROG))
		return err64(-EPERM);
	return err64(m->ops->pop(m, (void *)(uintptr_t)r2, peek));
}

uint64_t b2n_h_map_pop_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3;
	(void)r4;
	(void)r5;
	return pop_common(r1, r2, 0);
}

uint64_t b2n_h_map_peek_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3;
	(void)r4;
	(void)r5;
	return pop_common(r1, r2, 1);
}

uint64_t b2n_h_spin_lock(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2;
	(void)r3;
	(void)r4;
	(void)r5;
	b2n_rt_spin_lock_word((uint32_t *)(uintptr_t)r1);
	return 0;
}

uint64_t b2n_h_spin_unlock(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2;
	(void)r3;
	(void)r4;
	(void)r5;
	b2n_rt_spin_unlock_word((uint32_t *)(uintptr_t)r1);
	return 0;
}

struct for_each_ctx {
	b2n_helper_fn cb;
	uint64_t cb_ctx;
};

static int for_each_adapter(struct b2n_map *m, void *key, void *value, void *ctx)
{
	struct for_each_ctx *c = ctx;
	return c->cb((uint64_t)(uintptr_t)m, (uint64_t)(uintptr_t)key, (uint64_t)(uintptr_t)value,
	             c->cb_ctx, 0) != 0;
}

uint64_t b2n_h_for_each_map_elem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct b2n_map *m = as_map(r1);
	struct for_each_ctx c;
	(void)r5;
	if (r4)
		return err64(-EINVAL);
	if (!m || !m->ops->for_each || !r2)
		return err64(-EINVAL);
	c.cb = (b2n_helper_fn)(uintptr_t)r2;
	c.cb_ctx = r3;
	return err64(m->ops->for_each(m, for_each_adapter, &c));
}
