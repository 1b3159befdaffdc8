/*
 * elf_maps.c - what the code of a BPF ELF object refers to: maps, global
 * data, license, BTF and its line info (the code itself is elf.c's).
 *
 * Approach, after libbpf's bpf_object__init_maps: the maps of obj->maps are
 * the legacy "maps" section definitions (struct bpf_map_def, one per
 * symbol, read in the object's byte order), then the BTF-defined maps of
 * the ".maps" DATASEC (each VAR a struct whose members encode the
 * attributes: __uint(x, N) is a pointer to an array of N elements, __type(x,
 * T) a pointer to T, __array(values, ...) a trailing flexible array whose
 * element points to the inner map's definition or to a function
 * prototype), each map-in-map followed by its inner-map template, then one
 * internal array map per global-data section (.data*, .rodata*, .bss*).
 * BTF is read only through libbpf's API (btf__new handles both byte
 * orders).  Initial `.values` come from the relocations of ".maps".
 *
 * A map is located by its section and the offset of its ELF symbol (the
 * BTF DATASEC offset when the symbol is missing), so lddw relocations can
 * be resolved by (section, offset) exactly as libbpf does: a map symbol
 * gives B2N_PSEUDO_MAP_IDX, a data symbol B2N_PSEUDO_MAP_IDX_VALUE with
 * offset st_value + lddw imm (clang relocates statics against the section
 * symbol and keeps the offset in imm; gcc-bpf 12, detected by its .comment,
 * names the variable and still writes its section offset in imm).
 *
 * Errors of one map (unsupported type or flag, sizes the kernel's map
 * creation would refuse, malformed BTF definition) do not stop reading:
 * they are kept and reported at the first instruction that refers to the
 * map, so that the diagnostic names the program, section and instruction;
 * b2n_elf_maps__finish reports those nothing referred to.  The checks
 * mirror the kernel's *_map_alloc_check functions as the runtime
 * (runtime/map_*.c) implements them, so what compiles can be created.
 *
 * .BTF.ext line info (not exposed by libbpf's API) is read from its small
 * fixed header and records, in the byte order of the object.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "frontend.h"

#define R_BPF_64_ABS64 2
#define R_BPF_DATA_64 12 /* binutils before 2.39 (gcc-bpf 12): same meaning */

/* enum bpf_map_type values the runtime implements */
enum {
	MT_HASH = 1,
	MT_ARRAY = 2,
	MT_PROG_ARRAY = 3,
	MT_PERCPU_HASH = 5,
	MT_PERCPU_ARRAY = 6,
	MT_LRU_HASH = 9,
	MT_LRU_PERCPU_HASH = 10,
	MT_LPM_TRIE = 11,
	MT_ARRAY_OF_MAPS = 12,
	MT_HASH_OF_MAPS = 13,
	MT_DEVMAP = 14,
	MT_CPUMAP = 16,
	MT_XSKMAP = 17,
	MT_QUEUE = 22,
	MT_DEVMAP_HASH = 25,
	MT_STACK = 23,
	MT_RINGBUF = 27,
};

/* map_flags */
#define F_NO_PREALLOC (1U << 0)
#define F_NO_COMMON_LRU (1U << 1)
#define F_NUMA_NODE (1U << 2)
#define F_RDONLY (1U << 3)
#define F_WRONLY (1U << 4)
#define F_ZERO_SEED (1U << 6)
#define F_RDONLY_PROG (1U << 7)
#define F_WRONLY_PROG (1U << 8)
#define F_MMAPABLE (1U << 10)
#define F_INNER_MAP (1U << 12)
#define F_ACCESS (F_RDONLY | F_WRONLY | F_RDONLY_PROG | F_WRONLY_PROG)

#define KMALLOC_MAX (1U << 22)
#define PCPU_MIN_UNIT (32U * 1024)
#define HTAB_ELEM_HDR 48

static const char *const type_names[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
	"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
	"lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap",
	"xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
	"percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
	"struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
	"user_ringbuf", "cgrp_storage", "arena",
};

static const char *type_name(uint32_t t)
{
	return t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "unknown";
}

/* Per map of obj->maps: where it is defined, and its pending error. */
struct ment {
	size_t shndx; /* defining section; 0 for templates and data maps */
	uint64_t off, size;
	int has_values;
	uint64_t values_off; /* offset of `values` inside the definition */
	char *err;
	int used; /* err was reported at an instruction */
};

struct lrec {
	size_t shndx;
	uint64_t off;
	char *text;
};

struct b2n_elf_maps {
	struct b2n_elf_view v;
	Elf *elf;
	struct btf *btf;
	struct ment *ents;
	size_t nents;
	size_t maps_shndx, legacy_shndx, btf_shndx, btfext_shndx;
	char *maps_err; /* .maps cannot be read at all (no BTF) */
	int maps_err_used;
	long *data_idx; /* ELF section -> map index of its global data, -1 */
	int gcc;        /* produced by gcc-bpf (.comment), see b2n_elf_maps__ref */
	struct lrec *lines;
	size_t nlines;
};

/* Diagnostics are one line: BTF strings of a corrupt object may hold
 * control characters. */
static char *clean(char *s)
{
	for (char *q = s; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return s;
}

static int fail(struct b2n_elf_maps *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct b2n_elf_maps *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b2n_err(m->v.obj->path, "%s", clean(msg));
	return -EINVAL;
}

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return clean(b2n_strdup(msg));
}

static const char *secname(struct b2n_elf_maps *m, size_t shndx)
{
	Elf_Scn *scn = elf_getscn(m->elf, shndx);
	GElf_Shdr sh;
	const char *s = NULL;
	if (scn && gelf_getshdr(scn, &sh))
		s = elf_strptr(m->elf, m->v.shstrndx, sh.sh_name);
	return s ? s : "?";
}

