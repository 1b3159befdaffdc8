/*
 * skeleton.c - `bpf2native gen skeleton INPUT.bpf.o [-o FILE.h]
 * [--object-name N] [--types]`: a typed C header for one compiled object,
 * in the manner of bpftool's skeletons.
 *
 * The BPF object is read with the frontend (the same program and map
 * tables the compiler emits, so names and order agree with the descriptor
 * b2n_object_<N>), and its .BTF section with libbpf's BTF API.  The header
 * declares the descriptor and a struct <N> holding the object, one member
 * per program and per map, and, for every global-data map, a pointer to a
 * struct whose members are the section's non-static variables at their
 * BTF offsets (explicit padding where needed, plus _Static_asserts of each
 * offset and size, so a layout disagreement on some target is a compile
 * error, not silent corruption).  Member declarations come from
 * btf_dump__emit_type_decl (const/volatile stripped, as bpftool does, so
 * that .rodata can be set before load); with --types the named types they
 * use are emitted too (btf_dump__dump_type), otherwise the including file
 * must define them, as with bpftool.
 *
 * A relocatable object's DATASEC records carry no offsets (clang leaves
 * them to relocations against the variables' symbols, and the section
 * size 0): like libbpf at open time, they are fixed up here from the ELF
 * symbol table, read with libelf.
 *
 * The header is written to memory first and to the output file only when
 * complete, so an error leaves no file behind.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/driver.h"
#include "frontend/frontend.h"

struct skel {
	const char *path; /* input */
	const char *out;  /* output, "-" = stdout */
	struct b2n_input *in;
	struct btf *btf;
	char *name; /* object (and skeleton struct) name */
	int types;  /* --types: emit the named types of global variables */
	FILE *f;    /* memory stream */
	char *buf;
	size_t len;
};

static int gen_usage(void)
{
	fprintf(stderr, "usage: bpf2native gen skeleton INPUT.bpf.o [-o FILE.h] [--object-name N] "
	                "[--types]\n");
	return 1;
}

static int is_data(const struct b2n_map_def *m)
{
	return (m->flags & (B2N_MAPF_DATA | B2N_MAPF_RODATA | B2N_MAPF_BSS)) != 0;
}

/* Identifier of a map in the skeleton: its name, or for a global-data map
 * its section without the leading dot ("data", "rodata_str1_1"). */
static char *map_ident(const struct b2n_map_def *m)
{
	const char *n = m->name;
	if (is_data(m) && n[0] == '.')
		n++;
	return b2n_sanitize(n);
}

/* ---- DATASEC fixup from the ELF symbol table ---------------------------- */

