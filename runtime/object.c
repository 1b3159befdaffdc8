/*
 * object.c - the object and program API of libb2n.h: open, load and close
 * compiled objects, find and iterate their programs and maps, run programs,
 * and the runtime's replaceable message callback.
 *
 * A compiled object is its constant descriptor (abi.h), reached either
 * directly (static link: the application, or its skeleton, names
 * b2n_object_<name>) or through dlopen/dlsym of a shared object made with
 * ld.lld.  Nothing of the descriptor is copied: names, map definitions and
 * initial data are used in place; a dlopen'ed handle stays open until close.
 *
 * Map handles are stable from open to close, as libbpf's are (a skeleton
 * stores them at open): the maps are created at open with b2n_rt_map_create
 * (inner-map templates first, so that outer maps can name them) and the
 * global-data maps receive their initial bytes there, so b2n_map__data (map_user.c) is
 * the live, writable section from open on (an application can change
 * .rodata before load, as with libbpf).  Load then binds the object to the
 * code: it claims the descriptor (its map_slots/value_slots arrays live in
 * the compiled object, so one descriptor is bound to at most one loaded
 * object: -EBUSY otherwise), fills the slots (map handle; element 0 of
 * array maps, the program-side lookup of key 0), registers the programs
 * (program ids), fills prog_array and map-in-map initial slots, and checks
 * that every helper the code calls is registered.  Close undoes it in
 * reverse order: slots cleared, programs unregistered, map-in-map maps
 * destroyed before the maps they may hold, templates last.
 *
 * Errors: a negative errno (functions returning int) or NULL with errno set
 * (functions returning pointers), and one message through the print
 * callback (b2n_rt_set_print; by default WARN and INFO go to stderr).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime_internal.h"

/* ---- messages ----------------------------------------------------------- */