static uint32_t rd32(const unsigned char *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	          : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Data of section shndx whose header was validated by elf.c. */
static Elf_Data *sec_data(struct b2n_elf_maps *m, size_t shndx, GElf_Shdr *sh)
{
	Elf_Scn *scn = elf_getscn(m->elf, shndx);
	if (!scn || !gelf_getshdr(scn, sh))
		return NULL;
	Elf_Data *d = elf_getdata(scn, NULL);
	if (d && sh->sh_type != SHT_NOBITS && (d->d_size != sh->sh_size || (!d->d_buf && d->d_size)))
		return NULL;
	return d;
}

static size_t add_map(struct b2n_elf_maps *m, const char *name)
{
	struct b2n_input *obj = m->v.obj;
	size_t i = obj->nmaps++;
	obj->maps = realloc(obj->maps, obj->nmaps * sizeof(*obj->maps));
	m->ents = realloc(m->ents, obj->nmaps * sizeof(*m->ents));
	if (!obj->maps || !m->ents)
		abort();
	memset(&obj->maps[i], 0, sizeof(obj->maps[i]));
	memset(&m->ents[i], 0, sizeof(m->ents[i]));
	m->nents = obj->nmaps;
	obj->maps[i].name = clean(b2n_strdup(name));
	obj->maps[i].inner_map = -1;
	obj->maps[i].spin_lock_off = -1;
	return i;
}

static void set_err(struct b2n_elf_maps *m, size_t i, char *msg)
{
	if (m->ents[i].err)
		free(msg);
	else
		m->ents[i].err = msg;
}

/* ---- the kernel's map creation checks ----------------------------------- */

static uint64_t round8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

/* NULL if the kernel (and the runtime) would create the map, else why not. */
static char *check_def(const struct b2n_input *obj, const struct b2n_map_def *d)
{
	uint32_t t = d->type, ks = d->key_size, vs = d->value_size, n = d->max_entries,
	         fl = d->map_flags;
	int percpu = t == MT_PERCPU_ARRAY || t == MT_PERCPU_HASH || t == MT_LRU_PERCPU_HASH;
	int lru = t == MT_LRU_HASH || t == MT_LRU_PERCPU_HASH;

	switch (t) {
	case MT_HASH: case MT_ARRAY: case MT_PROG_ARRAY: case MT_PERCPU_HASH:
	case MT_PERCPU_ARRAY: case MT_LRU_HASH: case MT_LRU_PERCPU_HASH: case MT_LPM_TRIE:
	case MT_ARRAY_OF_MAPS: case MT_HASH_OF_MAPS: case MT_QUEUE: case MT_STACK:
	case MT_RINGBUF: case MT_DEVMAP: case MT_DEVMAP_HASH: case MT_CPUMAP: case MT_XSKMAP:
		break;
	default:
		return xfmt("unsupported map type %u (%s)", t, type_name(t));
	}
	if (((fl & F_RDONLY) && (fl & F_WRONLY)) || ((fl & F_RDONLY_PROG) && (fl & F_WRONLY_PROG)))
		return xfmt("conflicting access flags in map_flags 0x%x", fl);
	if (n == 0)
		return xfmt("max_entries is 0");
	switch (t) {
	case MT_ARRAY: case MT_PERCPU_ARRAY: case MT_PROG_ARRAY: case MT_ARRAY_OF_MAPS:
		if (ks != 4)
			return xfmt("key_size %u: %s maps have 4-byte keys", ks, type_name(t));
		if (vs == 0)
			return xfmt("value_size is 0");
		if (fl & ~(F_NUMA_NODE | F_MMAPABLE | F_ACCESS | F_INNER_MAP) ||
		    (t == MT_PERCPU_ARRAY && (fl & F_NUMA_NODE)) ||
		    (t != MT_ARRAY && (fl & (F_MMAPABLE | F_INNER_MAP))) ||
		    (t == MT_PROG_ARRAY && (fl & (F_RDONLY_PROG | F_WRONLY_PROG))))
			return xfmt("unsupported map_flags 0x%x for a %s map", fl, type_name(t));
		if ((t == MT_PROG_ARRAY || t == MT_ARRAY_OF_MAPS) && vs != 4)
			return xfmt("value_size %u: %s maps have 4-byte values", vs, type_name(t));
		if (vs > 0x7fffffffU || (percpu && round8(vs) > PCPU_MIN_UNIT))
			return xfmt("value_size %u is too big for a %s map", vs, type_name(t));
		break;
	case MT_HASH: case MT_PERCPU_HASH: case MT_LRU_HASH: case MT_LRU_PERCPU_HASH:
	case MT_HASH_OF_MAPS:
		if (fl & ~(F_NO_PREALLOC | F_NO_COMMON_LRU | F_NUMA_NODE | F_ACCESS | F_ZERO_SEED) ||
		    (!lru && (fl & F_NO_COMMON_LRU)) ||
		    ((fl & F_NUMA_NODE) && (percpu || (fl & F_NO_COMMON_LRU))))
			return xfmt("unsupported map_flags 0x%x for a %s map", fl, type_name(t));
		if (lru && (fl & F_NO_PREALLOC))
			return xfmt("map_flags 0x%x: a %s map cannot be BPF_F_NO_PREALLOC", fl,
			            type_name(t));
		if (ks == 0 || vs == 0)
			return xfmt("%s is 0", ks == 0 ? "key_size" : "value_size");
		if ((uint64_t)ks + vs >= KMALLOC_MAX - HTAB_ELEM_HDR ||
		    (percpu && round8(vs) > PCPU_MIN_UNIT))
			return xfmt("key_size %u + value_size %u is too big for a %s map", ks, vs,
			            type_name(t));
		if (n > (1U << 28))
			return xfmt("max_entries %u is too big for a %s map", n, type_name(t));
		if (t == MT_HASH_OF_MAPS && vs != 4)
			return xfmt("value_size %u: %s maps have 4-byte values", vs, type_name(t));
		break;
	case MT_LPM_TRIE:
		if (!(fl & F_NO_PREALLOC) || (fl & ~(F_NO_PREALLOC | F_NUMA_NODE | F_ACCESS)))
			return xfmt("map_flags 0x%x: an lpm_trie map needs BPF_F_NO_PREALLOC and "
			            "no other flag but NUMA and access flags", fl);
		if (ks < 5 || ks > 4 + 256)
			return xfmt("key_size %u: an lpm_trie key is a 4-byte prefix length and "
			            "1 to 256 bytes of data", ks);
		if (vs < 1 || vs > KMALLOC_MAX - 256 - 64)
			return xfmt("value_size %u out of range for an lpm_trie map", vs);
		break;
	case MT_QUEUE: case MT_STACK:
		if (ks != 0)
			return xfmt("key_size %u: %s maps have no key (key_size 0)", ks, type_name(t));
		if (vs == 0)
			return xfmt("value_size is 0");
		if (fl & ~(F_NUMA_NODE | F_ACCESS))
			return xfmt("unsupported map_flags 0x%x for a %s map", fl, type_name(t));
		if (vs > KMALLOC_MAX)
			return xfmt("value_size %u is too big for a %s map", vs, type_name(t));
		break;
	case MT_DEVMAP: case MT_DEVMAP_HASH: case MT_CPUMAP: case MT_XSKMAP:
		/* runtime/map_dev.c: devmap.c, cpumap.c, xskmap.c alloc checks */
		if (ks != 4 || (t == MT_XSKMAP ? vs != 4 : vs != 4 && vs != 8))
			return xfmt("key_size %u, value_size %u: a %s map has a 4-byte key and a "
			            "%s value", ks, vs, type_name(t), t == MT_XSKMAP ? "4-byte" : "4 or 8-byte");
		if (fl & ~(t == MT_CPUMAP ? F_NUMA_NODE : F_NUMA_NODE | F_RDONLY | F_WRONLY))
			return xfmt("unsupported map_flags 0x%x for a %s map", fl, type_name(t));
		if ((t == MT_CPUMAP && n > 8192) || (t == MT_DEVMAP_HASH && n > (1U << 31)))
			return xfmt("max_entries %u is too big for a %s map", n, type_name(t));
		break;
	case MT_RINGBUF:
		if (ks || vs)
			return xfmt("key_size %u, value_size %u: a ringbuf map has neither", ks, vs);
		if ((n & (n - 1)) || n % 4096)
			return xfmt("max_entries %u: a ringbuf size is a power of 2 and a multiple "
			            "of 4096", n);
		if (fl & ~F_NUMA_NODE)
			return xfmt("unsupported map_flags 0x%x for a ringbuf map", fl);
		break;
	}
	if (t == MT_ARRAY_OF_MAPS || t == MT_HASH_OF_MAPS) {
		if (d->inner_map < 0)
			return xfmt("a %s map needs an inner map definition "
			            "(__array(values, struct {...}))", type_name(t));
		const struct b2n_map_def *in = &obj->maps[d->inner_map];
		if (in->type == MT_ARRAY_OF_MAPS || in->type == MT_HASH_OF_MAPS)
			return xfmt("inner map of type %s: map-in-map nests one level only",
			            type_name(in->type));
	}
	if (d->spin_lock_off >= 0) {
		if (t != MT_HASH && t != MT_ARRAY)
			return xfmt("struct bpf_spin_lock in the value of a %s map (only hash and "
			            "array maps may hold one)", type_name(t));
		if (d->spin_lock_off % 4 || (uint64_t)d->spin_lock_off + 4 > vs)
			return xfmt("struct bpf_spin_lock at offset %d of a %u-byte value",
			            d->spin_lock_off, vs);
	}
	return NULL;
}

/* ---- BTF-defined maps ---------------------------------------------------- */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res)
{
	int r = btf__resolve_type(btf, id);
	if (r < 0)
		return NULL;
	if (res)
		*res = (__u32)r;
	return btf__type_by_id(btf, (__u32)r);
}

