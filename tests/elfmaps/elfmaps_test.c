/*
 * elfmaps_test.c - what the ELF frontend (frontend/elf.c, elf_maps.c) makes
 * of maps.bpf.c (clang, bpfel and bpfeb) and gcc_maps.bpf.c (gcc-bpf).
 *
 * Every object is opened with b2n_input__open and checked against a table
 * of expected maps (every field of struct b2n_map_def, the inner-map
 * templates and the initial `values` slots), against the ELF itself read
 * independently here with libelf (global-data sizes and initial bytes at
 * each variable's symbol, decoded in the object's byte order; the offset
 * of every global-data reference must land inside the variable the
 * program uses), and for the rewritten lddw forms: the map references of
 * use_maps are exactly the expected maps, every data reference of
 * use_data hits its variable, and the callbacks of use_loop are
 * B2N_PSEUDO_FUNC whose targets hold the callback's code.  License, BTF
 * and line info are checked too.
 *
 * usage: elfmaps_test OBJ...   (an object whose name contains "gcc" is the
 * gcc-bpf one).  Last line: "N passed, M failed".
 */
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

static int passed, failed;
static const char *cur;

#define CHECK(c, ...)                                                                              \
	do {                                                                                       \
		if (c)                                                                             \
			passed++;                                                                  \
		else {                                                                             \
			failed++;                                                                  \
			printf("FAIL %s: ", cur);                                                  \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* ---- the ELF, read independently ----------------------------------------- */

struct elf_view {
	Elf *e;
	int fd;
	int be;
	size_t shstrndx;
};

static int sym_lookup(struct elf_view *v, const char *name, char *sec, size_t seclen,
                      uint64_t *value, uint64_t *size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(v->e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				continue;
			const char *n = elf_strptr(v->e, sh.sh_link, s.st_name);
			if (!n || strcmp(n, name) || GELF_ST_TYPE(s.st_info) == STT_SECTION)
				continue;
			GElf_Shdr tsh;
			Elf_Scn *ts = elf_getscn(v->e, s.st_shndx);
			if (!ts || !gelf_getshdr(ts, &tsh))
				return -1;
			snprintf(sec, seclen, "%s", elf_strptr(v->e, v->shstrndx, tsh.sh_name));
			*value = s.st_value;
			*size = s.st_size;
			return 0;
		}
	}
	return -1;
}

/* Size and bytes of a section (bytes NULL for NOBITS). */
static int sec_lookup(struct elf_view *v, const char *name, uint64_t *size,
                      const unsigned char **bytes)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(v->e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *n = elf_strptr(v->e, v->shstrndx, sh.sh_name);
		if (!n || strcmp(n, name))
			continue;
		*size = sh.sh_size;
		*bytes = NULL;
		if (sh.sh_type != SHT_NOBITS) {
			Elf_Data *d = elf_getdata(scn, NULL);
			*bytes = d ? d->d_buf : NULL;
		}
		return 0;
	}
	return -1;
}

static uint64_t get_uint(const unsigned char *p, size_t n, int be)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* ---- expectations --------------------------------------------------------- */

struct slot_want {
	uint32_t slot;
	const char *target;
};

struct map_want {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags, flags;
	const char *inner; /* name of the inner template, or NULL */
	int spin_lock_off;
	struct slot_want slots[3];
	int gcc; /* 1: also in the gcc object; 2: only in the clang objects */
};