static int b2n_rt_default_print(enum b2n_rt_print_level level, const char *fmt, va_list ap)
{
	if (level > B2N_RT_INFO)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static b2n_rt_print_fn b2n_rt_print = b2n_rt_default_print;

B2N_API b2n_rt_print_fn b2n_rt_set_print(b2n_rt_print_fn fn)
{
	return __atomic_exchange_n(&b2n_rt_print, fn, __ATOMIC_ACQ_REL);
}

void b2n_rt_pr(enum b2n_rt_print_level level, const char *fmt, ...)
{
	b2n_rt_print_fn fn = __atomic_load_n(&b2n_rt_print, __ATOMIC_ACQUIRE);
	va_list ap;
	int saved = errno;
	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* ---- objects ------------------------------------------------------------ */

struct b2n_object {
	const struct b2n_abi_object *desc;
	void *dl;                   /* dlopen handle (open_file), or NULL */
	struct b2n_map **maps;      /* [desc->nmaps], created at open */
	struct b2n_program *progs;  /* [desc->nprogs] */
	unsigned char *prog_loaded; /* [desc->nprogs]: registered */
	int loaded;                 /* bound to the descriptor's slots */
};

/* Descriptors currently bound to a loaded object (their slot arrays are in
 * use).  Few objects per process: a list under a mutex is enough. */
struct b2n_claim {
	const struct b2n_abi_object *desc;
	struct b2n_claim *next;
};
static pthread_mutex_t b2n_claims_lock = PTHREAD_MUTEX_INITIALIZER;
static struct b2n_claim *b2n_claims;

static int claim_find(const struct b2n_abi_object *desc)
{
	for (struct b2n_claim *c = b2n_claims; c; c = c->next)
		if (c->desc == desc)
			return 1;
	return 0;
}

static int desc_is_claimed(const struct b2n_abi_object *desc)
{
	pthread_mutex_lock(&b2n_claims_lock);
	int r = claim_find(desc);
	pthread_mutex_unlock(&b2n_claims_lock);
	return r;
}

static int desc_claim(const struct b2n_abi_object *desc)
{
	int err = 0;
	pthread_mutex_lock(&b2n_claims_lock);
	if (claim_find(desc)) {
		err = -EBUSY;
	} else {
		struct b2n_claim *c = malloc(sizeof(*c));
		if (!c) {
			err = -ENOMEM;
		} else {
			c->desc = desc;
			c->next = b2n_claims;
			b2n_claims = c;
		}
	}
	pthread_mutex_unlock(&b2n_claims_lock);
	return err;
}

static void desc_release(const struct b2n_abi_object *desc)
{
	pthread_mutex_lock(&b2n_claims_lock);
	for (struct b2n_claim **pc = &b2n_claims; *pc; pc = &(*pc)->next) {
		if ((*pc)->desc == desc) {
			struct b2n_claim *c = *pc;
			*pc = c->next;
			free(c);
			break;
		}
	}
	pthread_mutex_unlock(&b2n_claims_lock);
}

static const char *desc_name(const struct b2n_abi_object *desc)
{
	return desc && desc->name ? desc->name : "?";
}

static int is_data_map(const struct b2n_abi_map *am)
{
	return (am->flags & (B2N_MAPF_DATA | B2N_MAPF_RODATA | B2N_MAPF_BSS)) != 0;
}

static int is_template(const struct b2n_abi_map *am)
{
	return (am->flags & B2N_MAPF_INNER_TEMPLATE) != 0;
}

static int is_map_in_map(uint32_t type)
{
	return type == B2N_MAP_ARRAY_OF_MAPS || type == B2N_MAP_HASH_OF_MAPS;
}

static void *set_errno_null(int err)
{
	errno = err < 0 ? -err : err;
	return NULL;
}

/* Index of map m in obj, or -1. */
static int map_index(const struct b2n_object *obj, const struct b2n_map *m)
{
	if (!obj || !m)
		return -1;
	for (uint32_t i = 0; i < obj->desc->nmaps; i++)
		if (obj->maps[i] == m)
			return (int)i;
	return -1;
}

/* Element 0 of an array map, as a program sees it. */
static void *array_elem0(struct b2n_map *m)
{
	uint32_t key0 = 0;
	if (m->type != B2N_MAP_ARRAY || !m->ops || !m->ops->lookup)
		return NULL;
	return m->ops->lookup(m, &key0);
}

/* Destroy the maps created so far: map-in-map maps first (they may hold the
 * others), then the rest, inner-map templates last; each in reverse order. */
static void destroy_maps(struct b2n_object *obj)
{
	const struct b2n_abi_object *d = obj->desc;
	for (int pass = 0; pass < 3 && obj->maps; pass++) {
		for (uint32_t k = d->nmaps; k-- > 0;) {
			const struct b2n_abi_map *am = &d->maps[k];
			int p = is_template(am) ? 2 : is_map_in_map(am->type) ? 0 : 1;
			if (p != pass || !obj->maps[k])
				continue;
			b2n_rt_map_destroy(obj->maps[k]);
			obj->maps[k] = NULL;
		}
	}
}

static void obj_free(struct b2n_object *obj)
{
	if (!obj)
		return;
	destroy_maps(obj);
	free(obj->maps);
	free(obj->progs);
	free(obj->prog_loaded);
	if (obj->dl)
		dlclose(obj->dl);
	free(obj);
}

static int create_one_map(struct b2n_object *obj, uint32_t i)
{
	const struct b2n_abi_object *d = obj->desc;
	const struct b2n_abi_map *am = &d->maps[i];
	struct b2n_map *inner = NULL;
	int err;

	if (am->inner_map >= 0) {
		if ((uint32_t)am->inner_map >= d->nmaps || !obj->maps[am->inner_map]) {
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: map %s: bad inner map index %d\n",
			          desc_name(d), am->name, am->inner_map);
			return -EINVAL;
		}
		inner = obj->maps[am->inner_map];
	}
	err = b2n_rt_map_create(am->name, am->type, am->key_size, am->value_size, am->max_entries,
	                        am->map_flags, am->spin_lock_off, inner, &obj->maps[i]);
	if (err) {
		obj->maps[i] = NULL;
		b2n_rt_pr(B2N_RT_WARN, "libb2n: object %s: cannot create map %s: %s\n",
		          desc_name(d), am->name, strerror(-err));
		return err;
	}
	obj->maps[i]->obj = obj;
	if (is_data_map(am) && am->init_data && am->init_size) {
		void *v = array_elem0(obj->maps[i]);
		if (!v || am->init_size > am->value_size) {
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: map %s: global data needs a one-element "
			          "array of at least %u bytes\n",
			          desc_name(d), am->name, (unsigned)am->init_size);
			return -EINVAL;
		}
		memcpy(v, am->init_data, am->init_size);
	}
	return 0;
}

