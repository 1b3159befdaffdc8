/*
 * map.c - map creation and destruction, the registry of map and program
 * ids ("fds"), and the value copy/lock helpers shared by every map family.
 *
 * Creation checks what is common to all map types the way the kernel's
 * map_create() does (known type, max_entries != 0, consistent access
 * flags, a bpf_spin_lock only in hash/array values and inside the value,
 * the inner-map template of map-in-map types), then hands the map to its
 * family's ops->create(), which applies the type's own map_alloc_check
 * rules (key/value sizes, allowed flags) and allocates.  Each family
 * exports one const struct b2n_map_ops (b2n_rt_ops_<family>); the ring
 * buffer's table lives in ringbuf.c and is referenced strongly: a loaded
 * object may create a map of any type.
 *
 * Registry: maps and programs share ONE id space, like file descriptors:
 * ids are small positive integers (the lowest free one >= 1 is reused, as
 * the kernel does with fds) and the registry remembers what each id names,
 * so a program id given where a map is expected is -EINVAL and an unknown
 * id is -EBADF, the kernel's answers.  One mutex protects it.  The
 * registry does not count references: destroying a map or unregistering a
 * program that is still in use by a running program is the caller's error,
 * but slots of prog_array and map-in-map maps that name it are cleared, so
 * no outer map keeps a dangling pointer.
 *
 * Values: struct bpf_spin_lock is a u32 at m->spin_lock_off.  Copies skip
 * those four bytes (the kernel's copy_map_value); the lock is a test-and-
 * set spin lock on that word with __atomic exchange (no compare-and-swap,
 * see interp.c about GCC 12 on riscv64), yielding while it is held.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

/* Family operation tables (map_*.c). */
extern const struct b2n_map_ops b2n_rt_ops_array;
extern const struct b2n_map_ops b2n_rt_ops_percpu_array;
extern const struct b2n_map_ops b2n_rt_ops_prog_array;
extern const struct b2n_map_ops b2n_rt_ops_hash; /* hash, percpu, lru, lru_percpu */
extern const struct b2n_map_ops b2n_rt_ops_queue;
extern const struct b2n_map_ops b2n_rt_ops_stack;
extern const struct b2n_map_ops b2n_rt_ops_lpm_trie;
extern const struct b2n_map_ops b2n_rt_ops_array_of_maps;
extern const struct b2n_map_ops b2n_rt_ops_hash_of_maps;
/* ringbuf.c */
extern const struct b2n_map_ops b2n_rt_ops_ringbuf;
/* map_dev.c: devmap, devmap_hash, cpumap, xskmap */
extern const struct b2n_map_ops b2n_rt_ops_dev;
/* map_array.c / map_of_maps.c: forget a program or an inner map. */
void b2n_rt_prog_array_forget(struct b2n_map *m, const struct b2n_program *p);
void b2n_rt_mim_forget(struct b2n_map *outer, const struct b2n_map *inner);

static const struct b2n_map_ops *ops_for_type(uint32_t type)
{
	switch (type) {
	case B2N_MAP_HASH:
	case B2N_MAP_PERCPU_HASH:
	case B2N_MAP_LRU_HASH:
	case B2N_MAP_LRU_PERCPU_HASH:
		return &b2n_rt_ops_hash;
	case B2N_MAP_ARRAY:
		return &b2n_rt_ops_array;
	case B2N_MAP_PERCPU_ARRAY:
		return &b2n_rt_ops_percpu_array;
	case B2N_MAP_PROG_ARRAY:
		return &b2n_rt_ops_prog_array;
	case B2N_MAP_LPM_TRIE:
		return &b2n_rt_ops_lpm_trie;
	case B2N_MAP_ARRAY_OF_MAPS:
		return &b2n_rt_ops_array_of_maps;
	case B2N_MAP_HASH_OF_MAPS:
		return &b2n_rt_ops_hash_of_maps;
	case B2N_MAP_QUEUE:
		return &b2n_rt_ops_queue;
	case B2N_MAP_STACK:
		return &b2n_rt_ops_stack;
	case B2N_MAP_RINGBUF:
		return &b2n_rt_ops_ringbuf;
	case B2N_MAP_DEVMAP:
	case B2N_MAP_DEVMAP_HASH:
	case B2N_MAP_CPUMAP:
	case B2N_MAP_XSKMAP:
		return &b2n_rt_ops_dev;
	default:
		return NULL;
	}
}

/* ---- registry ------------------------------------------------------------ */