/* __uint(name, N): int (*name)[N] */
static int get_uint(const struct btf *btf, __u32 id, uint32_t *out)
{
	const struct btf_type *t = skip_mods(btf, id, NULL);
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	const struct btf_type *a = btf__type_by_id(btf, t->type);
	if (!a || !btf_is_array(a))
		return -EINVAL;
	*out = btf_array(a)->nelems;
	return 0;
}

/* Offset of the struct bpf_spin_lock member of the value, -1 if none. */
static int find_spin_lock(const struct btf *btf, __u32 value_id, char **err)
{
	const struct btf_type *t = skip_mods(btf, value_id, NULL);
	int off = -1;
	if (!t || !btf_is_struct(t))
		return -1;
	const struct btf_member *mb = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++, mb++) {
		const struct btf_type *mt = skip_mods(btf, mb->type, NULL);
		const char *n = mt ? btf__name_by_offset(btf, mt->name_off) : NULL;
		if (!mt || !btf_is_struct(mt) || !n || strcmp(n, "bpf_spin_lock"))
			continue;
		if (off >= 0) {
			*err = xfmt("the value holds more than one struct bpf_spin_lock");
			return -1;
		}
		off = (int)(btf_member_bit_offset(t, i) / 8);
	}
	return off;
}

/* Parse the definition struct def_id into map i.  *inner_id receives the
 * inner map's definition for map-in-map (`values`), else 0. */