static int by_offset(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int fixup_datasecs(struct skel *s)
{
	int fd, err = 0;
	Elf *e = NULL;
	size_t shstrndx;
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(s->path, O_RDONLY);
	if (fd < 0) {
		b2n_err(s->path, "cannot open: %s", strerror(errno));
		return -errno;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getshdrstrndx(e, &shstrndx)) {
		b2n_err(s->path, "cannot read ELF: %s", elf_errmsg(-1));
		err = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			symscn = scn;

	for (__u32 id = 1; id < btf__type_cnt(s->btf); id++) {
		struct btf_type *t = (struct btf_type *)btf__type_by_id(s->btf, id);
		const char *secname;
		size_t secidx = 0;
		if (!btf_is_datasec(t))
			continue;
		secname = btf__name_by_offset(s->btf, t->name_off);
		scn = NULL;
		while (secname && (scn = elf_nextscn(e, scn))) {
			const char *n;
			if (!gelf_getshdr(scn, &sh))
				continue;
			n = elf_strptr(e, shstrndx, sh.sh_name);
			if (n && !strcmp(n, secname)) {
				secidx = elf_ndxscn(scn);
				if (!t->size)
					t->size = (__u32)sh.sh_size;
				break;
			}
		}
		if (!secidx || !symscn)
			continue;
		Elf_Data *d = elf_getdata(symscn, NULL);
		GElf_Shdr ssh;
		gelf_getshdr(symscn, &ssh);
		size_t nsyms = ssh.sh_entsize ? ssh.sh_size / ssh.sh_entsize : 0;
		struct btf_var_secinfo *vsi = btf_var_secinfos(t);
		for (int k = 0; k < btf_vlen(t); k++, vsi++) {
			const struct btf_type *var = btf__type_by_id(s->btf, vsi->type);
			const char *vn = var ? btf__name_by_offset(s->btf, var->name_off) : NULL;
			if (!vn || !btf_is_var(var))
				continue;
			for (size_t j = 0; d && j < nsyms; j++) {
				GElf_Sym sym;
				const char *sn;
				if (!gelf_getsym(d, (int)j, &sym) || sym.st_shndx != secidx)
					continue;
				sn = elf_strptr(e, ssh.sh_link, sym.st_name);
				if (sn && !strcmp(sn, vn)) {
					vsi->offset = (__u32)sym.st_value;
					break;
				}
			}
		}
		/* members are emitted in offset order (libbpf sorts them too) */
		qsort(btf_var_secinfos(t), btf_vlen(t), sizeof(struct btf_var_secinfo), by_offset);
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return err;
}

/* ---- output helpers ------------------------------------------------------ */

static void out(struct skel *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct skel *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(s->f, fmt, ap);
	va_end(ap);
}

static void dump_printf(void *ctx, const char *fmt, va_list ap)
{
	vfprintf(((struct skel *)ctx)->f, fmt, ap);
}

static const struct btf_type *find_datasec(struct skel *s, const char *secname)
{
	if (!s->btf)
		return NULL;
	for (__u32 id = 1; id < btf__type_cnt(s->btf); id++) {
		const struct btf_type *t = btf__type_by_id(s->btf, id);
		if (btf_is_datasec(t) && !strcmp(btf__name_by_offset(s->btf, t->name_off), secname))
			return t;
	}
	return NULL;
}

static int exported_var(struct skel *s, const struct btf_var_secinfo *vsi,
                        const struct btf_type **var)
{
	*var = btf__type_by_id(s->btf, vsi->type);
	return *var && btf_is_var(*var) && btf_var(*var)->linkage != BTF_VAR_STATIC;
}

/* struct <name>__<ident> { members } *<ident>; */
static int emit_datasec(struct skel *s, struct btf_dump *d, const struct b2n_map_def *m,
                        const char *ident)
{
	const struct btf_type *sec = find_datasec(s, m->name);
	const struct btf_var_secinfo *vsi;
	int off = 0, pad = 0, nvars = 0;

	out(s, "\tstruct %s__%s {\n", s->name, ident);
	if (!sec) {
		/* no BTF (compiler-made constants such as .rodata.str1.1) */
		out(s, "\t\tunsigned char __raw[%u];\n", m->value_size ? m->value_size : 1);
		out(s, "\t} *%s;\n", ident);
		return 0;
	}
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var;
		char *vid;
		int align, aligned, err;
		if (!exported_var(s, vsi, &var))
			continue;
		if ((int)vsi->offset < off) {
			b2n_err(s->path,
			        "section %s: variable #%d at offset %u overlaps the previous one",
			        m->name, i, vsi->offset);
			return -EINVAL;
		}
		align = btf__align_of(s->btf, var->type);
		if (align <= 0) {
			b2n_err(s->path, "section %s: cannot determine the alignment of `%s`",
			        m->name, btf__name_by_offset(s->btf, var->name_off));
			return -EINVAL;
		}
		if (align > 4) /* explicit padding works for any ABI's alignment */
			align = 4;
		aligned = (off + align - 1) / align * align;
		if (aligned != (int)vsi->offset)
			out(s, "\t\tchar __pad%d[%d];\n", pad++, (int)vsi->offset - off);
		vid = b2n_sanitize(btf__name_by_offset(s->btf, var->name_off));
		LIBBPF_OPTS(btf_dump_emit_type_decl_opts, o, .field_name = vid, .indent_level = 2,
		            .strip_mods = true);
		out(s, "\t\t");
		fflush(s->f);
		err = btf_dump__emit_type_decl(d, var->type, &o);
		free(vid);
		if (err) {
			b2n_err(s->path, "section %s: cannot emit the type of `%s`: %s", m->name,
			        btf__name_by_offset(s->btf, var->name_off), strerror(-err));
			return err;
		}
		out(s, ";\n");
		off = (int)(vsi->offset + vsi->size);
		nvars++;
	}
	if (!nvars)
		out(s, "\t\tunsigned char __raw[%u];\n", m->value_size ? m->value_size : 1);
	out(s, "\t} *%s;\n", ident);
	return 0;
}

/* Offsets and sizes of every member, checked by the C compiler of the
 * application (on each target). */
static void emit_asserts(struct skel *s)
{
	out(s, "\n__attribute__((unused)) static void %s__assert(struct %s *s)\n{\n", s->name,
	    s->name);
	out(s, "#ifdef __cplusplus\n#define _Static_assert static_assert\n#endif\n");
	out(s, "\t(void)s;\n");
	for (size_t i = 0; i < s->in->nmaps; i++) {
		const struct b2n_map_def *m = &s->in->maps[i];
		const struct btf_type *sec;
		const struct btf_var_secinfo *vsi;
		if (!is_data(m) || (m->flags & B2N_MAPF_INNER_TEMPLATE) ||
		    !(sec = find_datasec(s, m->name)))
			continue;
		char *ident = map_ident(m);
		vsi = btf_var_secinfos(sec);
		for (int k = 0; k < btf_vlen(sec); k++, vsi++) {
			const struct btf_type *var;
			if (!exported_var(s, vsi, &var))
				continue;
			__s64 sz = btf__resolve_size(s->btf, var->type);
			char *vid = b2n_sanitize(btf__name_by_offset(s->btf, var->name_off));
			if (sz >= 0)
				out(s,
				    "\t_Static_assert(sizeof(s->%s->%s) == %lld, \"unexpected size "
				    "of "
				    "'%s'\");\n",
				    ident, vid, (long long)sz, vid);
			out(s,
			    "\t_Static_assert(offsetof(__typeof__(*s->%s), %s) == %u, \"unexpected "
			    "offset of '%s'\");\n",
			    ident, vid, vsi->offset, vid);
			free(vid);
		}
		free(ident);
	}
	out(s, "#ifdef __cplusplus\n#undef _Static_assert\n#endif\n}\n");
}

static int emit_types(struct skel *s, struct btf_dump *d)
{
	for (size_t i = 0; i < s->in->nmaps; i++) {
		const struct btf_type *sec;
		const struct btf_var_secinfo *vsi;
		if (!is_data(&s->in->maps[i]) || !(sec = find_datasec(s, s->in->maps[i].name)))
			continue;
		vsi = btf_var_secinfos(sec);
		for (int k = 0; k < btf_vlen(sec); k++, vsi++) {
			const struct btf_type *var;
			int err;
			if (!exported_var(s, vsi, &var))
				continue;
			fflush(s->f);
			err = btf_dump__dump_type(d, var->type);
			if (err) {
				b2n_err(s->path, "cannot emit the types of `%s`: %s",
				        btf__name_by_offset(s->btf, var->name_off), strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

static void emit_functions(struct skel *s)
{
	const char *n = s->name;
	struct b2n_input *in = s->in;

	out(s, "\nstatic inline void %s__destroy(struct %s *skel)\n{\n", n, n);
	out(s, "\tif (!skel)\n\t\treturn;\n\tb2n_object__close(skel->obj);\n\tfree(skel);\n}\n");

	/* find programs, maps and the data sections (again after load) */
	out(s, "\nstatic inline int %s__bind_(struct %s *skel)\n{\n", n, n);
	for (size_t i = 0; i < in->nprogs; i++) {
		out(s, "\tskel->progs.%s = b2n_object__find_program_by_name(skel->obj, \"%s\");\n",
		    in->progs[i].name, in->progs[i].name);
		out(s, "\tif (!skel->progs.%s)\n\t\treturn -ENOENT;\n", in->progs[i].name);
	}
	for (size_t i = 0; i < in->nmaps; i++) {
		const struct b2n_map_def *m = &in->maps[i];
		if (m->flags & B2N_MAPF_INNER_TEMPLATE)
			continue;
		char *ident = map_ident(m);
		out(s, "\tskel->maps.%s = b2n_object__find_map_by_name(skel->obj, \"%s\");\n",
		    ident, m->name);
		out(s, "\tif (!skel->maps.%s)\n\t\treturn -ENOENT;\n", ident);
		if (is_data(m)) {
			out(s,
			    "\tskel->%s = (__typeof__(skel->%s))b2n_map__data(skel->maps.%s, "
			    "NULL);\n",
			    ident, ident, ident);
			out(s, "\tif (!skel->%s)\n\t\treturn -EINVAL;\n", ident);
		}
		free(ident);
	}
	out(s, "\treturn 0;\n}\n");

	out(s,
	    "\n/* Open the object linked into this program (b2n_object_%s). */\n"
	    "static inline struct %s *%s__open_opts(const struct b2n_object_open_opts *opts)\n{\n"
	    "\tstruct %s *skel = (struct %s *)calloc(1, sizeof(*skel));\n"
	    "\tint err;\n"
	    "\tif (!skel) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
	    "\tskel->obj = b2n_object__open(&b2n_object_%s, opts);\n"
	    "\tif (!skel->obj) {\n\t\terr = -errno;\n\t\tgoto fail;\n\t}\n"
	    "\terr = %s__bind_(skel);\n"
	    "\tif (err)\n\t\tgoto fail;\n"
	    "\treturn skel;\n"
	    "fail:\n\t%s__destroy(skel);\n\terrno = -err;\n\treturn NULL;\n}\n",
	    n, n, n, n, n, n, n, n);
	out(s, "\nstatic inline struct %s *%s__open(void)\n{\n\treturn %s__open_opts(NULL);\n}\n",
	    n, n, n);
	out(s,
	    "\n/* Open the object from a shared object made with ld.lld (no link-time\n"
	    " * reference to b2n_object_%s). */\n"
	    "static inline struct %s *%s__open_file(const char *path)\n{\n"
	    "\tstruct b2n_object_open_opts opts = {sizeof(opts), \"%s\"};\n"
	    "\tstruct %s *skel = (struct %s *)calloc(1, sizeof(*skel));\n"
	    "\tint err;\n"
	    "\tif (!skel) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
	    "\tskel->obj = b2n_object__open_file(path, &opts);\n"
	    "\tif (!skel->obj) {\n\t\terr = -errno;\n\t\tgoto fail;\n\t}\n"
	    "\terr = %s__bind_(skel);\n"
	    "\tif (err)\n\t\tgoto fail;\n"
	    "\treturn skel;\n"
	    "fail:\n\t%s__destroy(skel);\n\terrno = -err;\n\treturn NULL;\n}\n",
	    n, n, n, n, n, n, n, n);
	out(s,
	    "\nstatic inline int %s__load(struct %s *skel)\n{\n"
	    "\tint err = b2n_object__load(skel->obj);\n"
	    "\treturn err ? err : %s__bind_(skel);\n}\n",
	    n, n, n);
	out(s,
	    "\nstatic inline struct %s *%s__open_and_load(void)\n{\n"
	    "\tstruct %s *skel = %s__open();\n"
	    "\tint err;\n"
	    "\tif (!skel)\n\t\treturn NULL;\n"
	    "\terr = %s__load(skel);\n"
	    "\tif (err) {\n\t\t%s__destroy(skel);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
	    "\treturn skel;\n}\n",
	    n, n, n, n, n, n);
}

static int generate(struct skel *s)
{
	struct b2n_input *in = s->in;
	struct btf_dump *d = NULL;
	char *guard = b2n_sanitize(s->name);
	int err = 0, has_maps = 0;

	for (char *p = guard; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (s->btf) {
		d = btf_dump__new(s->btf, dump_printf, s, NULL);
		if (!d) {
			err = -errno;
			b2n_err(s->path, "cannot read BTF: %s", strerror(errno));
			goto out;
		}
	}

	out(s,
	    "/* Skeleton of the BPF object %s, generated by bpf2native gen skeleton.\n"
	    " * Do not edit.  Link the native object compiled from it (descriptor\n"
	    " * b2n_object_%s) and the runtime (libb2n_rt). */\n",
	    s->path, s->name);
	out(s, "#ifndef __%s_SKEL_H__\n#define __%s_SKEL_H__\n\n", guard, guard);
	out(s, "#include <errno.h>\n#include <stddef.h>\n#include <stdlib.h>\n\n"
	       "#include <bpf2native/libb2n.h>\n\n");
	out(s, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
	out(s, "extern const struct b2n_abi_object b2n_object_%s;\n\n", s->name);
	if (s->types && d) {
		err = emit_types(s, d);
		if (err)
			goto out;
		out(s, "\n");
	}
	out(s, "struct %s {\n\tstruct b2n_object *obj;\n", s->name);
	if (in->nprogs) {
		out(s, "\tstruct {\n");
		for (size_t i = 0; i < in->nprogs; i++)
			out(s, "\t\tstruct b2n_program *%s;\n", in->progs[i].name);
		out(s, "\t} progs;\n");
	}
	for (size_t i = 0; i < in->nmaps; i++)
		has_maps |= !(in->maps[i].flags & B2N_MAPF_INNER_TEMPLATE);
	if (has_maps) {
		out(s, "\tstruct {\n");
		for (size_t i = 0; i < in->nmaps; i++) {
			if (in->maps[i].flags & B2N_MAPF_INNER_TEMPLATE)
				continue;
			char *ident = map_ident(&in->maps[i]);
			out(s, "\t\tstruct b2n_map *%s;\n", ident);
			free(ident);
		}
		out(s, "\t} maps;\n");
	}
	for (size_t i = 0; i < in->nmaps; i++) {
		const struct b2n_map_def *m = &in->maps[i];
		if (!is_data(m) || (m->flags & B2N_MAPF_INNER_TEMPLATE))
			continue;
		char *ident = map_ident(m);
		if (d) {
			err = emit_datasec(s, d, m, ident);
		} else {
			out(s, "\tstruct %s__%s {\n\t\tunsigned char __raw[%u];\n\t} *%s;\n",
			    s->name, ident, m->value_size ? m->value_size : 1, ident);
		}
		free(ident);
		if (err)
			goto out;
	}
	out(s, "};\n");
	emit_functions(s);
	if (d)
		emit_asserts(s);
	out(s, "\n#ifdef __cplusplus\n}\n#endif\n#endif /* __%s_SKEL_H__ */\n", guard);
out:
	btf_dump__free(d);
	free(guard);
	return err;
}

/* Names emitted as C identifiers must be identifiers. */
static int check_idents(struct skel *s)
{
	for (size_t i = 0; i < s->in->nprogs; i++) {
		char *c = b2n_sanitize(s->in->progs[i].name);
		int same = !strcmp(c, s->in->progs[i].name);
		free(c);
		if (!same) {
			b2n_err(s->path, "program name `%s` is not a C identifier",
			        s->in->progs[i].name);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < s->in->nmaps; i++) {
		for (size_t j = 0; j < i; j++) {
			if (!is_data(&s->in->maps[i]) || !is_data(&s->in->maps[j]))
				continue;
			char *a = map_ident(&s->in->maps[i]), *b = map_ident(&s->in->maps[j]);
			int same = !strcmp(a, b);
			free(a);
			free(b);
			if (same) {
				b2n_err(s->path, "sections %s and %s give the same skeleton member",
				        s->in->maps[i].name, s->in->maps[j].name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int b2n_gen_main(int argc, char **argv)
{
	struct skel s = {0};
	const char *oname = NULL;
	struct b2n_open_opts oo = {.sz = sizeof(oo), .kind = B2N_IN_ELF};
	int err, rc = 1;

	if (argc < 2 || strcmp(argv[1], "skeleton")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			gen_usage();
			return 0;
		}
		fprintf(stderr,
		        "bpf2native: error: unknown 'gen' subcommand '%s' (only 'skeleton')\n",
		        argc >= 2 ? argv[1] : "");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") || !strcmp(a, "--object-name")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "bpf2native: error: option %s needs an argument\n",
				        a);
				return 1;
			}
			if (!strcmp(a, "-o"))
				s.out = argv[++i];
			else
				oname = argv[++i];
		} else if (!strcmp(a, "--types")) {
			s.types = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			gen_usage();
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "bpf2native: error: unknown option '%s'\n", a);
			return gen_usage();
		} else if (s.path) {
			fprintf(stderr, "bpf2native: error: gen skeleton takes one input\n");
			return 1;
		} else {
			s.path = a;
		}
	}
	if (!s.path) {
		fprintf(stderr, "bpf2native: error: no input file\n");
		return gen_usage();
	}
	oo.object_name = oname;
	err = b2n_input__open(s.path, &oo, &s.in);
	if (err)
		return 1;
	s.name = s.in->name;
	if (!s.name || !*s.name) {
		b2n_err(s.path, "no object name (use --object-name)");
		goto out;
	}
	if (check_idents(&s))
		goto out;
	if (s.in->btf && s.in->btf_size) {
		s.btf = btf__new(s.in->btf, (__u32)s.in->btf_size);
		if (!s.btf) {
			b2n_err(s.path, "cannot parse .BTF: %s", strerror(errno));
			goto out;
		}
		if (fixup_datasecs(&s))
			goto out;
	}
	s.f = open_memstream(&s.buf, &s.len);
	if (!s.f) {
		b2n_err(s.path, "out of memory");
		goto out;
	}
	err = generate(&s);
	if (fclose(s.f)) {
		s.f = NULL;
		b2n_err(s.path, "out of memory");
		goto out;
	}
	s.f = NULL;
	if (err)
		goto out;
	if (!s.out || !strcmp(s.out, "-")) {
		if (fwrite(s.buf, 1, s.len, stdout) != s.len || fflush(stdout))
			goto out;
	} else {
		FILE *o = fopen(s.out, "w");
		if (!o) {
			b2n_err(s.out, "cannot create: %s", strerror(errno));
			goto out;
		}
		size_t w = fwrite(s.buf, 1, s.len, o);
		if (fclose(o) || w != s.len) {
			b2n_err(s.out, "cannot write: %s", strerror(errno));
			remove(s.out);
			goto out;
		}
	}
	rc = 0;
out:
	if (s.f)
		fclose(s.f);
	free(s.buf);
	btf__free(s.btf);
	b2n_input__free(s.in);
	return rc;
}