enum { REG_FREE, REG_MAP, REG_PROG };
struct reg_ent {
	int kind;
	void *p;
};
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg_ent *reg;
static int reg_cap;

/* Returns the new id, or -ENOMEM.  Caller holds reg_lock. */
static int reg_add_locked(int kind, void *p)
{
	int i;
	for (i = 1; i < reg_cap; i++)
		if (reg[i].kind == REG_FREE)
			break;
	if (i >= reg_cap) {
		int ncap = reg_cap ? reg_cap * 2 : 64;
		struct reg_ent *n = realloc(reg, (size_t)ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n + reg_cap, 0, (size_t)(ncap - reg_cap) * sizeof(*n));
		i = reg_cap ? reg_cap : 1;
		reg = n;
		reg_cap = ncap;
	}
	reg[i].kind = kind;
	reg[i].p = p;
	return i;
}

static void *reg_get(int fd, int kind)
{
	void *p = NULL;
	pthread_mutex_lock(&reg_lock);
	if (fd > 0 && fd < reg_cap && reg[fd].kind == kind)
		p = reg[fd].p;
	pthread_mutex_unlock(&reg_lock);
	return p;
}

/* -EBADF when fd names nothing, -EINVAL when it names the other kind. */
int b2n_rt_fd_kind_error(int fd)
{
	int err = -EBADF;
	pthread_mutex_lock(&reg_lock);
	if (fd > 0 && fd < reg_cap && reg[fd].kind != REG_FREE)
		err = -EINVAL;
	pthread_mutex_unlock(&reg_lock);
	return err;
}

struct b2n_map *b2n_rt_map_by_fd(int fd)
{
	return reg_get(fd, REG_MAP);
}

struct b2n_program *b2n_rt_prog_by_fd(int fd)
{
	return reg_get(fd, REG_PROG);
}

int b2n_rt_prog_register(struct b2n_program *p)
{
	int fd;
	if (!p)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	fd = reg_add_locked(REG_PROG, p);
	pthread_mutex_unlock(&reg_lock);
	if (fd < 0)
		return fd;
	p->fd = fd;
	return 0;
}

void b2n_rt_prog_unregister(struct b2n_program *p)
{
	int i;
	if (!p)
		return;
	pthread_mutex_lock(&reg_lock);
	for (i = 1; i < reg_cap; i++) {
		if (reg[i].kind == REG_PROG && reg[i].p == p) {
			reg[i].kind = REG_FREE;
			reg[i].p = NULL;
		} else if (reg[i].kind == REG_MAP) {
			struct b2n_map *m = reg[i].p;
			if (m->type == B2N_MAP_PROG_ARRAY)
				b2n_rt_prog_array_forget(m, p);
		}
	}
	pthread_mutex_unlock(&reg_lock);
	p->fd = -1;
}

/* ---- creation ------------------------------------------------------------ */

static int is_map_in_map(uint32_t type)
{
	return type == B2N_MAP_ARRAY_OF_MAPS || type == B2N_MAP_HASH_OF_MAPS;
}

static int is_hash_family(uint32_t type)
{
	return type == B2N_MAP_HASH || type == B2N_MAP_PERCPU_HASH || type == B2N_MAP_LRU_HASH ||
	       type == B2N_MAP_LRU_PERCPU_HASH || type == B2N_MAP_HASH_OF_MAPS;
}

/* Before the family's checks: what map_create() checks first. */
static int check_before(uint32_t type, uint32_t max_entries, uint32_t map_flags)
{
	if ((map_flags & B2N_F_RDONLY) && (map_flags & B2N_F_WRONLY))
		return -EINVAL;
	if ((map_flags & B2N_F_RDONLY_PROG) && (map_flags & B2N_F_WRONLY_PROG))
		return -EINVAL; /* bpf_map_flags_access_ok(), first in every family */
	/* the hash family checks max_entries after some flags (its own
	 * order of -ENOTSUPP and -EINVAL), in map_hash.c */
	if (max_entries == 0 && !is_hash_family(type))
		return -EINVAL;
	return 0;
}

/* After the family's checks, as the kernel does once the map is
 * allocated: the inner-map template (bpf_map_meta_alloc) and the spin
 * lock (map_check_btf). */
