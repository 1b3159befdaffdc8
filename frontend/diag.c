/*
 * diag.c - diagnostics and small utilities of the frontend.
 *
 * Every message goes through one replaceable print callback (libbpf style).
 * b2n_diag() builds the one-line user error that names the input, the
 * program and its section, the instruction index with its disassembly, and
 * the source line when BTF line info provided one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static int default_print(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static b2n_print_fn print_fn = default_print;

b2n_print_fn b2n_set_print(b2n_print_fn fn)
{
	b2n_print_fn old = print_fn;
	print_fn = fn ? fn : default_print;
	return old;
}

void b2n_pr(enum b2n_print_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

static void pr_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	b2n_pr(B2N_WARN, "%s%s\n", prefix, msg);
}

void b2n_err(const char *file, const char *fmt, ...)
{
	char prefix[512];
	va_list ap;
	snprintf(prefix, sizeof(prefix), "%s: error: ", file ? file : "bpf2native");
	va_start(ap, fmt);
	pr_line(prefix, fmt, ap);
	va_end(ap);
}

void b2n_diag(const struct b2n_input *obj, const struct b2n_prog *prog, size_t idx,
              const char *fmt, ...)
{
	char prefix[1024], dis[160] = "";
	int n;
	va_list ap;

	if (prog && idx < prog->ninsns)
		b2n_disasm__insn(prog->insns, prog->ninsns, idx, dis, sizeof(dis));
	n = snprintf(prefix, sizeof(prefix), "%s: error: ", obj ? obj->path : "bpf2native");
	if (prog && n > 0 && (size_t)n < sizeof(prefix)) {
		if (prog->section)
			n += snprintf(prefix + n, sizeof(prefix) - (size_t)n, "program %s (%s): ",
			              prog->name, prog->section);
		else
			n += snprintf(prefix + n, sizeof(prefix) - (size_t)n, "program %s: ",
			              prog->name);
	}
	if (prog && idx < prog->ninsns && n > 0 && (size_t)n < sizeof(prefix))
		snprintf(prefix + n, sizeof(prefix) - (size_t)n, "insn %zu `%s`: ", idx, dis);
	va_start(ap, fmt);
	if (prog && prog->lines && idx < prog->ninsns && prog->lines[idx]) {
		char msg[1024];
		vsnprintf(msg, sizeof(msg), fmt, ap);
		b2n_pr(B2N_WARN, "%s%s [at %s]\n", prefix, msg, prog->lines[idx]);
	} else {
		pr_line(prefix, fmt, ap);
	}
	va_end(ap);
}

void *b2n_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fprintf(stderr, "bpf2native: out of memory\n");
		abort();
	}
	return p;
}

char *b2n_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = b2n_xcalloc(n, 1);
	memcpy(p, s, n);
	return p;
}

char *b2n_sanitize(const char *s)
{
	char *p = b2n_strdup(s);
	for (char *q = p; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '_'))
			*q = '_';
	return p;
}

int b2n_read_file(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		int err = errno;
		b2n_err(path, "cannot open: %s", strerror(err));
		return -err;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				fclose(f);
				return -ENOMEM;
			}
			p = q;
		}
		size_t got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		fclose(f);
		b2n_err(path, "read error");
		return -EIO;
	}
	fclose(f);
	p[n] = 0;
	*buf = p;
	*len = n;
	return 0;
}