static int create_maps(struct b2n_object *obj)
{
	const struct b2n_abi_object *d = obj->desc;
	int err;
	/* templates first (a template may itself name an earlier template) */
	for (uint32_t i = 0; i < d->nmaps; i++)
		if (is_template(&d->maps[i]) && (err = create_one_map(obj, i)))
			return err;
	for (uint32_t i = 0; i < d->nmaps; i++)
		if (!is_template(&d->maps[i]) && !is_map_in_map(d->maps[i].type) &&
		    (err = create_one_map(obj, i)))
			return err;
	/* map-in-map last: their initial slots name other maps */
	for (uint32_t i = 0; i < d->nmaps; i++)
		if (!is_template(&d->maps[i]) && is_map_in_map(d->maps[i].type) &&
		    (err = create_one_map(obj, i)))
			return err;
	return 0;
}

static int host_big_endian(void)
{
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b == 0;
}

static int check_desc(const struct b2n_abi_object *desc)
{
	if (!desc) {
		b2n_rt_pr(B2N_RT_WARN, "libb2n: open: no object descriptor\n");
		return -EINVAL;
	}
	if (desc->abi_version != B2N_ABI_VERSION) {
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: object %s: ABI version %u, this runtime reads version %u "
		          "(recompile it with a matching bpf2native)\n",
		          desc_name(desc), (unsigned)desc->abi_version, (unsigned)B2N_ABI_VERSION);
		return -EINVAL;
	}
	if (!desc->name ||
	    (desc->nmaps && (!desc->maps || !desc->map_slots || !desc->value_slots)) ||
	    (desc->nprogs && !desc->progs) || (desc->nhelpers && !desc->helpers)) {
		b2n_rt_pr(B2N_RT_WARN, "libb2n: object %s: malformed descriptor\n",
		          desc_name(desc));
		return -EINVAL;
	}
	if (!desc->big_endian != !host_big_endian()) {
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: object %s: compiled for a %s-endian target, this machine is "
		          "%s-endian\n",
		          desc_name(desc), desc->big_endian ? "big" : "little",
		          host_big_endian() ? "big" : "little");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < desc->nprogs; i++) {
		if (!desc->progs[i].name || !desc->progs[i].entry) {
			b2n_rt_pr(B2N_RT_WARN, "libb2n: object %s: program %u has no %s\n",
			          desc_name(desc), (unsigned)i,
			          desc->progs[i].name ? "entry point" : "name");
			return -EINVAL;
		}
	}
	for (uint32_t i = 0; i < desc->nmaps; i++) {
		if (!desc->maps[i].name) {
			b2n_rt_pr(B2N_RT_WARN, "libb2n: object %s: map %u has no name\n",
			          desc_name(desc), (unsigned)i);
			return -EINVAL;
		}
	}
	return 0;
}