static void parse_def(struct b2n_elf_maps *m, size_t i, __u32 def_id, int is_inner,
                      __u32 *inner_id)
{
	const struct btf *btf = m->btf;
	const struct btf_type *def = skip_mods(btf, def_id, NULL);
	struct b2n_map_def *d = &m->v.obj->maps[i];
	int have_key = 0, have_val = 0;
	__u32 value_id = 0;

	*inner_id = 0;
	if (!def || !btf_is_struct(def)) {
		set_err(m, i, xfmt("the definition is not a struct"));
		return;
	}
	const struct btf_member *mb = btf_members(def);
	__u16 vlen = btf_vlen(def);
	for (__u16 k = 0; k < vlen; k++, mb++) {
		const char *n = btf__name_by_offset(btf, mb->name_off);
		uint32_t val = 0, *dst = NULL;
		if (!n || !*n) {
			set_err(m, i, xfmt("member %u of the definition has no name", k));
			return;
		}
		if (!strcmp(n, "type"))
			dst = &d->type;
		else if (!strcmp(n, "max_entries"))
			dst = &d->max_entries;
		else if (!strcmp(n, "map_flags"))
			dst = &d->map_flags;
		if (dst || !strcmp(n, "numa_node") || !strcmp(n, "pinning") ||
		    !strcmp(n, "map_extra")) {
			if (get_uint(btf, mb->type, &val)) {
				/* __ulong(map_extra, N) is an enum: ignored */
				if (!strcmp(n, "map_extra"))
					continue;
				set_err(m, i, xfmt("`%s` is not defined with __uint()", n));
				return;
			}
			if (dst)
				*dst = val;
			continue;
		}
		if (!strcmp(n, "key_size") || !strcmp(n, "value_size")) {
			int key = n[0] == 'k';
			if (get_uint(btf, mb->type, &val)) {
				set_err(m, i, xfmt("`%s` is not defined with __uint()", n));
				return;
			}
			if ((key ? have_key : have_val) && (key ? d->key_size : d->value_size) != val) {
				set_err(m, i, xfmt("conflicting %s %u and %u", n, val,
				                   key ? d->key_size : d->value_size));
				return;
			}
			*(key ? &d->key_size : &d->value_size) = val;
			*(key ? &have_key : &have_val) = 1;
			continue;
		}
		if (!strcmp(n, "key") || !strcmp(n, "value")) {
			int key = n[0] == 'k';
			const struct btf_type *p = skip_mods(btf, mb->type, NULL);
			if (!p || !btf_is_ptr(p)) {
				set_err(m, i, xfmt("`%s` is not defined with __type()", n));
				return;
			}
			__s64 sz = btf__resolve_size(btf, p->type);
			if (sz < 0 || sz > 0xffffffffLL) {
				set_err(m, i, xfmt("the size of the %s type cannot be resolved", n));
				return;
			}
			if ((key ? have_key : have_val) &&
			    (key ? d->key_size : d->value_size) != (uint32_t)sz) {
				set_err(m, i, xfmt("conflicting %s sizes %lld and %u", n, (long long)sz,
				                   key ? d->key_size : d->value_size));
				return;
			}
			*(key ? &d->key_size : &d->value_size) = (uint32_t)sz;
			*(key ? &have_key : &have_val) = 1;
			if (!key)
				value_id = p->type;
			continue;
		}
		if (!strcmp(n, "values")) {
			const struct btf_type *a = skip_mods(btf, mb->type, NULL), *p, *tgt;
			int mim = d->type == MT_ARRAY_OF_MAPS || d->type == MT_HASH_OF_MAPS;
			__u32 tgt_id = 0;
			if (k != vlen - 1) {
				set_err(m, i, xfmt("`values` must be the last member"));
				return;
			}
			if (!mim && d->type != MT_PROG_ARRAY) {
				set_err(m, i, xfmt("`values` needs a prog_array or map-in-map type, "
				                   "not %s", type_name(d->type)));
				return;
			}
			if (!a || !btf_is_array(a) || btf_array(a)->nelems ||
			    !(p = skip_mods(btf, btf_array(a)->type, NULL)) || !btf_is_ptr(p) ||
			    !(tgt = skip_mods(btf, p->type, &tgt_id))) {
				set_err(m, i, xfmt("`values` is not defined with __array()"));
				return;
			}
			if (mim ? !btf_is_struct(tgt) : !btf_is_func_proto(tgt)) {
				set_err(m, i, xfmt("`values` of a %s map must point to %s",
				                   type_name(d->type),
				                   mim ? "an inner map definition" : "a function"));
				return;
			}
			if (is_inner) {
				set_err(m, i, xfmt("an inner map cannot itself hold maps or programs"));
				return;
			}
			if (have_val && d->value_size != 4) {
				set_err(m, i, xfmt("value_size %u: %s maps have 4-byte values",
				                   d->value_size, type_name(d->type)));
				return;
			}
			d->value_size = 4;
			have_val = 1;
			m->ents[i].has_values = 1;
			m->ents[i].values_off = btf_member_bit_offset(def, k) / 8;
			if (mim)
				*inner_id = tgt_id;
			continue;
		}
		set_err(m, i, xfmt("unknown member `%s` in the map definition", n));
		return;
	}
	if (value_id) {
		char *err = NULL;
		d->spin_lock_off = find_spin_lock(btf, value_id, &err);
		if (err)
			set_err(m, i, err);
	}
}

