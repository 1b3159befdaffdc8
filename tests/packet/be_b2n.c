/*
 * be_b2n.c - the bpf2native back end of the packet driver: the objects of
 * the corpus, compiled by bpf2native for this target, are linked in (each
 * descriptor b2n_object_<name> is a weak reference, NULL when bpf2native
 * refused the object), opened and loaded with libb2n, and packets run with
 * b2n_program__test_run.  Map values of per-CPU maps cover every slot
 * (b2n_num_possible_cpus(), 8-byte rounded), as in the kernel back end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/libb2n.h>

#include "packet.h"

#define X(n) extern const struct b2n_abi_object b2n_object_##n __attribute__((weak));
PKT_OBJECTS(X)
#undef X

static const struct {
	const char *name;
	const struct b2n_abi_object *desc;
} objects[] = {
#define X(n) {#n, &b2n_object_##n},
    PKT_OBJECTS(X)
#undef X
};

const char *const pb_backend_name = "bpf2native";
static char lastmsg[512];

struct pb_obj {
	struct b2n_object *o;
};

static int on_print(enum b2n_rt_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_RT_DEBUG)
		return 0;
	vsnprintf(lastmsg, sizeof(lastmsg), fmt, ap);
	size_t n = strlen(lastmsg);
	while (n && lastmsg[n - 1] == '\n')
		lastmsg[--n] = 0;
	return 0;
}

int pb_init(const char *dir, const char **why)
{
	(void)dir;
	(void)why;
	b2n_rt_set_print(on_print);
	return 0;
}

const char *pb_refused(struct pb_obj *obj, const char **why)
{
	(void)obj;
	(void)why;
	return NULL;
}

struct pb_obj *pb_open(const char *name, char *err, size_t errsz)
{
	const struct b2n_abi_object *desc = NULL;
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (!strcmp(objects[i].name, name))
			desc = objects[i].desc;
	if (!desc) {
		snprintf(err, errsz, "object %s not linked in (bpf2native refused it?)", name);
		return NULL;
	}
	lastmsg[0] = 0;
	struct b2n_object *o = b2n_object__open(desc, NULL);
	if (!o) {
		snprintf(err, errsz, "b2n_object__open %s: %d: %s", name, -errno, lastmsg);
		return NULL;
	}
	int e = b2n_object__load(o);
	if (e) {
		snprintf(err, errsz, "b2n_object__load %s: %d: %s", name, e, lastmsg);
		b2n_object__close(o);
		return NULL;
	}
	struct pb_obj *obj = calloc(1, sizeof(*obj));
	obj->o = o;
	return obj;
}

void pb_close(struct pb_obj *obj)
{
	b2n_object__close(obj->o);
	free(obj);
}

struct pb_prog *pb_find_prog(struct pb_obj *obj, const char *name)
{
	return (struct pb_prog *)b2n_object__find_program_by_name(obj->o, name);
}

struct pb_map *pb_find_map(struct pb_obj *obj, const char *name)
{
	return (struct pb_map *)b2n_object__find_map_by_name(obj->o, name);
}

int pb_prog_fd(struct pb_prog *prog)
{
	return b2n_program__fd((const struct b2n_program *)prog);
}

static const struct b2n_map *M(struct pb_map *map)
{
	return (const struct b2n_map *)map;
}

uint32_t pb_map_type(struct pb_map *map)
{
	return b2n_map__type(M(map));
}

uint32_t pb_map_key_size(struct pb_map *map)
{
	return b2n_map__key_size(M(map));
}

uint32_t pb_map_value_size(struct pb_map *map)
{
	return b2n_map__value_size(M(map));
}

int pb_ncpus(void)
{
	return b2n_num_possible_cpus();
}

/* BPF_MAP_TYPE_PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH */
static size_t user_vs(struct pb_map *map)
{
	uint32_t t = pb_map_type(map), vs = pb_map_value_size(map);
	if (t == 5 || t == 6 || t == 10)
		return (size_t)pb_ncpus() * ((vs + 7) / 8 * 8);
	return vs;
}

int pb_map_update(struct pb_map *map, const void *key, const void *val)
{
	return b2n_map__update_elem(M(map), key, pb_map_key_size(map), val, user_vs(map), 0);
}

int pb_map_lookup(struct pb_map *map, const void *key, void *val)
{
	return b2n_map__lookup_elem(M(map), key, pb_map_key_size(map), val, user_vs(map), 0);
}

int pb_map_next_key(struct pb_map *map, const void *key, void *next)
{
	return b2n_map__get_next_key(M(map), key, next, pb_map_key_size(map));
}

int pb_test_run(struct pb_prog *prog, struct pb_run *run)
{
	struct b2n_test_run_opts o = {
	    .sz = sizeof(o),
	    .data_in = run->data_in,
	    .data_out = run->data_out,
	    .data_size_in = run->data_size_in,
	    .data_size_out = run->data_size_out,
	    .ctx_in = run->ctx_in,
	    .ctx_out = run->ctx_out,
	    .ctx_size_in = run->ctx_size_in,
	    .ctx_size_out = run->ctx_size_out,
	    .repeat = run->repeat > 1 ? run->repeat : 1,
	};
	int err = b2n_program__test_run((const struct b2n_program *)prog, &o);
	run->retval = o.retval;
	run->data_size_out = o.data_size_out;
	run->ctx_size_out = o.ctx_size_out;
	return err;
}