static struct b2n_object *open_desc(const struct b2n_abi_object *desc, void *dl)
{
	struct b2n_object *obj;
	int err = check_desc(desc);
	if (err)
		return set_errno_null(err);
	if (desc_is_claimed(desc)) {
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: object %s: already loaded (one loaded object per compiled "
		          "object; close it first)\n",
		          desc_name(desc));
		return set_errno_null(-EBUSY);
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return set_errno_null(-ENOMEM);
	obj->desc = desc;
	obj->maps = calloc(desc->nmaps + 1, sizeof(*obj->maps));
	obj->progs = calloc(desc->nprogs + 1, sizeof(*obj->progs));
	obj->prog_loaded = calloc(desc->nprogs + 1, 1);
	if (!obj->maps || !obj->progs || !obj->prog_loaded) {
		obj_free(obj);
		return set_errno_null(-ENOMEM);
	}
	for (uint32_t i = 0; i < desc->nprogs; i++) {
		obj->progs[i].obj = obj;
		obj->progs[i].desc = &desc->progs[i];
		obj->progs[i].fd = -1;
	}
	err = create_maps(obj);
	if (err) {
		obj_free(obj);
		return set_errno_null(err);
	}
	obj->dl = dl;
	return obj;
}

B2N_API struct b2n_object *b2n_object__open(const struct b2n_abi_object *desc,
                                            const struct b2n_object_open_opts *opts)
{
	(void)opts;
	return open_desc(desc, NULL);
}

/* Default object name of a shared object: its file name up to the first
 * '.', with characters outside [A-Za-z0-9_] as '_'. */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, ".");
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = base[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '_';
		s[i] = ok ? c : '_';
	}
	s[n] = 0;
	return s;
}

B2N_API struct b2n_object *b2n_object__open_file(const char *path,
                                                 const struct b2n_object_open_opts *opts)
{
	const char *oname =
	    opts && opts->sz >= offsetof(struct b2n_object_open_opts, object_name) + sizeof(char *)
	        ? opts->object_name
	        : NULL;
	char *owned = NULL, *sym;
	void *dl, *desc;
	struct b2n_object *obj;

	if (!path) {
		b2n_rt_pr(B2N_RT_WARN, "libb2n: open_file: no path\n");
		return set_errno_null(-EINVAL);
	}
	if (!oname) {
		oname = owned = name_from_path(path);
		if (!owned)
			return set_errno_null(-ENOMEM);
	}
	if (!*oname) {
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: %s: cannot derive an object name from the file "
		          "name (pass opts.object_name)\n",
		          path);
		free(owned);
		return set_errno_null(-EINVAL);
	}
	sym = malloc(strlen(oname) + sizeof("b2n_object_"));
	if (!sym) {
		free(owned);
		return set_errno_null(-ENOMEM);
	}
	strcpy(sym, "b2n_object_");
	strcat(sym, oname);

	dlerror();
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *e = dlerror();
		int err = access(path, R_OK) ? errno : ENOEXEC;
		b2n_rt_pr(B2N_RT_WARN, "libb2n: %s: cannot load shared object: %s\n", path,
		          e ? e : "unknown error");
		free(sym);
		free(owned);
		return set_errno_null(err);
	}
	dlerror();
	desc = dlsym(dl, sym);
	if (!desc) {
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: %s: no compiled object named %s (symbol %s not found; "
		          "set opts.object_name)\n",
		          path, oname, sym);
		dlclose(dl);
		free(sym);
		free(owned);
		return set_errno_null(-ENOENT);
	}
	free(sym);
	free(owned);
	obj = open_desc(desc, dl);
	if (!obj) {
		int err = errno;
		dlclose(dl);
		errno = err;
	}
	return obj;
}

/* Unbind: clear slots, unregister programs, release the descriptor. */
static void unload(struct b2n_object *obj)
{
	const struct b2n_abi_object *d = obj->desc;
	for (uint32_t i = 0; i < d->nprogs; i++) {
		if (obj->prog_loaded[i]) {
			b2n_rt_prog_unregister(&obj->progs[i]);
			obj->prog_loaded[i] = 0;
			obj->progs[i].fd = -1;
		}
	}
	if (obj->loaded) {
		for (uint32_t i = d->nmaps; i-- > 0;) {
			d->value_slots[i] = NULL;
			d->map_slots[i] = NULL;
		}
		desc_release(d);
		obj->loaded = 0;
	}
}

