/*
 * object.c - open an input and turn it into a checked struct b2n_input.
 *
 * The kind of input is decided once (ELF by its magic, then raw bytecode by
 * extension, else assembly text), the matching reader fills the programs,
 * and every program goes through b2n_prog__check.  Nothing half-built
 * escapes: on error everything is freed and one diagnostic has been printed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static char *stem_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *s = b2n_strdup(base);
	char *dot = strchr(s, '.');
	if (dot && dot != s)
		*dot = 0;
	char *r = b2n_sanitize(s);
	free(s);
	return r;
}

static int has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && strcmp(path + n - e, ext) == 0;
}

static int single_prog(struct b2n_input *obj, const struct b2n_open_opts *o,
                       struct b2n_insn *insns, size_t n)
{
	struct b2n_prog *p;
	char sym[512];
	obj->progs = p = b2n_xcalloc(1, sizeof(*p));
	obj->nprogs = 1;
	p->name = b2n_sanitize(o && o->prog_name ? o->prog_name : "prog");
	snprintf(sym, sizeof(sym), "b2n_%s__%s", obj->name, p->name);
	p->symbol = b2n_strdup(sym);
	p->insns = insns;
	p->ninsns = n;
	p->type = o ? o->prog_type : 0;
	return 0;
}

static int read_raw(struct b2n_input *obj, const struct b2n_open_opts *o,
                    const unsigned char *buf, size_t len)
{
	if (len % 8) {
		b2n_err(obj->path,
		        "raw bytecode is %zu bytes, not a multiple of 8 (truncated instruction "
		        "at insn %zu)",
		        len, len / 8);
		return -EINVAL;
	}
	size_t n = len / 8;
	struct b2n_insn *insns = b2n_xcalloc(n, sizeof(*insns));
	for (size_t i = 0; i < n; i++)
		insns[i] = b2n_insn_decode(buf + 8 * i, o && o->raw_big_endian);
	return single_prog(obj, o, insns, n);
}

/* Every initial prog_array / map-in-map slot must name something real. */
static int check_slot_inits(const struct b2n_input *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		const struct b2n_map_def *m = &obj->maps[i];
		for (size_t k = 0; k < m->ninit_slots; k++) {
			const struct b2n_slot_init *s = &m->init_slots[k];
			int found = 0;
			if (m->type == 3 /* BPF_MAP_TYPE_PROG_ARRAY */) {
				for (size_t p = 0; p < obj->nprogs && !found; p++)
					found = !strcmp(obj->progs[p].name, s->target);
			} else {
				for (size_t p = 0; p < obj->nmaps && !found; p++)
					found = !strcmp(obj->maps[p].name, s->target);
			}
			if (!found || s->slot >= m->max_entries) {
				b2n_err(obj->path, "map %s: initial slot %u names %s `%s`, which %s",
				        m->name, s->slot,
				        m->type == 3 ? "program" : "map", s->target,
				        found ? "is beyond max_entries" : "does not exist");
				return -ENOENT;
			}
		}
	}
	return 0;
}

void b2n_input__free(struct b2n_input *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nprogs; i++) {
		struct b2n_prog *p = &obj->progs[i];
		free(p->name);
		free(p->section);
		free(p->symbol);
		free(p->insns);
		for (size_t k = 0; k < p->nfuncs; k++)
			free(p->funcs[k].name);
		free(p->funcs);
		if (p->lines) {
			for (size_t k = 0; k < p->ninsns; k++)
				free(p->lines[k]);
			free(p->lines);
		}
	}
	for (size_t i = 0; i < obj->nmaps; i++) {
		struct b2n_map_def *m = &obj->maps[i];
		free(m->name);
		free(m->init_data);
		for (size_t k = 0; k < m->ninit_slots; k++)
			free(m->init_slots[k].target);
		free(m->init_slots);
	}
	free(obj->maps);
	free(obj->license);
	free(obj->btf);
	free(obj->progs);
	free(obj->path);
	free(obj->name);
	free(obj);
}

/* The input's bytes in buf (len bytes plus a NUL, as b2n_read_file makes
 * them; freed here) to a checked object. */
