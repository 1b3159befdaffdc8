/*
 * kload.c - see kload.h.  Three passes over the object with libbpf:
 * everything at once (the common case: done); else each program alone,
 * with a log buffer whose last verdict line becomes the reason; then the
 * object again with the refused programs' autoload turned off.  libbpf's
 * own messages are silenced during the probes (the caller's print
 * callback is restored afterwards) so that a refusal is one line of the
 * caller's report, not a page of verifier log.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kload.h"

static char last_libbpf[256];

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	if (n && !strstr(line, "PROG LOAD LOG"))
		snprintf(last_libbpf, sizeof(last_libbpf), "%.255s", line);
	return 0;
}

/* The verifier's verdict: the last line of the log that is not one of
 * its closing statistics. */
static void verdict(const char *log, char *out, size_t outsz)
{
	const char *best = NULL, *end = NULL;
	for (const char *p = log; *p;) {
		const char *e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (e > p && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			best = p;
			end = e;
		}
		p = *e ? e + 1 : e;
	}
	if (best)
		snprintf(out, outsz, "%.*s", (int)(end - best), best);
}

static int load_only(const char *path, const char *only, char *why, size_t whysz)
{
	static char log[1 << 20];
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	if (!o)
		return -errno;
	bpf_object__for_each_program(p, o)
	{
		int me = !strcmp(bpf_program__name(p), only);
		bpf_program__set_autoload(p, me);
		if (me) {
			log[0] = 0;
			bpf_program__set_log_buf(p, log, sizeof(log));
			bpf_program__set_log_level(p, 1);
		}
	}
	last_libbpf[0] = 0;
	int err = bpf_object__load(o);
	if (err) {
		why[0] = 0;
		verdict(log, why, whysz);
		if (!why[0])
			snprintf(why, whysz, "%.180s (%.60s)",
			         last_libbpf[0] ? last_libbpf : "load failed", strerror(-err));
	}
	bpf_object__close(o);
	return err;
}

int kload_open(const char *path, struct kload *k, char *err, size_t errsz)
{
	memset(k, 0, sizeof(*k));
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o) {
		snprintf(err, errsz, "bpf_object__open_file %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	libbpf_print_fn_t prev = libbpf_set_print(quiet_print);
	int e = bpf_object__load(o);
	if (!e || e == -EPERM || e == -ENOSYS) {
		libbpf_set_print(prev);
		if (e)
			return bpf_object__close(o), 77;
		k->obj = o;
		return 0;
	}

	/* Which programs does this kernel refuse, and why? */
	struct bpf_program *p;
	bpf_object__for_each_program(p, o)
	{
		char why[256];
		if (!load_only(path, bpf_program__name(p), why, sizeof(why)))
			continue;
		if (k->nrefused == KLOAD_MAX_REFUSED)
			break;
		snprintf(k->refused[k->nrefused], sizeof(k->refused[0]), "%s",
		         bpf_program__name(p));
		snprintf(k->why[k->nrefused], sizeof(k->why[0]), "%s", why);
		k->nrefused++;
	}
	bpf_object__close(o);
	o = bpf_object__open_file(path, NULL);
	if (o) {
		bpf_object__for_each_program(p, o) if (kload_refused(k, bpf_program__name(p)))
		    bpf_program__set_autoload(p, false);
		last_libbpf[0] = 0;
		e = bpf_object__load(o);
	}
	libbpf_set_print(prev);
	if (!o || e) {
		snprintf(err, errsz, "%s: loading the accepted programs failed: %s", path,
		         last_libbpf[0] ? last_libbpf : strerror(o ? -e : errno));
		bpf_object__close(o);
		return -EINVAL;
	}
	k->obj = o;
	return 0;
}

const char *kload_refused(const struct kload *k, const char *name)
{
	for (size_t i = 0; i < k->nrefused; i++)
		if (!strcmp(k->refused[i], name))
			return k->why[i];
	return NULL;
}

void kload_close(struct kload *k)
{
	bpf_object__close(k->obj);
	k->obj = NULL;
}