/* ELF symbol named `name` in section shndx, or -1. */
static long find_sym(struct b2n_elf_maps *m, size_t shndx, const char *name)
{
	for (size_t k = 0; k < m->v.nsyms; k++) {
		const struct b2n_elf_sym *s = &m->v.syms[k];
		if (s->shndx == shndx && s->type != STT_SECTION && !strcmp(s->name, name))
			return (long)k;
	}
	return -1;
}

static int cmp_vsi(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int read_btf_maps(struct b2n_elf_maps *m)
{
	const struct btf *btf = m->btf;
	const struct btf_type *sec = NULL;
	for (__u32 id = 1; id < btf__type_cnt(btf) && !sec; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *n = btf__name_by_offset(btf, t->name_off);
		if (btf_is_datasec(t) && n && !strcmp(n, ".maps"))
			sec = t;
	}
	if (!sec) {
		m->maps_err = xfmt("section .maps has no BTF DATASEC describing its maps");
		return 0;
	}
	/* by ELF offset: map order follows the source */
	size_t nv = btf_vlen(sec);
	struct btf_var_secinfo *vs = b2n_xcalloc(nv, sizeof(*vs));
	memcpy(vs, btf_var_secinfos(sec), nv * sizeof(*vs));
	for (size_t k = 0; k < nv; k++) {
		const struct btf_type *var = btf__type_by_id(btf, vs[k].type);
		const char *n = var ? btf__name_by_offset(btf, var->name_off) : NULL;
		long s = n ? find_sym(m, m->maps_shndx, n) : -1;
		if (s >= 0)
			vs[k].offset = (__u32)m->v.syms[s].value;
	}
	qsort(vs, nv, sizeof(*vs), cmp_vsi);
	for (size_t k = 0; k < nv; k++) {
		const struct btf_type *var = btf__type_by_id(btf, vs[k].type);
		const char *n = var ? btf__name_by_offset(btf, var->name_off) : NULL;
		if (!var || !btf_is_var(var) || !n || !*n) {
			free(vs);
			return fail(m, "section .maps: BTF entry %zu is not a named variable", k);
		}
		size_t i = add_map(m, n);
		long s = find_sym(m, m->maps_shndx, n);
		m->ents[i].shndx = m->maps_shndx;
		m->ents[i].off = s >= 0 ? m->v.syms[s].value : vs[k].offset;
		m->ents[i].size = s >= 0 && m->v.syms[s].size ? m->v.syms[s].size : vs[k].size;
		__u32 inner_id;
		parse_def(m, i, var->type, 0, &inner_id);
		if (inner_id) {
			char *iname = xfmt("%s.inner", n);
			size_t j = add_map(m, iname);
			__u32 dummy;
			free(iname);
			m->v.obj->maps[j].flags = B2N_MAPF_INNER_TEMPLATE;
			parse_def(m, j, inner_id, 1, &dummy);
			m->v.obj->maps[i].inner_map = (int)j;
		}
	}
	free(vs);
	return 0;
}

/* Map of section shndx whose definition starts at off, or -1. */
static long map_at(struct b2n_elf_maps *m, size_t shndx, uint64_t off)
{
	for (size_t i = 0; i < m->v.obj->nmaps; i++)
		if (m->ents[i].shndx == shndx && m->ents[i].off == off)
			return (long)i;
	return -1;
}

/* Initial `values` of prog_array and map-in-map maps: the relocations of
 * .maps, one 8-byte pointer per slot. */
static int read_values(struct b2n_elf_maps *m)
{
	struct b2n_input *obj = m->v.obj;
	for (size_t r = 1; r < m->v.shnum; r++) {
		GElf_Shdr sh;
		Elf_Data *d = sec_data(m, r, &sh);
		if (sh.sh_type != SHT_REL || sh.sh_info != m->maps_shndx)
			continue;
		if (!d || sh.sh_link != m->v.symtab || sh.sh_entsize != sizeof(Elf64_Rel))
			return fail(m, "section %s: malformed relocations of .maps", secname(m, r));
		size_t nrel = sh.sh_size / sizeof(Elf64_Rel);
		for (size_t k = 0; k < nrel; k++) {
			GElf_Rel rel;
			if (!gelf_getrel(d, (int)k, &rel))
				return fail(m, "section %s: relocation %zu unreadable", secname(m, r), k);
			uint32_t type = (uint32_t)GELF_R_TYPE(rel.r_info);
			size_t si = GELF_R_SYM(rel.r_info);
			long i = -1;
			for (size_t j = 0; j < obj->nmaps && i < 0; j++)
				if (m->ents[j].shndx == m->maps_shndx && m->ents[j].off <= rel.r_offset &&
				    rel.r_offset - m->ents[j].off < m->ents[j].size)
					i = (long)j;
			if (type == 0)
				continue;
			if (i < 0)
				return fail(m,
				            "section .maps: relocation at offset %llu is outside every "
				            "map definition",
				            (unsigned long long)rel.r_offset);
			struct ment *e = &m->ents[i];
			struct b2n_map_def *md = &obj->maps[i];
			uint64_t rel_off = rel.r_offset - e->off;
			if (type != R_BPF_64_ABS64 && type != R_BPF_DATA_64) {
				set_err(m, (size_t)i, xfmt("relocation type %u in its definition (only "
				                           "R_BPF_64_ABS64 `values` are supported)",
				                           type));
				continue;
			}
			if (!e->has_values || rel_off < e->values_off ||
			    (rel_off - e->values_off) % 8) {
				set_err(m, (size_t)i, xfmt("relocation at offset %llu of the definition, "
				                           "which is not a `values` slot",
				                           (unsigned long long)rel_off));
				continue;
			}
			if (si == 0 || si >= m->v.nsyms) {
				set_err(m, (size_t)i, xfmt("`values` relocation to symbol %zu of %zu", si,
				                           m->v.nsyms));
				continue;
			}
			const struct b2n_elf_sym *s = &m->v.syms[si];
			const char *target = NULL;
			if (md->type == MT_PROG_ARRAY) {
				if (s->type == STT_FUNC && s->shndx != SHN_UNDEF)
					target = s->name;
			} else {
				long t = s->shndx == m->maps_shndx ? map_at(m, s->shndx, s->value) : -1;
				if (t >= 0)
					target = obj->maps[t].name;
			}
			if (!target) {
				set_err(m, (size_t)i,
				        xfmt("`values` slot %llu refers to `%s`, which is not a %s",
				             (unsigned long long)((rel_off - e->values_off) / 8),
				             *s->name ? s->name : secname(m, s->shndx),
				             md->type == MT_PROG_ARRAY ? "program" : "map of .maps"));
				continue;
			}
			md->init_slots =
				realloc(md->init_slots, (md->ninit_slots + 1) * sizeof(*md->init_slots));
			if (!md->init_slots)
				abort();
			md->init_slots[md->ninit_slots].slot = (uint32_t)((rel_off - e->values_off) / 8);
			md->init_slots[md->ninit_slots].target = b2n_strdup(target);
			md->ninit_slots++;
		}
	}
	return 0;
}

/* ---- legacy "maps" section ----------------------------------------------- */

static int read_legacy(struct b2n_elf_maps *m)
{
	GElf_Shdr sh;
	Elf_Data *d = sec_data(m, m->legacy_shndx, &sh);
	size_t nmaps = 0;
	if (!d || sh.sh_type != SHT_PROGBITS)
		return fail(m, "section maps: unreadable legacy map definitions");
	for (size_t k = 0; k < m->v.nsyms; k++) {
		const struct b2n_elf_sym *s = &m->v.syms[k];
		if (s->shndx == m->legacy_shndx && s->type != STT_SECTION && *s->name)
			nmaps++;
	}
	if (!nmaps)
		return sh.sh_size ? fail(m, "section maps: no symbol names its map definitions")
		                  : 0;
	if (sh.sh_size % nmaps)
		return fail(m, "section maps: %llu bytes do not divide into %zu definitions",
		            (unsigned long long)sh.sh_size, nmaps);
	size_t dsz = sh.sh_size / nmaps;
	if (dsz < 4)
		return fail(m, "section maps: %zu-byte definitions are too small", dsz);
	for (size_t k = 0; k < m->v.nsyms; k++) {
		const struct b2n_elf_sym *s = &m->v.syms[k];
		if (s->shndx != m->legacy_shndx || s->type == STT_SECTION || !*s->name)
			continue;
		if (s->value % 4 || s->value > sh.sh_size - dsz)
			return fail(m, "section maps: map %s at offset %llu overruns the section",
			            s->name, (unsigned long long)s->value);
		const unsigned char *p = (const unsigned char *)d->d_buf + s->value;
		size_t i = add_map(m, s->name);
		struct b2n_map_def *md = &m->v.obj->maps[i];
		uint32_t *f[5] = {&md->type, &md->key_size, &md->value_size, &md->max_entries,
		                  &md->map_flags};
		for (size_t j = 0; j < 5 && 4 * j + 4 <= dsz; j++)
			*f[j] = rd32(p + 4 * j, m->v.be);
		for (size_t j = 20; j < dsz; j++)
			if (p[j]) {
				set_err(m, i, xfmt("byte %zu of the %zu-byte legacy definition is not "
				                   "zero (only struct bpf_map_def is understood)",
				                   j, dsz));
				break;
			}
		md->flags = B2N_MAPF_LEGACY;
		m->ents[i].shndx = m->legacy_shndx;
		m->ents[i].off = s->value;
		m->ents[i].size = dsz;
	}
	return 0;
}

/* ---- global data, license, BTF ------------------------------------------- */

static int prefixed(const char *n, const char *p)
{
	size_t l = strlen(p);
	return !strcmp(n, p) || (!strncmp(n, p, l) && n[l] == '.');
}

static void read_data(struct b2n_elf_maps *m, size_t shndx, const char *name, const GElf_Shdr *sh,
                      Elf_Data *d)
{
	uint32_t flags;
	if (sh->sh_type == SHT_NOBITS && prefixed(name, ".bss"))
		flags = B2N_MAPF_DATA | B2N_MAPF_BSS;
	else if (sh->sh_type == SHT_PROGBITS && prefixed(name, ".rodata"))
		flags = B2N_MAPF_DATA | B2N_MAPF_RODATA;
	else if (sh->sh_type == SHT_PROGBITS && prefixed(name, ".data"))
		flags = B2N_MAPF_DATA;
	else
		return;
	if (!sh->sh_size)
		return;
	size_t i = add_map(m, name);
	struct b2n_map_def *md = &m->v.obj->maps[i];
	md->type = MT_ARRAY;
	md->key_size = 4;
	md->value_size = (uint32_t)sh->sh_size;
	md->max_entries = 1;
	/* as libbpf creates them: mmapable, read-only for programs (.rodata) */
	md->map_flags = F_MMAPABLE | (flags & B2N_MAPF_RODATA ? F_RDONLY_PROG : 0);
	md->flags = flags;
	if (sh->sh_size > 0x7fffffffU)
		set_err(m, i, xfmt("section %s of %llu bytes is too big", name,
		                   (unsigned long long)sh->sh_size));
	if (!(flags & B2N_MAPF_BSS) && d && d->d_buf) {
		md->init_data = b2n_xcalloc(d->d_size, 1);
		memcpy(md->init_data, d->d_buf, d->d_size);
		md->init_size = d->d_size;
	}
	m->data_idx[shndx] = (long)i;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void read_btf(struct b2n_elf_maps *m)
{
	GElf_Shdr sh;
	Elf_Data *d = sec_data(m, m->btf_shndx, &sh);
	if (!d || !d->d_buf || !d->d_size || sh.sh_type != SHT_PROGBITS)
		return;
	libbpf_print_fn_t old = libbpf_set_print(silent_print);
	m->btf = btf__new(d->d_buf, (__u32)d->d_size);
	libbpf_set_print(old);
	if (!m->btf)
		return;
	m->v.obj->btf = b2n_xcalloc(d->d_size, 1);
	memcpy(m->v.obj->btf, d->d_buf, d->d_size);
	m->v.obj->btf_size = d->d_size;
}

/* ---- .BTF.ext line info -------------------------------------------------- */

static int cmp_lrec(const void *a, const void *b)
{
	const struct lrec *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Header: u16 magic 0xeB9F, u8 version, u8 flags, u32 hdr_len, then
 * func_info_off/len, line_info_off/len (relative to the end of the header).
 * line_info: u32 rec_size, then per section {u32 sec_name_off, u32 n,
 * n records {u32 insn_off, u32 file_name_off, u32 line_off, u32 line_col}}.
 * Malformed line info is ignored: it only decorates diagnostics. */
static void read_lines(struct b2n_elf_maps *m)
{
	GElf_Shdr sh;
	Elf_Data *d = sec_data(m, m->btfext_shndx, &sh);
	if (!d || !d->d_buf || !m->btf || d->d_size < 24)
		return;
	const unsigned char *p = d->d_buf;
	size_t len = d->d_size;
	int be = m->v.be;
	if ((be ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0])) != 0xeB9F)
		return;
	uint32_t hdr = rd32(p + 4, be), loff = rd32(p + 16, be), llen = rd32(p + 20, be);
	if (hdr < 24 || hdr > len || loff > len - hdr || llen > len - hdr - loff || llen < 4)
		return;
	const unsigned char *q = p + hdr + loff, *end = q + llen;
	uint32_t rec = rd32(q, be);
	q += 4;
	if (rec < 16)
		return;
	while (end - q >= 8) {
		const char *sn = btf__name_by_offset(m->btf, rd32(q, be));
		uint32_t n = rd32(q + 4, be);
		q += 8;
		if ((uint64_t)n * rec > (uint64_t)(end - q))
			return;
		size_t shndx = 0;
		for (size_t s = 1; sn && s < m->v.shnum && !shndx; s++)
			if (!strcmp(secname(m, s), sn))
				shndx = s;
		for (uint32_t k = 0; k < n; k++, q += rec) {
			const char *file = btf__name_by_offset(m->btf, rd32(q + 4, be));
			uint32_t col = rd32(q + 12, be);
			if (!shndx || !file)
				continue;
			const char *base = strrchr(file, '/');
			m->lines = realloc(m->lines, (m->nlines + 1) * sizeof(*m->lines));
			if (!m->lines)
				abort();
			m->lines[m->nlines].shndx = shndx;
			m->lines[m->nlines].off = rd32(q, be);
			m->lines[m->nlines].text = xfmt("%s:%u", base ? base + 1 : file, col >> 10);
			m->nlines++;
		}
	}
	if (m->nlines)
		qsort(m->lines, m->nlines, sizeof(*m->lines), cmp_lrec);
}

const char *b2n_elf_maps__line(const struct b2n_elf_maps *m, size_t shndx, uint64_t insn_off)
{
	const char *best = NULL;
	if (!m)
		return NULL;
	/* the last record at or before insn_off in that section */
	size_t lo = 0, hi = m->nlines;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct lrec *r = &m->lines[mid];
		if (r->shndx < shndx || (r->shndx == shndx && r->off <= insn_off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && m->lines[lo - 1].shndx == shndx)
		best = m->lines[lo - 1].text;
	return best;
}

/* ---- entry points -------------------------------------------------------- */

int b2n_elf_maps__read(const struct b2n_elf_view *v, struct b2n_elf_maps **out)
{
	struct b2n_elf_maps *m = b2n_xcalloc(1, sizeof(*m));
	struct b2n_input *obj = v->obj;
	int err = 0;

	*out = m;
	m->v = *v;
	m->elf = (Elf *)v->elf;
	m->data_idx = b2n_xcalloc(v->shnum, sizeof(*m->data_idx));
	for (size_t s = 0; s < v->shnum; s++)
		m->data_idx[s] = -1;
	for (size_t s = 1; s < v->shnum; s++) {
		const char *n = secname(m, s);
		if (!strcmp(n, ".maps"))
			m->maps_shndx = s;
		else if (!strcmp(n, "maps"))
			m->legacy_shndx = s;
		else if (!strcmp(n, ".BTF"))
			m->btf_shndx = s;
		else if (!strcmp(n, ".BTF.ext"))
			m->btfext_shndx = s;
		else if (!strcmp(n, ".comment")) {
			GElf_Shdr sh;
			Elf_Data *d = sec_data(m, s, &sh);
			if (d && d->d_buf && sh.sh_type == SHT_PROGBITS &&
			    memmem(d->d_buf, d->d_size, "GCC: ", 5))
				m->gcc = 1;
		}
	}
	if (m->btf_shndx)
		read_btf(m);
	if (m->legacy_shndx && (err = read_legacy(m)))
		return err;
	if (m->maps_shndx) {
		if (!m->btf)
			m->maps_err = xfmt(m->btf_shndx ? "section .maps: the .BTF section is invalid"
			                                : "section .maps without BTF (compile with -g, "
			                                  "or -gbtf for gcc-bpf)");
		else if ((err = read_btf_maps(m)) || (err = read_values(m)))
			return err;
	}
	for (size_t s = 1; s < v->shnum; s++) {
		GElf_Shdr sh;
		Elf_Data *d = sec_data(m, s, &sh);
		const char *n = secname(m, s);
		if (!strcmp(n, "license") && sh.sh_type == SHT_PROGBITS && d && d->d_buf) {
			size_t l = strnlen(d->d_buf, d->d_size);
			free(obj->license);
			obj->license = b2n_xcalloc(l + 1, 1);
			memcpy(obj->license, d->d_buf, l);
			continue;
		}
		if ((sh.sh_flags & SHF_ALLOC) && !(sh.sh_flags & SHF_EXECINSTR) &&
		    (d || sh.sh_type == SHT_NOBITS))
			read_data(m, s, n, &sh, d);
	}
	/* definition errors, now that every inner map is known */
	for (size_t i = 0; i < obj->nmaps; i++)
		if (!m->ents[i].err && !(obj->maps[i].flags & B2N_MAPF_DATA))
			m->ents[i].err = check_def(obj, &obj->maps[i]);
	/* a template is reported through its outer map */
	for (size_t i = 0; i < obj->nmaps; i++) {
		int in = obj->maps[i].inner_map;
		if (in >= 0 && m->ents[in].err && !m->ents[i].err)
			m->ents[i].err = xfmt("inner map: %s", m->ents[in].err);
	}
	if (m->btfext_shndx)
		read_lines(m);
	return 0;
}

static int ref(struct b2n_elf_maps *m, size_t sym, int32_t imm, uint8_t *src, int32_t *idx,
               int32_t *off, char *why, size_t whylen)
{
	const struct b2n_elf_sym *s = &m->v.syms[sym];
	const char *name = *s->name ? s->name : secname(m, s->shndx);

	if (s->shndx == SHN_UNDEF) {
		snprintf(why, whylen, "reference to undefined symbol `%s` (externs are not supported)",
		         name);
		return -ENOENT;
	}
	if (s->shndx >= m->v.shnum) {
		snprintf(why, whylen, "reference to symbol `%s` outside every section", name);
		return -ENOENT;
	}
	if (s->shndx == m->maps_shndx || s->shndx == m->legacy_shndx) {
		if (s->shndx == m->maps_shndx && m->maps_err) {
			m->maps_err_used = 1;
			snprintf(why, whylen, "map `%s`: %s", name, m->maps_err);
			return -EINVAL;
		}
		uint64_t o = s->value + (s->type == STT_SECTION ? (uint64_t)(int64_t)imm : 0);
		long i = map_at(m, s->shndx, o);
		if (i < 0) {
			snprintf(why, whylen,
			         "reference to `%s` (offset %llu of section %s), which is no map", name,
			         (unsigned long long)o, secname(m, s->shndx));
			return -ENOENT;
		}
		if (m->ents[i].err) {
			m->ents[i].used = 1;
			snprintf(why, whylen, "map `%s` (section %s): %s", m->v.obj->maps[i].name,
			         secname(m, s->shndx), m->ents[i].err);
			return -EINVAL;
		}
		*src = B2N_PSEUDO_MAP_IDX;
		*idx = (int32_t)i;
		*off = 0;
		return 0;
	}
	long i = m->data_idx[s->shndx];
	if (i < 0) {
		snprintf(why, whylen,
		         "reference to `%s` in section %s, which holds neither maps nor global data",
		         name, secname(m, s->shndx));
		return -ENOENT;
	}
	/* gcc-bpf 12 (binutils before 2.39) writes the symbol's section
	 * offset plus the addend in imm even when it names the symbol */
	int64_t o = m->gcc && s->type != STT_SECTION ? imm : (int64_t)s->value + imm;
	if (m->ents[i].err) {
		m->ents[i].used = 1;
		snprintf(why, whylen, "%s", m->ents[i].err);
		return -EINVAL;
	}
	if (o < 0 || o >= (int64_t)m->v.obj->maps[i].value_size) {
		snprintf(why, whylen, "reference to `%s` %+lld, outside section %s (%u bytes)", name,
		         (long long)imm, secname(m, s->shndx), m->v.obj->maps[i].value_size);
		return -ERANGE;
	}
	*src = B2N_PSEUDO_MAP_IDX_VALUE;
	*idx = (int32_t)i;
	*off = (int32_t)o;
	return 0;
}

int b2n_elf_maps__ref(struct b2n_elf_maps *m, size_t sym, int32_t imm, uint8_t *src,
                      int32_t *idx, int32_t *off, char *why, size_t whylen)
{
	int err = ref(m, sym, imm, src, idx, off, why, whylen);
	if (err)
		clean(why);
	return err;
}

int b2n_elf_maps__finish(struct b2n_elf_maps *m)
{
	if (m->maps_err && !m->maps_err_used)
		return fail(m, "%s", m->maps_err);
	for (size_t i = 0; i < m->v.obj->nmaps; i++)
		if (m->ents[i].err && !m->ents[i].used &&
		    !(m->v.obj->maps[i].flags & B2N_MAPF_INNER_TEMPLATE)) {
			const struct b2n_map_def *d = &m->v.obj->maps[i];
			return fail(m, "map `%s` (section %s): %s", d->name,
			            m->ents[i].shndx ? secname(m, m->ents[i].shndx) : d->name,
			            m->ents[i].err);
		}
	return 0;
}

void b2n_elf_maps__free(struct b2n_elf_maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nents; i++)
		free(m->ents[i].err);
	for (size_t k = 0; k < m->nlines; k++)
		free(m->lines[k].text);
	free(m->lines);
	free(m->ents);
	free(m->maps_err);
	free(m->data_idx);
	btf__free(m->btf);
	free(m);
}
