/*
 * elf.c - read BPF ELF relocatable objects (clang -target bpf, gcc-bpf).
 *
 * Approach: the image is copied and opened with libelf (elf_memory); every
 * section header, symbol and relocation is read through the gelf_* API and
 * validated against the sizes it claims before use, so that a corrupt file
 * ends in one "not a valid BPF ELF object: <reason>" line, never a crash.
 *
 * Each executable section is decoded once into normalised instructions
 * (b2n_insn_decode with the object's byte order), together with its sorted
 * function symbols and a per-instruction relocation slot.  Programs are the
 * global STT_FUNC symbols of every executable section but ".text" (or the
 * whole section when it has no function symbol); static functions and all of
 * ".text" are subprograms.  So are ".text.*" sections (-ffunction-sections,
 * gcc's .text.unlikely): they hold what would otherwise be in ".text".
 *
 * A program is then built as its own instruction array out of "units": its
 * own range first, then, breadth first, the function (by symbol range) that
 * holds each local-call target it reaches, wherever that lives (.text,
 * another program section, its own section).  A call target is, in section
 * coordinates: the relative imm (i + imm + 1) without relocation; with an
 * R_BPF_64_32 relocation against a section symbol, st_value/8 + imm + 1
 * (clang and gcc-bpf both encode "target - 1" relative to the section); and
 * against a function symbol, st_value/8 (clang writes imm = -1, gcc-bpf 12
 * writes garbage there, so imm is ignored).  Finally every local call imm is
 * rewritten relative to the combined array, and jumps are checked not to
 * leave their unit (a jump out would otherwise land in unrelated code).
 *
 * Map and data references (R_BPF_64_64 on lddw) are refused for now with a
 * diagnostic naming program, instruction and symbol; relocations of
 * non-code sections are ignored.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_NONE
#define R_BPF_NONE 0
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif

#define INSN_SZ 8
#define CALL_CODE (B2N_CLS_JMP | 0x80)
#define LDDW_CODE (B2N_CLS_LD | B2N_MODE_IMM | 0x18)

/* One symbol, decoded and validated (shared with elf_maps.c). */
#define esym b2n_elf_sym

/* A function symbol inside an executable section, in instructions. */
struct efunc {
	size_t start, end;
	size_t sym;
};

/* Relocation attached to one instruction of an executable section. */
struct erel {
	int set;
	uint32_t type;
	size_t sym;
};

/* An executable section. */
struct esec {
	size_t shndx;
	const char *name;
	int is_text;
	size_t n;
	struct b2n_insn *insns;
	struct erel *rel;
	struct efunc *funcs;
	size_t nfuncs;
};

/* A piece of code placed in a program's array. */
struct unit {
	size_t sec; /* index into rd.secs */
	size_t start, end;
	size_t base;
};

struct rd {
	struct b2n_input *obj;
	Elf *elf;
	unsigned char *image;
	size_t len;
	int be;
	size_t shnum, shstrndx;
	size_t symtab; /* section index of .symtab, 0 if none */
	struct esym *syms;
	size_t nsyms;
	struct esec *secs;
	size_t nsecs;
	size_t code_insns; /* instructions of all executable sections */
	long *secmap;      /* ELF section index -> index into secs, or -1 */
	struct b2n_elf_maps *maps; /* elf_maps.c: maps, data, line info */
};

__attribute__((format(printf, 2, 3))) static int bad(struct rd *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b2n_err(r->obj->path, "not a valid BPF ELF object: %s", msg);
	return -EINVAL;
}

static int bad_elf(struct rd *r, const char *what)
{
	int e = elf_errno();
	return bad(r, "%s: %s", what, e ? elf_errmsg(e) : "libelf cannot read it");
}

/* Names end up in one-line diagnostics and in program names: refuse
 * control characters, which no compiler emits. */
static int name_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static const char *sec_name(struct rd *r, size_t shndx)
{
	if (shndx < r->shnum && r->secmap[shndx] >= 0)
		return r->secs[r->secmap[shndx]].name;
	Elf_Scn *scn = elf_getscn(r->elf, shndx);
	GElf_Shdr sh;
	const char *s = NULL;
	if (scn && gelf_getshdr(scn, &sh))
		s = elf_strptr(r->elf, r->shstrndx, sh.sh_name);
	return s ? s : "?";
}

/* Name of a symbol for messages: section symbols are named after their
 * section. */