static int open_buf(const char *path, unsigned char *buf, size_t len,
                    const struct b2n_open_opts *opts, struct b2n_input **out)
{
	struct b2n_input *obj = b2n_xcalloc(1, sizeof(*obj));
	int err;

	*out = NULL;
	obj->path = b2n_strdup(path);
	obj->name = opts && opts->object_name ? b2n_sanitize(opts->object_name) : stem_of(path);
	obj->big_endian = -1;

	enum b2n_input_kind kind = opts ? opts->kind : B2N_IN_AUTO;
	int is_elf = len >= 4 && !memcmp(buf, "\177ELF", 4);
	if (kind == B2N_IN_AUTO && !is_elf &&
	    (has_ext(path, ".c") || has_ext(path, ".h") || has_ext(path, ".cc"))) {
		b2n_err(path, "this is C source, not BPF bytecode: build it first, e.g. 'clang-19 "
		              "-target bpf -O2 -g -c %s -o PROG.o', then run bpf2native on PROG.o",
		        path);
		err = -EINVAL;
		goto fail;
	}
	if (kind == B2N_IN_AUTO) {
		if (is_elf)
			kind = B2N_IN_ELF;
		else if (has_ext(path, ".bin") || has_ext(path, ".raw"))
			kind = B2N_IN_RAW;
		else
			kind = B2N_IN_ASM;
	}
	obj->kind = kind;
	switch (kind) {
	case B2N_IN_ELF:
		err = b2n_elf__read(obj, buf, len);
		break;
	case B2N_IN_RAW:
		err = read_raw(obj, opts, buf, len);
		break;
	default: {
		struct b2n_insn *insns = NULL;
		size_t n = 0;
		if (memchr(buf, 0, len)) {
			b2n_err(path, "binary input is neither a BPF ELF object nor assembly "
			              "text (use -x raw for raw bytecode)");
			err = -EINVAL;
			break;
		}
		err = b2n_asm__parse(path, (const char *)buf, &insns, &n);
		if (!err)
			err = single_prog(obj, opts, insns, n);
		break;
	}
	}
	if (err)
		goto fail;
	if (obj->nprogs == 0) {
		b2n_err(path, "no BPF programs found");
		err = -ENOENT;
		goto fail;
	}
	err = check_slot_inits(obj);
	if (err)
		goto fail;
	if (opts && opts->force_prog_type)
		for (size_t i = 0; i < obj->nprogs; i++)
			obj->progs[i].type = opts->prog_type;
	for (size_t i = 0; i < obj->nprogs; i++) {
		/* A typed asm/raw program gets what the kernel gives: r1 = ctx. */
		struct b2n_verify_opts vo = {
			.sz = sizeof(vo),
			.allow_uninit = opts && opts->allow_uninit,
			.entry_args = obj->kind == B2N_IN_ELF || obj->progs[i].type ? 1 : 2};
		/* With the safety pass, reads of unset registers are its to refuse,
		 * path by path as the kernel does ("R6 !read_ok"); verify.c's
		 * check merges paths and would refuse reads on dead ones. */
		struct b2n_verify_opts structural = vo;
		structural.allow_uninit |= !(opts && opts->unsafe);
		err = b2n_prog__check(obj, &obj->progs[i]);
		if (!err)
			err = b2n_prog__verify(obj, &obj->progs[i], &structural);
		/* The safety pass, unless the code is trusted (--unsafe): then
		 * no function is known to write its stack before reading it. */
		if (!err && !(opts && opts->unsafe))
			err = b2n_prog__safety(obj, &obj->progs[i], &vo);
		else if (!err)
			for (size_t k = 0; k < obj->progs[i].nfuncs; k++)
				obj->progs[i].funcs[k].reads_uninit_stack = 1;
		if (err)
			goto fail;
		obj->progs[i].verified = 1;
		/* The context pass: checks and rewrites ctx accesses. */
		if (obj->progs[i].type && (err = b2n_prog__ctx(obj, &obj->progs[i])))
			goto fail;
	}
	free(buf);
	*out = obj;
	return 0;
fail:
	free(buf);
	b2n_input__free(obj);
	return err < 0 ? err : -EINVAL;
}

int b2n_input__open(const char *path, const struct b2n_open_opts *opts,
                     struct b2n_input **out)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = b2n_read_file(path, &buf, &len);
	if (err)
		return err;
	return open_buf(path, buf, len, opts, out);
}

int b2n_input__open_mem(const char *path, const void *data, size_t len,
                        const struct b2n_open_opts *opts, struct b2n_input **out)
{
	unsigned char *buf = b2n_xcalloc(len + 1, 1);
	if (len)
		memcpy(buf, data, len);
	return open_buf(path, buf, len, opts, out);
}