static int check_after(uint32_t type, uint32_t value_size, int32_t spin_lock_off,
                       const struct b2n_map *inner)
{
	if (is_map_in_map(type)) {
		if (!inner)
			return -EBADF;
		if (is_map_in_map(inner->type) || inner->inner)
			return -EINVAL; /* no more than one level */
	}
	if (spin_lock_off >= 0) {
		if (type != B2N_MAP_HASH && type != B2N_MAP_ARRAY)
			return -EOPNOTSUPP;
		if (spin_lock_off % 4 || (uint64_t)spin_lock_off + 4 > value_size)
			return -EINVAL;
	} else if (spin_lock_off != -1) {
		return -EINVAL;
	}
	return 0;
}

static void free_map_struct(struct b2n_map *m)
{
	free(m->inner);
	free(m->name);
	free(m);
}

int b2n_rt_map_create(const char *name, uint32_t type, uint32_t key_size, uint32_t value_size,
                      uint32_t max_entries, uint32_t map_flags, int32_t spin_lock_off,
                      struct b2n_map *inner_template, struct b2n_map **out)
{
	const struct b2n_map_ops *ops = ops_for_type(type);
	struct b2n_map *m;
	int err, fd;

	if (out)
		*out = NULL;
	if (!out || !ops)
		return -EINVAL;
	err = check_before(type, max_entries, map_flags);
	if (err)
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ops = ops;
	if (!name)
		name = "";
	m->name = malloc(strlen(name) + 1);
	if (!m->name) {
		free(m);
		return -ENOMEM;
	}
	memcpy(m->name, name, strlen(name) + 1);
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->map_flags = map_flags;
	m->spin_lock_off = spin_lock_off;
	m->fd = -1;
	err = ops->create(m);
	if (err) {
		free_map_struct(m);
		return err;
	}
	err = check_after(type, value_size, spin_lock_off, inner_template);
	if (!err && is_map_in_map(type)) {
		/* keep our own copy of the template's attributes (the
		 * kernel's inner_map_meta), independent of its lifetime */
		struct b2n_map *meta = calloc(1, sizeof(*meta));
		if (!meta) {
			err = -ENOMEM;
		} else {
			meta->type = inner_template->type;
			meta->key_size = inner_template->key_size;
			meta->value_size = inner_template->value_size;
			meta->max_entries = inner_template->max_entries;
			meta->map_flags = inner_template->map_flags;
			meta->spin_lock_off = inner_template->spin_lock_off;
			meta->fd = -1;
			m->inner = meta;
		}
	}
	if (!err) {
		pthread_mutex_lock(&reg_lock);
		fd = reg_add_locked(REG_MAP, m);
		pthread_mutex_unlock(&reg_lock);
		if (fd < 0)
			err = fd;
		else
			m->fd = fd;
	}
	if (err) {
		ops->destroy(m);
		free_map_struct(m);
		return err;
	}
	*out = m;
	return 0;
}

void b2n_rt_map_destroy(struct b2n_map *m)
{
	int i;
	if (!m)
		return;
	pthread_mutex_lock(&reg_lock);
	for (i = 1; i < reg_cap; i++) {
		if (reg[i].kind != REG_MAP)
			continue;
		if (reg[i].p == m) {
			reg[i].kind = REG_FREE;
			reg[i].p = NULL;
		} else if (is_map_in_map(((struct b2n_map *)reg[i].p)->type)) {
			b2n_rt_mim_forget(reg[i].p, m);
		}
	}
	pthread_mutex_unlock(&reg_lock);
	if (m->ops && m->ops->destroy)
		m->ops->destroy(m);
	free_map_struct(m);
}

/* ---- values -------------------------------------------------------------- */

void b2n_rt_value_copy(const struct b2n_map *m, void *dst, const void *src)
{
	uint32_t off;
	if (m->spin_lock_off < 0) {
		memcpy(dst, src, m->value_size);
		return;
	}
	off = (uint32_t)m->spin_lock_off;
	memcpy(dst, src, off);
	memcpy((char *)dst + off + 4, (const char *)src + off + 4, m->value_size - off - 4);
}

void b2n_rt_spin_lock_word(uint32_t *w)
{
	while (__atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			sched_yield();
}

void b2n_rt_spin_unlock_word(uint32_t *w)
{
	__atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

void b2n_rt_value_lock(const struct b2n_map *m, void *value)
{
	if (m->spin_lock_off >= 0)
		b2n_rt_spin_lock_word((uint32_t *)((char *)value + m->spin_lock_off));
}

void b2n_rt_value_unlock(const struct b2n_map *m, void *value)
{
	if (m->spin_lock_off >= 0)
		b2n_rt_spin_unlock_word((uint32_t *)((char *)value + m->spin_lock_off));
}