static const char *sym_name(struct rd *r, size_t i)
{
	const struct esym *s = &r->syms[i];
	if (s->type == STT_SECTION || !*s->name)
		return sec_name(r, s->shndx);
	return s->name;
}

/* ---- sections ----------------------------------------------------------- */

static int read_exec_section(struct rd *r, Elf_Scn *scn, size_t shndx, const GElf_Shdr *sh,
                             const char *name)
{
	if (sh->sh_type != SHT_PROGBITS)
		return bad(r, "executable section %s has type %u, not PROGBITS", name,
		           (unsigned)sh->sh_type);
	if (sh->sh_size % INSN_SZ)
		return bad(r, "executable section %s is %llu bytes, not a multiple of 8", name,
		           (unsigned long long)sh->sh_size);
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d && sh->sh_size)
		return bad_elf(r, name);
	if (sh->sh_size && (!d->d_buf || d->d_size != sh->sh_size))
		return bad(r, "section %s: data size %zu does not match header size %llu", name,
		           d->d_size, (unsigned long long)sh->sh_size);
	struct esec *s = &r->secs[r->nsecs];
	s->shndx = shndx;
	s->name = name;
	s->is_text = strcmp(name, ".text") == 0 || strncmp(name, ".text.", 6) == 0;
	s->n = sh->sh_size / INSN_SZ;
	s->insns = b2n_xcalloc(s->n, sizeof(*s->insns));
	s->rel = b2n_xcalloc(s->n, sizeof(*s->rel));
	for (size_t i = 0; i < s->n; i++)
		s->insns[i] = b2n_insn_decode((const unsigned char *)d->d_buf + i * INSN_SZ, r->be);
	r->code_insns += s->n;
	r->secmap[shndx] = (long)r->nsecs++;
	return 0;
}