static int fill_init_slots(struct b2n_object *obj, uint32_t i)
{
	const struct b2n_abi_object *d = obj->desc;
	const struct b2n_abi_map *am = &d->maps[i];
	struct b2n_map *m = obj->maps[i];

	for (uint32_t k = 0; k < am->ninit_slots; k++) {
		const struct b2n_abi_slot_init *s = &am->init_slots[k];
		uint32_t key = s->slot, val;
		int err;
		if (am->type == B2N_MAP_PROG_ARRAY) {
			if (s->target >= d->nprogs || !obj->prog_loaded[s->target])
				goto bad;
			val = (uint32_t)obj->progs[s->target].fd;
		} else if (is_map_in_map(am->type)) {
			if (s->target >= d->nmaps || !obj->maps[s->target])
				goto bad;
			val = (uint32_t)obj->maps[s->target]->fd;
		} else {
			goto bad;
		}
		if (m->key_size != sizeof(key) || !m->ops || !m->ops->update_user) {
			err = -EINVAL;
		} else {
			err = m->ops->update_user(m, &key, &val, B2N_ANY);
		}
		if (err) {
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: map %s: cannot set initial slot %u: %s\n",
			          desc_name(d), am->name, (unsigned)key, strerror(-err));
			return err;
		}
		continue;
	bad:
		b2n_rt_pr(B2N_RT_WARN,
		          "libb2n: object %s: map %s: initial slot %u names a bad target %u\n",
		          desc_name(d), am->name, (unsigned)s->slot, (unsigned)s->target);
		return -EINVAL;
	}
	return 0;
}

B2N_API int b2n_object__load(struct b2n_object *obj)
{
	const struct b2n_abi_object *d;
	int err;

	if (!obj)
		return -EINVAL;
	d = obj->desc;
	if (obj->loaded) {
		b2n_rt_pr(B2N_RT_WARN, "libb2n: object %s: already loaded\n", desc_name(d));
		return -EINVAL;
	}
	/* helpers first: nothing to undo */
	for (uint32_t i = 0; i < d->nhelpers; i++) {
		if (!b2n_helper__get(d->helpers[i])) {
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: program needs helper %u, which is not "
			          "registered\n",
			          desc_name(d), (unsigned)d->helpers[i]);
			return -ENOENT;
		}
	}
	err = desc_claim(d);
	if (err) {
		if (err == -EBUSY)
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: already loaded by another b2n_object "
			          "(one loaded object per compiled object)\n",
			          desc_name(d));
		return err;
	}
	obj->loaded = 1;
	for (uint32_t i = 0; i < d->nmaps; i++) {
		/* libbpf freezes read-only data maps after load */
		if (obj->maps[i] && (d->maps[i].flags & B2N_MAPF_RODATA))
			obj->maps[i]->frozen = 1;
		d->map_slots[i] = obj->maps[i];
		d->value_slots[i] = array_elem0(obj->maps[i]);
	}
	for (uint32_t i = 0; i < d->nprogs; i++) {
		err = b2n_rt_prog_register(&obj->progs[i]);
		if (err) {
			b2n_rt_pr(B2N_RT_WARN,
			          "libb2n: object %s: cannot register program %s: %s\n",
			          desc_name(d), d->progs[i].name, strerror(-err));
			goto fail;
		}
		obj->prog_loaded[i] = 1;
	}
	for (uint32_t i = 0; i < d->nmaps; i++) {
		if (d->maps[i].ninit_slots && !is_template(&d->maps[i]) &&
		    (err = fill_init_slots(obj, i)))
			goto fail;
	}
	return 0;
