/*
 * be_kernel.c - the kernel back end of the packet driver: libbpf opens and
 * loads OBJDIR/<name>.bpf.o (the clang bpfel object) into the live
 * kernel, maps are read and written through their fds, and packets run
 * with bpf_prog_test_run_opts (data_in/data_out, ctx_in/ctx_out).  The
 * process pins itself to one CPU.  pb_init probes bpf() with a tiny array
 * map: EPERM/ENOSYS (not root, no CAP_BPF, no BPF) make the test skip.
 * Objects are loaded program by program where the kernel refuses some
 * (tests/common/kload.h); the driver skips the cases that need them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kload.h"
#include "packet.h"

const char *const pb_backend_name = "kernel";
static const char *objdir;
static char lastlog[1024];

struct pb_obj {
	struct bpf_object *o;
	struct kload k;
};

static int on_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	/* Keep the last non-empty line (the verifier's verdict). */
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	if (n && strncmp(line, "-- END", 6) && !strstr(line, "END PROG LOAD LOG"))
		snprintf(lastlog, sizeof(lastlog), "%s", line);
	return 0;
}

int pb_init(const char *dir, const char **why)
{
	objdir = dir;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	libbpf_set_print(on_print);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
	if (fd < 0) {
		int e = errno;
		if (e == EPERM || e == ENOSYS || e == EACCES) {
			*why = e == ENOSYS ? "bpf() is not available (ENOSYS)"
			                   : "bpf() is not permitted (needs root or CAP_BPF)";
			return 77;
		}
		*why = "bpf_map_create failed";
		return 1;
	}
	close(fd);
	return 0;
}

struct pb_obj *pb_open(const char *name, char *err, size_t errsz)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", objdir, name);
	struct pb_obj *obj = calloc(1, sizeof(*obj));
	int e = kload_open(path, &obj->k, err, errsz);
	if (e) {
		if (e == 77)
			snprintf(err, errsz, "bpf() is not permitted loading %s", name);
		free(obj);
		return NULL;
	}
	obj->o = obj->k.obj;
	return obj;
}

const char *pb_refused(struct pb_obj *obj, const char **why)
{
	if (!obj->k.nrefused)
		return NULL;
	*why = obj->k.why[0];
	return obj->k.refused[0];
}

void pb_close(struct pb_obj *obj)
{
	kload_close(&obj->k);
	free(obj);
}

struct pb_prog *pb_find_prog(struct pb_obj *obj, const char *name)
{
	return (struct pb_prog *)bpf_object__find_program_by_name(obj->o, name);
}

struct pb_map *pb_find_map(struct pb_obj *obj, const char *name)
{
	return (struct pb_map *)bpf_object__find_map_by_name(obj->o, name);
}

int pb_prog_fd(struct pb_prog *prog)
{
	return bpf_program__fd((struct bpf_program *)prog);
}

uint32_t pb_map_type(struct pb_map *map)
{
	return (uint32_t)bpf_map__type((struct bpf_map *)map);
}

uint32_t pb_map_key_size(struct pb_map *map)
{
	return bpf_map__key_size((struct bpf_map *)map);
}

uint32_t pb_map_value_size(struct pb_map *map)
{
	return bpf_map__value_size((struct bpf_map *)map);
}

int pb_ncpus(void)
{
	return libbpf_num_possible_cpus();
}

static int mfd(struct pb_map *map)
{
	return bpf_map__fd((struct bpf_map *)map);
}

int pb_map_update(struct pb_map *map, const void *key, const void *val)
{
	return bpf_map_update_elem(mfd(map), key, val, BPF_ANY) ? -errno : 0;
}

int pb_map_lookup(struct pb_map *map, const void *key, void *val)
{
	return bpf_map_lookup_elem(mfd(map), key, val) ? -errno : 0;
}

int pb_map_next_key(struct pb_map *map, const void *key, void *next)
{
	return bpf_map_get_next_key(mfd(map), key, next) ? -errno : 0;
}

int pb_test_run(struct pb_prog *prog, struct pb_run *run)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = run->data_in,
	            .data_size_in = run->data_size_in, .data_out = run->data_out,
	            .data_size_out = run->data_size_out, .ctx_in = run->ctx_in,
	            .ctx_size_in = run->ctx_size_in, .ctx_out = run->ctx_out,
	            .ctx_size_out = run->ctx_size_out, .repeat = run->repeat > 1 ? run->repeat : 1);
	int err = bpf_prog_test_run_opts(pb_prog_fd(prog), &o) ? -errno : 0;
	/* Also on -ENOSPC: libbpf copies the outputs back either way. */
	run->retval = o.retval;
	run->data_size_out = o.data_size_out;
	run->ctx_size_out = o.ctx_size_out;
	return err;
}
