/*
 * diag.c - diagnostics and small utilities of the frontend.
 *
 * Every message goes through one replaceable print callback (libbpf style).
 * b2n_diag() builds the one-line user error that names the input, the
 * program and its section, the instruction index with its disassembly, and
 * the source line when BTF line info provided one.  Every line is
 * escaped on its way out (a byte outside printable ASCII becomes \xNN), so
 * that a path or an asm token with control bytes cannot split it.
 *
 * b2n_write_output writes the compiler's output the way clang does: a
 * regular file (or a new one) atomically, through a temporary file renamed
 * over it; anything else (a device, a FIFO, a terminal) in place, since
 * renaming over /dev/null would replace the device with a file; "-" is
 * standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Print PREFIX MSG SUFFIX as one line, escaping non-printable bytes. */
static void put_line(const char *prefix, const char *msg, const char *suffix)
{
	const char *parts[] = {prefix, msg, suffix};
	char out[4096];
	size_t n = 0;
	for (size_t k = 0; k < 3; k++)
		for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
			if (n + 5 >= sizeof(out))
				break;
			if (*p >= 0x20 && *p < 0x7f)
				out[n++] = (char)*p;
			else
				n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02x", *p);
		}
	out[n] = 0;
	b2n_pr(B2N_WARN, "%s\n", out);
}

static void pr_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	put_line(prefix, msg, "");
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
		char msg[1024], at[600];
		vsnprintf(msg, sizeof(msg), fmt, ap);
		snprintf(at, sizeof(at), " [at %s]", prog->lines[idx]);
		put_line(prefix, msg, at);
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

static int write_all(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	return 0;
}

int b2n_write_output(const char *path, const void *data, size_t len)
{
	struct stat st;
	char real[PATH_MAX];
	int fd, err;

	if (!strcmp(path, "-")) {
		err = write_all(STDOUT_FILENO, data, len);
		if (err)
			b2n_err("<stdout>", "cannot write output: %s", strerror(-err));
		return err;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		/* a device, a FIFO, a terminal: write in place, never replace */
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			b2n_err(path, "cannot open output: %s", strerror(errno));
			return err;
		}
		err = write_all(fd, data, len);
		if (close(fd) && !err)
			err = -errno;
		if (err)
			b2n_err(path, "cannot write output: %s", strerror(-err));
		return err;
	}
	/* A symlink to a regular file: replace the file it names, not the
	 * link. */
	struct stat lst;
	if (!lstat(path, &lst) && S_ISLNK(lst.st_mode) && realpath(path, real))
		path = real;
	size_t n = strlen(path);
	char *tmp = b2n_xcalloc(n + 16, 1);
	snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		b2n_err(path, "cannot create output: %s", strerror(errno));
		free(tmp);
		return err;
	}
	err = write_all(fd, data, len);
	if (close(fd) && !err)
		err = -errno;
	if (!err && chmod(tmp, 0644))
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		b2n_err(path, "cannot write output: %s", strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	return err;
}

size_t b2n_edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 64 || nb > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}