fail:
	unload(obj);
	return err;
}

B2N_API void b2n_object__close(struct b2n_object *obj)
{
	int saved = errno;
	if (!obj)
		return;
	unload(obj);
	obj_free(obj);
	errno = saved;
}

B2N_API const char *b2n_object__name(const struct b2n_object *obj)
{
	return obj ? obj->desc->name : NULL;
}

B2N_API struct b2n_program *b2n_object__find_program_by_name(const struct b2n_object *obj,
                                                             const char *name)
{
	if (!obj || !name)
		return set_errno_null(-EINVAL);
	for (uint32_t i = 0; i < obj->desc->nprogs; i++)
		if (!strcmp(obj->desc->progs[i].name, name))
			return &obj->progs[i];
	return set_errno_null(-ENOENT);
}

B2N_API struct b2n_map *b2n_object__find_map_by_name(const struct b2n_object *obj, const char *name)
{
	if (!obj || !name)
		return set_errno_null(-EINVAL);
	for (uint32_t i = 0; i < obj->desc->nmaps; i++)
		if (!is_template(&obj->desc->maps[i]) && !strcmp(obj->desc->maps[i].name, name))
			return obj->maps[i];
	return set_errno_null(-ENOENT);
}

B2N_API struct b2n_program *b2n_object__next_program(const struct b2n_object *obj,
                                                     const struct b2n_program *prev)
{
	size_t i;
	if (!obj)
		return set_errno_null(-EINVAL);
	if (!prev) {
		i = 0;
	} else {
		if (prev < obj->progs || prev >= obj->progs + obj->desc->nprogs)
			return set_errno_null(-EINVAL);
		i = (size_t)(prev - obj->progs) + 1;
	}
	return i < obj->desc->nprogs ? &obj->progs[i] : NULL;
}

B2N_API struct b2n_map *b2n_object__next_map(const struct b2n_object *obj,
                                             const struct b2n_map *prev)
{
	uint32_t i = 0;
	if (!obj)
		return set_errno_null(-EINVAL);
	if (prev) {
		int k = map_index(obj, prev);
		if (k < 0)
			return set_errno_null(-EINVAL);
		i = (uint32_t)k + 1;
	}
	for (; i < obj->desc->nmaps; i++)
		if (!is_template(&obj->desc->maps[i]))
			return obj->maps[i];
	return NULL;
}

/* ---- programs ----------------------------------------------------------- */

B2N_API const char *b2n_program__name(const struct b2n_program *prog)
{
	return prog ? prog->desc->name : NULL;
}

B2N_API const char *b2n_program__section_name(const struct b2n_program *prog)
{
	return prog ? prog->desc->section : NULL;
}

B2N_API int b2n_program__fd(const struct b2n_program *prog)
{
	if (!prog || prog->fd < 0) {
		errno = EINVAL;
		return -EINVAL;
	}
	return prog->fd;
}

B2N_API int b2n_program__run(const struct b2n_program *prog, void *ctx, uint64_t *retval)
{
	uint64_t r0;
	if (!prog)
		return -EINVAL;
	if (!prog->obj || !prog->obj->loaded) {
		b2n_rt_pr(B2N_RT_WARN, "libb2n: program %s: object %s is not loaded\n",
		          prog->desc->name, prog->obj ? desc_name(prog->obj->desc) : "?");
		return -EINVAL;
	}
	uint32_t saved_type = b2n_rt_cur_prog_type; /* for bpf_redirect (packet.c) */
	b2n_rt_cur_prog_type = prog->desc->prog_type;
	r0 = prog->desc->entry(ctx, 0);
	b2n_rt_cur_prog_type = saved_type;
	if (retval)
		*retval = r0;
	return 0;
}

B2N_API uint32_t b2n_program__type(const struct b2n_program *prog)
{
	return prog ? prog->desc->prog_type : 0;
}