static int read_sections(struct rd *r)
{
	if (elf_getshdrnum(r->elf, &r->shnum))
		return bad_elf(r, "section headers");
	if (elf_getshdrstrndx(r->elf, &r->shstrndx))
		return bad_elf(r, "section name table");
	if (r->shnum == 0)
		return bad(r, "no section headers");
	if (r->shstrndx >= r->shnum)
		return bad(r, "section name table index %zu out of range", r->shstrndx);
	r->secmap = b2n_xcalloc(r->shnum, sizeof(*r->secmap));
	r->secs = b2n_xcalloc(r->shnum, sizeof(*r->secs));
	for (size_t i = 0; i < r->shnum; i++)
		r->secmap[i] = -1;
	for (size_t i = 1; i < r->shnum; i++) {
		Elf_Scn *scn = elf_getscn(r->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return bad(r, "section %zu: unreadable header: %s", i, elf_errmsg(-1));
		const char *name = elf_strptr(r->elf, r->shstrndx, sh.sh_name);
		if (!name)
			return bad(r, "section %zu: name offset %u out of range", i,
			           (unsigned)sh.sh_name);
		if (!name_ok(name))
			return bad(r, "section %zu: name contains control characters", i);
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    (sh.sh_offset > r->len || sh.sh_size > r->len - sh.sh_offset))
			return bad(r,
			           "section %s: data [%llu, +%llu) lies outside the %zu-byte file",
			           name, (unsigned long long)sh.sh_offset,
			           (unsigned long long)sh.sh_size, r->len);
		if (sh.sh_type == SHT_SYMTAB) {
			if (r->symtab)
				return bad(r, "more than one symbol table");
			r->symtab = i;
		}
		if (sh.sh_flags & SHF_EXECINSTR) {
			int err = read_exec_section(r, scn, i, &sh, name);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- symbols ------------------------------------------------------------ */

static int cmp_func(const void *a, const void *b)
{
	const struct efunc *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->sym < y->sym ? -1 : x->sym > y->sym;
}

static int read_symbols(struct rd *r)
{
	if (!r->symtab)
		return 0;
	Elf_Scn *scn = elf_getscn(r->elf, r->symtab);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh))
		return bad_elf(r, "symbol table");
	if (sh.sh_entsize != sizeof(Elf64_Sym))
		return bad(r, "symbol table entry size %llu, expected %zu",
		           (unsigned long long)sh.sh_entsize, sizeof(Elf64_Sym));
	if (sh.sh_size % sizeof(Elf64_Sym))
		return bad(r, "symbol table size %llu is not a multiple of %zu",
		           (unsigned long long)sh.sh_size, sizeof(Elf64_Sym));
	if (sh.sh_link == 0 || sh.sh_link >= r->shnum)
		return bad(r, "symbol table links to string table %u, out of range",
		           (unsigned)sh.sh_link);
	Elf_Scn *strscn = elf_getscn(r->elf, sh.sh_link);
	GElf_Shdr strsh;
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return bad(r, "symbol string table (section %u) is not a string table",
		           (unsigned)sh.sh_link);
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d)
		return bad_elf(r, "symbol table data");
	if (d->d_size != sh.sh_size)
		return bad(r, "symbol table data size %zu does not match header size %llu",
		           d->d_size, (unsigned long long)sh.sh_size);

	/* Extended section indexes, when present. */
	Elf_Data *xd = NULL;
	for (size_t i = 1; i < r->shnum; i++) {
		Elf_Scn *xs = elf_getscn(r->elf, i);
		GElf_Shdr xsh;
		if (xs && gelf_getshdr(xs, &xsh) && xsh.sh_type == SHT_SYMTAB_SHNDX &&
		    xsh.sh_link == r->symtab) {
			xd = elf_getdata(xs, NULL);
			if (!xd)
				return bad_elf(r, "extended section index table");
		}
	}

	r->nsyms = sh.sh_size / sizeof(Elf64_Sym);
	r->syms = b2n_xcalloc(r->nsyms, sizeof(*r->syms));
	for (size_t i = 0; i < r->nsyms; i++) {
		GElf_Sym s;
		Elf32_Word xndx = 0;
		struct esym *e = &r->syms[i];
		if (!gelf_getsymshndx(d, xd, (int)i, &s, &xndx))
			return bad(r, "symbol %zu: unreadable: %s", i, elf_errmsg(-1));
		e->name = elf_strptr(r->elf, sh.sh_link, s.st_name);
		if (!e->name)
			return bad(r, "symbol %zu: name offset %u out of range", i,
			           (unsigned)s.st_name);
		if (!name_ok(e->name))
			return bad(r, "symbol %zu: name contains control characters", i);
		e->type = GELF_ST_TYPE(s.st_info);
		e->bind = GELF_ST_BIND(s.st_info);
		e->shndx = s.st_shndx == SHN_XINDEX ? xndx : s.st_shndx;
		if (s.st_shndx == SHN_XINDEX && !xd)
			return bad(r, "symbol %s: extended section index without SHT_SYMTAB_SHNDX",
			           e->name);
		e->value = s.st_value;
		e->size = s.st_size;
		if (e->shndx != SHN_UNDEF && e->shndx < SHN_LORESERVE && e->shndx >= r->shnum)
			return bad(r, "symbol %s: section index %zu out of range", e->name,
			           e->shndx);
	}

	/* Function symbols of the executable sections. */
	for (size_t i = 0; i < r->nsyms; i++) {
		struct esym *e = &r->syms[i];
		if (e->type != STT_FUNC)
			continue;
		if (e->shndx >= r->shnum || r->secmap[e->shndx] < 0)
			continue; /* undefined (extern) or not in code */
		struct esec *s = &r->secs[r->secmap[e->shndx]];
		if (e->value % INSN_SZ || e->value / INSN_SZ >= s->n)
			return bad(r, "function %s: offset %llu outside section %s (%zu bytes)",
			           e->name, (unsigned long long)e->value, s->name, s->n * INSN_SZ);
		if (e->size % INSN_SZ || e->size > (uint64_t)s->n * INSN_SZ - e->value)
			return bad(r, "function %s: size %llu at offset %llu overruns section %s",
			           e->name, (unsigned long long)e->size,
			           (unsigned long long)e->value, s->name);
		if (!*e->name)
			return bad(r, "function symbol %zu in section %s has no name", i, s->name);
		s->funcs = realloc(s->funcs, (s->nfuncs + 1) * sizeof(*s->funcs));
		if (!s->funcs)
			abort();
		s->funcs[s->nfuncs].start = e->value / INSN_SZ;
		s->funcs[s->nfuncs].end = (e->value + e->size) / INSN_SZ;
		s->funcs[s->nfuncs].sym = i;
		s->nfuncs++;
	}
	/* A function without size runs to the next function or the end. */
	for (size_t k = 0; k < r->nsecs; k++) {
		struct esec *s = &r->secs[k];
		if (!s->nfuncs)
			continue;
		qsort(s->funcs, s->nfuncs, sizeof(*s->funcs), cmp_func);
		for (size_t j = 0; j < s->nfuncs; j++) {
			if (s->funcs[j].end > s->funcs[j].start)
				continue;
			s->funcs[j].end = s->n;
			for (size_t m = j + 1; m < s->nfuncs; m++)
				if (s->funcs[m].start > s->funcs[j].start) {
					s->funcs[j].end = s->funcs[m].start;
					break;
				}
		}
	}
	return 0;
}