#define MF_DATA B2N_MAPF_DATA
static const struct map_want maps_want[] = {
	{"m_hash", 1, 4, 16, 16, 1, 0, NULL, 8, {{0, NULL}}, 1},
	{"m_array", 2, 4, 24, 4, 0, 0, NULL, -1, {{0, NULL}}, 1},
	{"m_pcpu_hash", 5, 8, 4, 8, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_pcpu_array", 6, 4, 8, 2, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_lru", 9, 4, 8, 32, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_lru_pcpu", 10, 4, 4, 32, 2, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_lpm", 11, 8, 4, 64, 1, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_queue", 22, 0, 4, 8, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_stack", 23, 0, 8, 4, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_rb", 27, 0, 0, 16384, 0, 0, NULL, -1, {{0, NULL}}, 2},
	{"m_inner_a", 2, 4, 4, 3, 0, 0, NULL, -1, {{0, NULL}}, 1},
	{"m_inner_b", 2, 4, 4, 3, 0, 0, NULL, -1, {{0, NULL}}, 1},
	{"m_aom", 12, 4, 4, 4, 0, 0, "m_aom.inner", -1, {{1, "m_inner_a"}, {3, "m_inner_b"}}, 1},
	{"m_aom.inner", 2, 4, 4, 3, 0, B2N_MAPF_INNER_TEMPLATE, NULL, -1, {{0, NULL}}, 1},
	{"m_hom", 13, 4, 4, 8, 0, 0, "m_hom.inner", -1, {{0, NULL}}, 2},
	{"m_hom.inner", 1, 8, 2, 5, 0, B2N_MAPF_INNER_TEMPLATE, NULL, -1, {{0, NULL}}, 2},
	{"m_progs", 3, 4, 4, 4, 0, 0, NULL, -1, {{2, "tail_target"}}, 2},
	{"m_legacy", 1, 4, 8, 16, 0, B2N_MAPF_LEGACY, NULL, -1, {{0, NULL}}, 2},
	/* global data: value_size and bytes come from the ELF */
	{".data", 2, 4, 0, 1, 1024, MF_DATA, NULL, -1, {{0, NULL}}, 1},
	{".rodata", 2, 4, 0, 1, 1024 | 128, MF_DATA | B2N_MAPF_RODATA, NULL, -1, {{0, NULL}}, 2},
	{".bss", 2, 4, 0, 1, 1024, MF_DATA | B2N_MAPF_BSS, NULL, -1, {{0, NULL}}, 1},
	{".data.custom", 2, 4, 0, 1, 1024, MF_DATA, NULL, -1, {{0, NULL}}, 1},
	{".rodata.custom", 2, 4, 0, 1, 1024 | 128, MF_DATA | B2N_MAPF_RODATA, NULL, -1, {{0, NULL}},
	 1},
	{".rodata.str1.1", 2, 4, 0, 1, 1024 | 128, MF_DATA | B2N_MAPF_RODATA, NULL, -1, {{0, NULL}},
	 2},
};
#define NWANT (sizeof(maps_want) / sizeof(maps_want[0]))

/* Variables: name, size, initial value (bss: 0). */
struct var_want {
	const char *name;
	unsigned size;
	uint64_t init;
};
static const struct var_want vars[] = {
	{"g_data", 8, 0x1122334455667788ULL}, {"g_pair", 4, 0xa1}, {"g_ro", 4, 10},
	{"g_bss", 8, 0},   {"s_bss_a", 8, 0}, {"s_bss_b", 8, 0},   {"s_data", 4, 0x5a5a},
	{"g_custom", 8, 99}, {"g_ro_custom", 4, 7},
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

static long map_index(const struct b2n_input *o, const char *name)
{
	for (size_t i = 0; i < o->nmaps; i++)
		if (!strcmp(o->maps[i].name, name))
			return (long)i;
	return -1;
}

static const struct b2n_prog *find_prog(const struct b2n_input *o, const char *name)
{
	for (size_t i = 0; i < o->nprogs; i++)
		if (!strcmp(o->progs[i].name, name))
			return &o->progs[i];
	return NULL;
}

static void check_maps(const struct b2n_input *o, struct elf_view *v, int gcc)
{
	size_t nexp = 0;
	for (size_t w = 0; w < NWANT; w++) {
		const struct map_want *mw = &maps_want[w];
		if (gcc && mw->gcc != 1)
			continue;
		nexp++;
		long i = map_index(o, mw->name);
		CHECK(i >= 0, "map %s missing", mw->name);
		if (i < 0)
			continue;
		const struct b2n_map_def *m = &o->maps[i];
		uint32_t vs = mw->value_size;
		uint64_t ssz = 0;
		const unsigned char *bytes = NULL;
		if (mw->flags & MF_DATA) {
			CHECK(!sec_lookup(v, mw->name, &ssz, &bytes), "section %s missing", mw->name);
			vs = (uint32_t)ssz;
		}
		CHECK(m->type == mw->type, "%s: type %u, want %u", mw->name, m->type, mw->type);
		CHECK(m->key_size == mw->key_size, "%s: key_size %u, want %u", mw->name, m->key_size,
		      mw->key_size);
		CHECK(m->value_size == vs, "%s: value_size %u, want %u", mw->name, m->value_size, vs);
		CHECK(m->max_entries == mw->max_entries, "%s: max_entries %u, want %u", mw->name,
		      m->max_entries, mw->max_entries);
		CHECK(m->map_flags == mw->map_flags, "%s: map_flags 0x%x, want 0x%x", mw->name,
		      m->map_flags, mw->map_flags);
		CHECK(m->flags == mw->flags, "%s: flags 0x%x, want 0x%x", mw->name, m->flags,
		      mw->flags);
		CHECK(m->spin_lock_off == mw->spin_lock_off, "%s: spin_lock_off %d, want %d",
		      mw->name, m->spin_lock_off, mw->spin_lock_off);
		if (mw->inner) {
			long in = map_index(o, mw->inner);
			CHECK(in >= 0 && m->inner_map == in, "%s: inner_map %d, want %ld (%s)",
			      mw->name, m->inner_map, in, mw->inner);
		} else {
			CHECK(m->inner_map == -1, "%s: inner_map %d, want -1", mw->name, m->inner_map);
		}
		size_t ns = 0;
		while (ns < 3 && mw->slots[ns].target)
			ns++;
		CHECK(m->ninit_slots == ns, "%s: %zu initial slots, want %zu", mw->name,
		      m->ninit_slots, ns);
		for (size_t k = 0; k < ns && k < m->ninit_slots; k++) {
			int found = 0;
			for (size_t j = 0; j < m->ninit_slots; j++)
				found |= m->init_slots[j].slot == mw->slots[k].slot &&
				         !strcmp(m->init_slots[j].target, mw->slots[k].target);
			CHECK(found, "%s: slot %u -> %s missing", mw->name, mw->slots[k].slot,
			      mw->slots[k].target);
		}
		if (mw->flags & B2N_MAPF_BSS) {
			CHECK(m->init_data == NULL, "%s: init_data of .bss", mw->name);
		} else if (mw->flags & MF_DATA) {
			CHECK(m->init_data && bytes && m->init_size == ssz &&
			          !memcmp(m->init_data, bytes, ssz),
			      "%s: init_data (%zu bytes) differs from the section (%llu bytes)", mw->name,
			      m->init_size, (unsigned long long)ssz);
		} else {
			CHECK(m->init_data == NULL && m->init_size == 0, "%s: init_data on a map",
			      mw->name);
		}
	}
	CHECK(o->nmaps == nexp, "%zu maps, want %zu", o->nmaps, nexp);

	/* initial values at each variable, in the object's byte order */
	for (size_t k = 0; k < NVARS; k++) {
		char sec[64];
		uint64_t val, size;
		if (sym_lookup(v, vars[k].name, sec, sizeof(sec), &val, &size)) {
			CHECK(0, "symbol %s missing from the ELF", vars[k].name);
			continue;
		}
		long i = map_index(o, sec);
		CHECK(i >= 0, "%s: no map for its section %s", vars[k].name, sec);
		if (i < 0)
			continue;
		const struct b2n_map_def *m = &o->maps[i];
		uint64_t got = 0;
		if (m->init_data && val + vars[k].size <= m->init_size)
			got = get_uint(m->init_data + val, vars[k].size, v->be);
		CHECK(got == vars[k].init, "%s: initial value 0x%llx, want 0x%llx", vars[k].name,
		      (unsigned long long)got, (unsigned long long)vars[k].init);
	}
	if (!gcc) {
		long i = map_index(o, ".rodata.str1.1");
		CHECK(i >= 0 && o->maps[i].init_data &&
		          memmem(o->maps[i].init_data, o->maps[i].init_size, "abcd", 5),
		      ".rodata.str1.1 does not hold \"abcd\"");
	}
}

static void check_use_maps(const struct b2n_input *o, int gcc)
{
	const struct b2n_prog *p = find_prog(o, "use_maps");
	CHECK(p != NULL, "program use_maps missing");
	if (!p)
		return;
	char seen[NWANT] = {0};
	for (size_t i = 0; i + 1 < p->ninsns; i++) {
		const struct b2n_insn *in = &p->insns[i];
		if (in->code != (B2N_CLS_LD | B2N_MODE_IMM | 0x18))
			continue;
		if (in->src == 0) { /* a constant (the lpm key) */
			i++;
			continue;
		}
		CHECK(in->src == B2N_PSEUDO_MAP_IDX, "use_maps insn %zu: lddw src %u", i, in->src);
		CHECK(in->imm >= 0 && (size_t)in->imm < o->nmaps, "use_maps insn %zu: map #%d", i,
		      in->imm);
		if (in->imm >= 0 && (size_t)in->imm < o->nmaps)
			for (size_t w = 0; w < NWANT; w++)
				if (!strcmp(maps_want[w].name, o->maps[in->imm].name))
					seen[w] = 1;
		i++;
	}
	for (size_t w = 0; w < NWANT; w++) {
		const struct map_want *mw = &maps_want[w];
		int want = (!gcc || mw->gcc == 1) && !(mw->flags & (MF_DATA | B2N_MAPF_INNER_TEMPLATE)) &&
		           strncmp(mw->name, "m_inner", 7);
		CHECK(seen[w] == want, "use_maps: map %s %s", mw->name,
		      want ? "not referenced" : "referenced");
	}
}

static void check_use_data(const struct b2n_input *o, struct elf_view *v)
{
	const struct b2n_prog *p = find_prog(o, "use_data");
	CHECK(p != NULL, "program use_data missing");
	if (!p)
		return;
	char hit[NVARS] = {0};
	size_t nref = 0;
	for (size_t i = 0; i + 1 < p->ninsns; i++) {
		const struct b2n_insn *in = &p->insns[i];
		if (in->code != (B2N_CLS_LD | B2N_MODE_IMM | 0x18))
			continue;
		nref++;
		CHECK(in->src == B2N_PSEUDO_MAP_IDX_VALUE, "use_data insn %zu: lddw src %u", i,
		      in->src);
		if (in->imm < 0 || (size_t)in->imm >= o->nmaps) {
			CHECK(0, "use_data insn %zu: map #%d", i, in->imm);
			i++;
			continue;
		}
		const char *mn = o->maps[in->imm].name;
		uint32_t off = (uint32_t)p->insns[i + 1].imm;
		int inside = 0;
		for (size_t k = 0; k < NVARS; k++) {
			char sec[64];
			uint64_t val, size;
			if (sym_lookup(v, vars[k].name, sec, sizeof(sec), &val, &size))
				continue;
			if (!strcmp(sec, mn) && off >= val && off < val + size) {
				hit[k] = 1;
				inside = 1;
			}
		}
		CHECK(inside, "use_data insn %zu: %s+%u is no variable of use_data", i, mn, off);
		i++;
	}
	for (size_t k = 0; k < NVARS; k++)
		CHECK(hit[k], "use_data: no reference to %s", vars[k].name);
	CHECK(nref >= NVARS, "use_data: %zu data references", nref);
}

/* Callbacks: lddw src=PSEUDO_FUNC whose target holds the callback's code
 * (compared with the ELF function, except calls and lddw). */
static void check_use_loop(const struct b2n_input *o, struct elf_view *v, int gcc)
{
	const struct b2n_prog *p = find_prog(o, "use_loop");
	CHECK(p != NULL, "program use_loop missing");
	if (!p)
		return;
	const char *cbs[2] = {"cb_static", "cb_global"};
	size_t ncb = gcc ? 1 : 2, nfunc = 0;
	char matched[2] = {0};
	for (size_t i = 0; i + 1 < p->ninsns; i++) {
		const struct b2n_insn *in = &p->insns[i];
		if (in->code != (B2N_CLS_LD | B2N_MODE_IMM | 0x18))
			continue;
		if (in->src != B2N_PSEUDO_FUNC) {
			i++;
			continue;
		}
		nfunc++;
		long t = (long)i + 1 + in->imm;
		int is_func = 0;
		for (size_t k = 1; k < p->nfuncs; k++)
			is_func |= (long)p->funcs[k].start == t;
		CHECK(t > 0 && (size_t)t < p->ninsns && is_func,
		      "use_loop insn %zu: callback target %ld is no function", i, t);
		for (size_t c = 0; c < ncb && t > 0 && (size_t)t < p->ninsns; c++) {
			char sec[64];
			uint64_t val, size, ssz;
			const unsigned char *text;
			if (sym_lookup(v, cbs[c], sec, sizeof(sec), &val, &size) ||
			    sec_lookup(v, sec, &ssz, &text) || !text)
				continue;
			int same = (size_t)t + size / 8 <= p->ninsns;
			for (size_t k = 0; same && k < size / 8; k++) {
				struct b2n_insn e = b2n_insn_decode(text + val + 8 * k, v->be);
				const struct b2n_insn *g = &p->insns[t + (long)k];
				if (e.code == 0x85 || e.code == 0x18 || e.code == 0)
					continue;
				same = e.code == g->code && e.dst == g->dst && e.src == g->src &&
				       e.off == g->off && e.imm == g->imm;
			}
			matched[c] |= same;
		}
		i++;
	}
	CHECK(nfunc == ncb, "use_loop: %zu function references, want %zu", nfunc, ncb);
	for (size_t c = 0; c < ncb; c++)
		CHECK(matched[c], "use_loop: no callback target holds the code of %s", cbs[c]);
}

static void check_object(const char *path)
{
	struct b2n_input *o = NULL;
	int gcc = strstr(path, "gcc") != NULL;
	cur = path;
	/* gcc-bpf's objects compute !!ptr with a bitwise operation on the
	 * pointer, which the kernel (and the safety pass) refuses: this test
	 * is about reading objects, so it opens them as trusted code */
	struct b2n_open_opts oo = {.sz = sizeof(oo), .unsafe = 1};
	int err = b2n_input__open(path, &oo, &o);
	CHECK(err == 0, "b2n_input__open: %d", err);
	if (err)
		return;
	struct elf_view v = {0};
	FILE *f = fopen(path, "rb");
	static unsigned char img[1 << 20];
	size_t len = f ? fread(img, 1, sizeof(img), f) : 0;
	if (f)
		fclose(f);
	v.e = elf_memory((char *)img, len);
	if (!v.e || elf_getshdrstrndx(v.e, &v.shstrndx)) {
		CHECK(0, "libelf cannot read the object");
		b2n_input__free(o);
		return;
	}
	v.be = img[EI_DATA] == ELFDATA2MSB;
	CHECK(o->big_endian == v.be, "big_endian %d, want %d", o->big_endian, v.be);

	CHECK(o->license && !strcmp(o->license, "GPL"), "license %s",
	      o->license ? o->license : "NULL");
	uint64_t bsz;
	const unsigned char *bb;
	CHECK(!sec_lookup(&v, ".BTF", &bsz, &bb) && o->btf && o->btf_size == bsz &&
	          !memcmp(o->btf, bb, bsz),
	      "btf is not a copy of .BTF (%zu bytes)", o->btf_size);

	check_maps(o, &v, gcc);
	check_use_maps(o, gcc);
	check_use_data(o, &v);
	check_use_loop(o, &v, gcc);
	CHECK(find_prog(o, "tail_target") != NULL || gcc, "program tail_target missing");

	/* .BTF.ext line info (clang -g): every program's entry has a line */
	if (!gcc)
		for (size_t i = 0; i < o->nprogs; i++) {
			const struct b2n_prog *p = &o->progs[i];
			CHECK(p->lines && p->lines[0] && !strncmp(p->lines[0], "maps.bpf.c:", 11),
			      "%s: line of insn 0: %s", p->name,
			      p->lines && p->lines[0] ? p->lines[0] : "NULL");
		}
	elf_end(v.e);
	b2n_input__free(o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: elfmaps_test OBJ...\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	for (int a = 1; a < argc; a++) {
		int f0 = failed, p0 = passed;
		check_object(argv[a]);
		printf("%s: %d checks passed, %d failed\n", argv[a], passed - p0, failed - f0);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