/* ---- relocations -------------------------------------------------------- */

static int read_relocs(struct rd *r)
{
	for (size_t i = 1; i < r->shnum; i++) {
		Elf_Scn *scn = elf_getscn(r->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return bad_elf(r, "section header");
		if (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA)
			continue;
		if (sh.sh_info >= r->shnum || r->secmap[sh.sh_info] < 0)
			continue; /* relocations of data/BTF sections: not yet */
		const char *name = sec_name(r, i);
		struct esec *s = &r->secs[r->secmap[sh.sh_info]];
		if (sh.sh_type == SHT_RELA)
			return bad(r, "%s: RELA relocations of code are not supported", name);
		if (!r->symtab || sh.sh_link != r->symtab)
			return bad(r, "%s: relocations refer to section %u, not the symbol table",
			           name, (unsigned)sh.sh_link);
		if (sh.sh_entsize != sizeof(Elf64_Rel) || sh.sh_size % sizeof(Elf64_Rel))
			return bad(r, "%s: bad relocation entry size %llu (section size %llu)",
			           name, (unsigned long long)sh.sh_entsize,
			           (unsigned long long)sh.sh_size);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			return bad_elf(r, name);
		if (d->d_size != sh.sh_size)
			return bad(r, "%s: data size %zu does not match header size %llu", name,
			           d->d_size, (unsigned long long)sh.sh_size);
		size_t nrel = sh.sh_size / sizeof(Elf64_Rel);
		for (size_t k = 0; k < nrel; k++) {
			GElf_Rel rel;
			if (!gelf_getrel(d, (int)k, &rel))
				return bad(r, "%s: relocation %zu unreadable: %s", name, k,
				           elf_errmsg(-1));
			uint32_t type = (uint32_t)GELF_R_TYPE(rel.r_info);
			size_t sym = GELF_R_SYM(rel.r_info);
			if (type == R_BPF_NONE)
				continue;
			if (rel.r_offset % INSN_SZ || rel.r_offset / INSN_SZ >= s->n)
				return bad(r,
				           "%s: relocation %zu at offset %llu outside section %s",
				           name, k, (unsigned long long)rel.r_offset, s->name);
			if (sym == 0 || sym >= r->nsyms)
				return bad(r, "%s: relocation %zu refers to symbol %zu of %zu",
				           name, k, sym, r->nsyms);
			size_t idx = rel.r_offset / INSN_SZ;
			const struct b2n_insn *in = &s->insns[idx];
			if (s->rel[idx].set)
				return bad(r, "%s: two relocations at offset %llu", name,
				           (unsigned long long)rel.r_offset);
			if (type == R_BPF_64_32) {
				if (in->code != CALL_CODE)
					return bad(r,
					           "%s: R_BPF_64_32 relocation at insn %zu of %s, "
					           "which is not a call",
					           name, idx, s->name);
			} else if (type == R_BPF_64_64) {
				if (in->code != LDDW_CODE || idx + 1 >= s->n)
					return bad(r,
					           "%s: R_BPF_64_64 relocation at insn %zu of %s, "
					           "which is not an lddw",
					           name, idx, s->name);
			} else {
				return bad(r,
				           "%s: relocation type %u at insn %zu of %s (symbol %s) "
				           "is not supported in code",
				           name, type, idx, s->name, sym_name(r, sym));
			}
			s->rel[idx].set = 1;
			s->rel[idx].type = type;
			s->rel[idx].sym = sym;
		}
	}
	return 0;
}

/* ---- programs ----------------------------------------------------------- */

static void free_prog(struct b2n_prog *p)
{
	free(p->name);
	free(p->section);
	free(p->symbol);
	free(p->insns);
	if (p->lines)
		for (size_t k = 0; k < p->ninsns; k++)
			free(p->lines[k]);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

/* Where the local call at insn i of section s goes: section (index into
 * r->secs) and instruction.  Returns 0, or reports and returns -EINVAL. */
static int call_target(struct rd *r, const struct b2n_prog *p, size_t si, size_t i, size_t *tsec,
                       size_t *tidx)
{
	const struct esec *s = &r->secs[si];
	const struct b2n_insn *in = &s->insns[i];
	int64_t t;

	if (!s->rel[i].set) {
		*tsec = si;
		t = (int64_t)i + in->imm + 1;
		if (t < 0 || t >= (int64_t)s->n) {
			b2n_err(r->obj->path,
			        "program %s (%s): local call at insn %zu of section %s goes to "
			        "insn %lld, outside the section",
			        p->name, p->section, i, s->name, (long long)t);
			return -EINVAL;
		}
		*tidx = (size_t)t;
		return 0;
	}
	const struct esym *e = &r->syms[s->rel[i].sym];
	if (e->shndx >= r->shnum || r->secmap[e->shndx] < 0) {
		b2n_err(r->obj->path,
		        "program %s (%s): call at insn %zu of section %s to %s `%s` is not "
		        "supported",
		        p->name, p->section, i, s->name,
		        e->shndx == SHN_UNDEF ? "undefined function" : "non-code symbol",
		        sym_name(r, s->rel[i].sym));
		return -ENOTSUP;
	}
	*tsec = (size_t)r->secmap[e->shndx];
	const struct esec *ts = &r->secs[*tsec];
	if (e->value % INSN_SZ) {
		bad(r, "call target %s at unaligned offset %llu", sym_name(r, s->rel[i].sym),
		    (unsigned long long)e->value);
		return -EINVAL;
	}
	t = (int64_t)(e->value / INSN_SZ);
	if (e->type == STT_SECTION)
		t += (int64_t)in->imm + 1;
	if (t < 0 || t >= (int64_t)ts->n) {
		bad(r, "call at insn %zu of %s resolves to insn %lld of %s, outside the section", i,
		    s->name, (long long)t, ts->name);
		return -EINVAL;
	}
	*tidx = (size_t)t;
	return 0;
}

/* The unit [start, end) of section si that holds instruction t: the function
 * symbol whose range contains it (the latest starting one), else the gap
 * between function symbols around it. */
static void unit_of(const struct esec *s, size_t t, size_t *start, size_t *end)
{
	size_t lo = 0, hi = s->n;
	long best = -1;
	for (size_t k = 0; k < s->nfuncs; k++) {
		const struct efunc *f = &s->funcs[k];
		if (f->start <= t && t < f->end)
			best = (long)k;
		if (f->end <= t && f->end > lo)
			lo = f->end;
		if (f->start > t && f->start < hi)
			hi = f->start;
	}
	if (best >= 0) {
		*start = s->funcs[best].start;
		*end = s->funcs[best].end;
	} else {
		*start = lo;
		*end = hi;
	}
}

static long find_unit(const struct unit *u, size_t nu, size_t sec, size_t t)
{
	for (size_t k = 0; k < nu; k++)
		if (u[k].sec == sec && u[k].start <= t && t < u[k].end)
			return (long)k;
	return -1;
}

/* An lddw relocated against code: the address of a callback (bpf_loop,
 * for_each_map_elem).  Target byte offset = st_value + imm (clang: the
 * section symbol and the offset in imm, or the function symbol and imm 0).
 * Returns 1 with the target, 0 if the symbol is not in code, or a negative
 * errno after a diagnostic. */
static int func_ref_target(struct rd *r, const struct b2n_prog *p, size_t si, size_t i,
                           size_t *tsec, size_t *tidx)
{
	const struct esec *s = &r->secs[si];
	const struct esym *e = &r->syms[s->rel[i].sym];
	if (e->shndx >= r->shnum || r->secmap[e->shndx] < 0)
		return 0;
	*tsec = (size_t)r->secmap[e->shndx];
	const struct esec *ts = &r->secs[*tsec];
	int64_t t = (int64_t)e->value + (e->type == STT_FUNC ? 0 : s->insns[i].imm);
	if (t < 0 || t % INSN_SZ || t / INSN_SZ >= (int64_t)ts->n) {
		b2n_err(r->obj->path,
		        "program %s (%s): function address at insn %zu of section %s refers to "
		        "byte %lld of %s, not an instruction",
		        p->name, p->section, i, s->name, (long long)t, ts->name);
		return -EINVAL;
	}
	*tidx = (size_t)(t / INSN_SZ);
	return 1;
}

/* Per-instruction "file.c:LINE" from .BTF.ext, when there is any. */
static void set_lines(struct rd *r, struct b2n_prog *p, const struct unit *u, size_t nu)
{
	for (size_t k = 0; k < nu; k++) {
		const struct esec *s = &r->secs[u[k].sec];
		for (size_t i = u[k].start; i < u[k].end; i++) {
			const char *l = b2n_elf_maps__line(r->maps, s->shndx, (uint64_t)i * INSN_SZ);
			if (!l)
				continue;
			if (!p->lines)
				p->lines = b2n_xcalloc(p->ninsns, sizeof(*p->lines));
			p->lines[u[k].base + (i - u[k].start)] = b2n_strdup(l);
		}
	}
}

static int build_prog(struct rd *r, struct b2n_prog *p, size_t si, size_t start, size_t end)
{
	size_t nu = 1, cap = 8, total = 0;
	struct unit *u = b2n_xcalloc(cap, sizeof(*u));
	int err = 0;

	u[0].sec = si;
	u[0].start = start;
	u[0].end = end;
	total = end - start;
	/* Breadth first over the reachable functions. */
	for (size_t k = 0; k < nu; k++) {
		const struct esec *s = &r->secs[u[k].sec];
		for (size_t i = u[k].start; i < u[k].end; i++) {
			const struct b2n_insn *in = &s->insns[i];
			size_t ts, t, us, ue;
			if (in->code == LDDW_CODE) {
				int fr = s->rel[i].set ? func_ref_target(r, p, u[k].sec, i, &ts, &t) : 0;
				i++;
				if (fr < 0) {
					err = fr;
					goto out;
				}
				if (fr)
					goto add_unit;
				continue;
			}
			if (in->code != CALL_CODE || in->src != B2N_CALL_LOCAL) {
				if (in->code == CALL_CODE && s->rel[i].set) {
					b2n_err(r->obj->path,
					        "program %s (%s): relocated call at insn %zu of "
					        "section %s has source %u, not a local call",
					        p->name, p->section, i, s->name, in->src);
					err = -EINVAL;
					goto out;
				}
				continue;
			}
			err = call_target(r, p, u[k].sec, i, &ts, &t);
			if (err)
				goto out;
		add_unit:
			if (find_unit(u, nu, ts, t) >= 0)
				continue;
			unit_of(&r->secs[ts], t, &us, &ue);
			if (nu == cap) {
				cap *= 2;
				u = realloc(u, cap * sizeof(*u));
				if (!u)
					abort();
			}
			u[nu].sec = ts;
			u[nu].start = us;
			u[nu].end = ue;
			nu++;
			/* Units are disjoint unless function symbols overlap:
			 * bound the copy by the object's code size. */
			total += ue - us;
			if (total > r->code_insns) {
				err = bad(r,
				          "program %s: overlapping function symbols (more than "
				          "the %zu instructions of the object reached)",
				          p->name, r->code_insns);
				goto out;
			}
		}
	}
	total = 0;
	for (size_t k = 0; k < nu; k++) {
		u[k].base = total;
		total += u[k].end - u[k].start;
	}
	p->insns = b2n_xcalloc(total, sizeof(*p->insns));
	p->ninsns = total;
	for (size_t k = 0; k < nu; k++)
		memcpy(p->insns + u[k].base, r->secs[u[k].sec].insns + u[k].start,
		       (u[k].end - u[k].start) * sizeof(*p->insns));

	set_lines(r, p, u, nu);

	/* Rewrite local calls and map/data/function references (lddw), keep
	 * jumps inside their function. */
	for (size_t k = 0; k < nu; k++) {
		const struct esec *s = &r->secs[u[k].sec];
		for (size_t i = u[k].start; i < u[k].end; i++) {
			const struct b2n_insn *in = &s->insns[i];
			size_t at = u[k].base + (i - u[k].start);
			struct b2n_form f;
			if (s->rel[i].set && s->rel[i].type == R_BPF_64_64) {
				size_t ts, t;
				if (i + 1 >= u[k].end) {
					b2n_diag(r->obj, p, at,
					         "relocated lddw crosses the end of its function");
					err = -EINVAL;
					goto out;
				}
				int fr = func_ref_target(r, p, u[k].sec, i, &ts, &t);
				if (fr < 0) {
					err = fr;
					goto out;
				}
				if (fr) {
					long tk = find_unit(u, nu, ts, t);
					if (tk < 0)
						abort(); /* added by the first pass */
					int64_t dest = (int64_t)(u[tk].base + (t - u[tk].start));
					p->insns[at].src = B2N_PSEUDO_FUNC;
					p->insns[at].imm = (int32_t)(dest - (int64_t)at - 1);
					p->insns[at + 1].imm = 0;
				} else {
					char why[640];
					uint8_t src;
					int32_t idx, off;
					err = b2n_elf_maps__ref(r->maps, s->rel[i].sym, in->imm, &src,
					                        &idx, &off, why, sizeof(why));
					if (err) {
						b2n_diag(r->obj, p, at, "%s", why);
						goto out;
					}
					p->insns[at].src = src;
					p->insns[at].imm = idx;
					p->insns[at + 1].imm = off;
				}
			}
			if (in->code == LDDW_CODE) {
				i++;
				continue;
			}
			if (b2n_isa_classify(in, &f))
				continue; /* b2n_prog__check reports it */
			if (f.family == B2N_F_CALL_LOCAL) {
				size_t ts, t;
				err = call_target(r, p, u[k].sec, i, &ts, &t);
				if (err)
					goto out;
				long tk = find_unit(u, nu, ts, t);
				if (tk < 0)
					abort(); /* added by the first pass */
				int64_t dest = (int64_t)(u[tk].base + (t - u[tk].start));
				p->insns[at].imm = (int32_t)(dest - (int64_t)at - 1);
			} else if (f.family == B2N_F_JA || f.family == B2N_F_JCC) {
				int64_t d = f.family == B2N_F_JA && !f.is64 ? in->imm : in->off;
				int64_t t = (int64_t)i + 1 + d;
				if (t < (int64_t)u[k].start || t >= (int64_t)u[k].end) {
					b2n_err(r->obj->path,
					        "program %s (%s): insn %zu: jump to insn %lld of "
					        "section %s leaves its function [%zu, %zu)",
					        p->name, p->section, at, (long long)t, s->name,
					        u[k].start, u[k].end);
					err = -EINVAL;
					goto out;
				}
			}
		}
	}
out:
	free(u);
	return err;
}

static int add_prog(struct rd *r, size_t si, const char *name, size_t start, size_t end)
{
	struct b2n_input *obj = r->obj;
	struct b2n_prog *p;
	char *san = b2n_sanitize(name);
	const char *oname = obj->name ? obj->name : "obj";
	size_t n = strlen(oname) + strlen(san) + 8;
	char *sym = b2n_xcalloc(n, 1);
	snprintf(sym, n, "b2n_%s__%s", oname, san);
	free(san);
	for (size_t k = 0; k < obj->nprogs; k++)
		if (!strcmp(obj->progs[k].symbol, sym)) {
			b2n_err(obj->path,
			        "programs %s (%s) and %s (%s) both map to the native symbol %s",
			        obj->progs[k].name, obj->progs[k].section, name, r->secs[si].name,
			        sym);
			free(sym);
			return -EINVAL;
		}
	struct b2n_prog *np = realloc(obj->progs, (obj->nprogs + 1) * sizeof(*np));
	if (!np)
		abort();
	obj->progs = np;
	p = &obj->progs[obj->nprogs++];
	memset(p, 0, sizeof(*p));
	p->name = b2n_strdup(name);
	p->section = b2n_strdup(r->secs[si].name);
	p->type = b2n_prog_type_of_section(p->section);
	p->symbol = sym;
	return build_prog(r, p, si, start, end);
}

static int collect_progs(struct rd *r)
{
	for (size_t si = 0; si < r->nsecs; si++) {
		const struct esec *s = &r->secs[si];
		if (s->is_text || s->n == 0)
			continue;
		if (s->nfuncs == 0) {
			int err = add_prog(r, si, s->name, 0, s->n);
			if (err)
				return err;
			continue;
		}
		for (size_t k = 0; k < s->nfuncs; k++) {
			const struct efunc *f = &s->funcs[k];
			const struct esym *e = &r->syms[f->sym];
			if (e->bind != STB_GLOBAL && e->bind != STB_WEAK)
				continue;
			int err = add_prog(r, si, e->name, f->start, f->end);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- entry -------------------------------------------------------------- */

static int check_header(struct rd *r, const unsigned char *buf, size_t len)
{
	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return bad(r, "no ELF header");
	if (buf[EI_CLASS] != ELFCLASS64) {
		bad(r, "ELF class %u, expected ELFCLASS64", buf[EI_CLASS]);
		return -ENOEXEC;
	}
	if (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB)
		return bad(r, "unknown ELF data encoding %u", buf[EI_DATA]);
	if (buf[EI_VERSION] != EV_CURRENT)
		return bad(r, "ELF identification version %u, expected EV_CURRENT (%u)",
		           buf[EI_VERSION], EV_CURRENT);
	if (len < sizeof(Elf64_Ehdr))
		return bad(r, "truncated ELF header (%zu bytes)", len);
	r->be = buf[EI_DATA] == ELFDATA2MSB;
	uint32_t ver;
	memcpy(&ver, buf + offsetof(Elf64_Ehdr, e_version), 4);
	if (r->be)
		ver = __builtin_bswap32(ver);
	if (ver != EV_CURRENT)
		return bad(r, "ELF version %u in e_version, expected EV_CURRENT (%u)", ver,
		           EV_CURRENT);
	return 0;
}

int b2n_elf__read(struct b2n_input *obj, const void *buf, size_t len)
{
	struct rd r;
	GElf_Ehdr eh;
	int err;

	memset(&r, 0, sizeof(r));
	r.obj = obj;
	r.len = len;
	err = check_header(&r, buf, len);
	if (err)
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bad_elf(&r, "libelf");
	/* libelf may convert in place: work on a private copy. */
	r.image = b2n_xcalloc(len, 1);
	memcpy(r.image, buf, len);
	r.elf = elf_memory((char *)r.image, len);
	if (!r.elf) {
		err = bad_elf(&r, "elf_memory");
		goto out;
	}
	if (elf_kind(r.elf) != ELF_K_ELF || !gelf_getehdr(r.elf, &eh)) {
		err = bad_elf(&r, "ELF header");
		goto out;
	}
	if (eh.e_machine != EM_BPF) {
		bad(&r, "ELF machine %u, expected EM_BPF (%u)", eh.e_machine, EM_BPF);
		err = -ENOEXEC;
		goto out;
	}
	if (eh.e_type != ET_REL) {
		err = bad(&r, "ELF type %u, expected a relocatable object (ET_REL)", eh.e_type);
		goto out;
	}
	obj->big_endian = r.be;
	err = read_sections(&r);
	if (!err)
		err = read_symbols(&r);
	if (!err)
		err = read_relocs(&r);
	if (!err) {
		struct b2n_elf_view v = {.obj = obj,
		                         .elf = (struct Elf *)r.elf,
		                         .be = r.be,
		                         .shnum = r.shnum,
		                         .shstrndx = r.shstrndx,
		                         .symtab = r.symtab,
		                         .syms = r.syms,
		                         .nsyms = r.nsyms};
		err = b2n_elf_maps__read(&v, &r.maps);
	}
	if (!err)
		err = collect_progs(&r);
	if (!err)
		err = b2n_elf_maps__finish(r.maps);
out:
	if (err) {
		for (size_t k = 0; k < obj->nprogs; k++)
			free_prog(&obj->progs[k]);
		free(obj->progs);
		obj->progs = NULL;
		obj->nprogs = 0;
		for (size_t k = 0; k < obj->nmaps; k++) {
			struct b2n_map_def *m = &obj->maps[k];
			free(m->name);
			free(m->init_data);
			for (size_t j = 0; j < m->ninit_slots; j++)
				free(m->init_slots[j].target);
			free(m->init_slots);
		}
		free(obj->maps);
		obj->maps = NULL;
		obj->nmaps = 0;
		free(obj->license);
		obj->license = NULL;
		free(obj->btf);
		obj->btf = NULL;
		obj->btf_size = 0;
	}
	b2n_elf_maps__free(r.maps);
	for (size_t k = 0; k < r.nsecs; k++) {
		free(r.secs[k].insns);
		free(r.secs[k].rel);
		free(r.secs[k].funcs);
	}
	free(r.secs);
	free(r.secmap);
	free(r.syms);
	if (r.elf)
		elf_end(r.elf);
	free(r.image);
	return err;
}
