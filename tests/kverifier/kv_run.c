/*
 * kv_run.c - the kernel's own verifier tests (test_verifier of Debian's
 * linux-source-6.1) through bpf2native's front end (ctest kverifier).
 *
 * Reads the text dump that dump_main.c prints (one block per test: program
 * type, the privileged ACCEPT/REJECT, the expected error, map fix-ups and
 * the instructions).  Every test whose program type bpf2native supports
 * (socket filter, which is also what type 0 means to test_verifier; XDP;
 * sched_cls and sched_act), which needs no kfunc, BTF or attach type, and
 * whose maps the runtime has, becomes a struct b2n_input with the maps the
 * kernel's harness creates for each fix-up kind; the map references
 * become bpf2native's index forms.  Then it goes through the passes the
 * driver runs (check, verify, safety, ctx), and the verdict is compared
 * with the kernel's.
 *
 * It prints the agreement table by reason: for REJECT tests, by the
 * kernel's error with numbers masked ("R# invalid mem access '...'"), how
 * many bpf2native also refuses and how many it accepts (unsafe accepts);
 * for ACCEPT tests, by bpf2native's refusal.  The goals of issue #10 are
 * printed next to the figures.
 *
 * A ratchet keeps the figures from sliding back: BASELINE lists the tests
 * (by description) that agreed when it was written; one that no longer
 * agrees fails the run.  --write-baseline FILE records the current set.
 *
 * usage: kv_run DUMP [BASELINE] [--write-baseline FILE] [-v]
 */
#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

/* The maps test_verifier creates for each fix-up kind (the ones the
 * bpf2native runtime has). */
static const struct kind {
	const char *name;
	uint32_t type, key, value, max, flags;
	int spin_lock_off;
} kinds[] = {
    {"map_hash_8b", BPF_MAP_TYPE_HASH, 8, 8, 1, 0, -1},
    {"map_hash_48b", BPF_MAP_TYPE_HASH, 8, 48, 1, 0, -1},
    {"map_hash_16b", BPF_MAP_TYPE_HASH, 8, 16, 1, 0, -1},
    {"map_array_48b", BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, -1},
    {"map_xskmap", BPF_MAP_TYPE_XSKMAP, 4, 4, 1, 0, -1},
    {"prog1", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, -1},
    {"prog2", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 8, 0, -1},
    {"map_in_map", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, -1},
    {"map_spin_lock", BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 4},
    {"map_array_ro", BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_RDONLY_PROG, -1},
    {"map_array_wo", BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_WRONLY_PROG, -1},
    {"map_array_small", BPF_MAP_TYPE_ARRAY, 4, 1, 1, 0, -1},
    {"map_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, -1},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct test {
	int idx, prog_type, reject, nruns;
	char descr[256], errstr[256], unsupported[128];
	struct b2n_insn *insns;
	size_t n, cap;
	int fix[NKINDS][8], nfix[NKINDS];
	char bad_fixup[64];
};

static char diag[1024];
static int on_print(enum b2n_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	if (level == B2N_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (!diag[0])
		snprintf(diag, sizeof(diag), "%s", line);
	return 0;
}

/* "R0 invalid mem access 'scalar'" -> "R# invalid mem access 'scalar'":
 * digits (and hex) masked, so that reasons group. */
static void mask_digits(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 2 < len; p++) {
		if (*p == '\n')
			break;
		if (p[0] == '0' && p[1] == 'x') {
			p++;
			while (isxdigit((unsigned char)p[1]))
				p++;
			out[o++] = '#';
		} else if (isdigit((unsigned char)*p) &&
		           (p == in || !isalnum((unsigned char)p[-1]) ||
		            ((p[-1] == 'R' || p[-1] == 'r') &&
		             (p - 1 == in || !isalpha((unsigned char)p[-2]))))) {
			while (isdigit((unsigned char)p[1]))
				p++;
			out[o++] = '#';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = 0;
}

/* The part of our diagnostic after "insn N `...`: ", masked. */
static void our_reason(const char *d, char *out, size_t len)
{
	const char *p = strstr(d, "`: ");
	p = p ? p + 3 : d;
	const char *e = strstr(p, " [at ");
	char buf[1024];
	snprintf(buf, sizeof(buf), "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	mask_digits(buf, out, len);
}

/* ---- running one test ----------------------------------------------------------- */

static int run_test(const struct test *t, char *why, size_t whylen)
{
	struct b2n_input *obj = b2n_xcalloc(1, sizeof(*obj));
	obj->path = b2n_strdup("test_verifier");
	obj->name = b2n_strdup("kv");
	obj->kind = B2N_IN_RAW;
	obj->big_endian = -1;
	obj->progs = b2n_xcalloc(1, sizeof(*obj->progs));
	obj->nprogs = 1;
	struct b2n_prog *p = &obj->progs[0];
	p->name = b2n_strdup("prog");
	p->symbol = b2n_strdup("b2n_kv__prog");
	p->insns = b2n_xcalloc(t->n ? t->n : 1, sizeof(*p->insns));
	memcpy(p->insns, t->insns, t->n * sizeof(*p->insns));
	p->ninsns = t->n;
	p->type = t->prog_type ? (uint32_t)t->prog_type : BPF_PROG_TYPE_SOCKET_FILTER;
	obj->maps = b2n_xcalloc(NKINDS * 2, sizeof(*obj->maps));
	for (size_t k = 0; k < NKINDS; k++) {
		if (!t->nfix[k])
			continue;
		int idx = (int)obj->nmaps;
		if (kinds[k].type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
			/* the inner map: an array of one int */
			struct b2n_map_def *in = &obj->maps[obj->nmaps++];
			in->name = b2n_strdup("inner");
			in->type = BPF_MAP_TYPE_ARRAY, in->key_size = 4, in->value_size = 4;
			in->max_entries = 1, in->inner_map = -1, in->spin_lock_off = -1;
			in->flags = B2N_MAPF_INNER_TEMPLATE;
			idx = (int)obj->nmaps;
		}
		struct b2n_map_def *m = &obj->maps[obj->nmaps++];
		m->name = b2n_strdup(kinds[k].name);
		m->type = kinds[k].type, m->key_size = kinds[k].key, m->value_size = kinds[k].value;
		m->max_entries = kinds[k].max, m->map_flags = kinds[k].flags;
		m->inner_map = kinds[k].type == BPF_MAP_TYPE_ARRAY_OF_MAPS ? idx - 1 : -1;
		m->spin_lock_off = kinds[k].spin_lock_off;
		for (int f = 0; f < t->nfix[k]; f++) {
			size_t at = (size_t)t->fix[k][f];
			if (at >= p->ninsns)
				continue;
			struct b2n_insn *in = &p->insns[at];
			if (in->src == BPF_PSEUDO_MAP_VALUE)
				in->src = B2N_PSEUDO_MAP_IDX_VALUE;
			else
				in->src = B2N_PSEUDO_MAP_IDX;
			in->imm = idx;
		}
	}
	diag[0] = 0;
	struct b2n_verify_opts vo = {.sz = sizeof(vo), .entry_args = 1};
	struct b2n_verify_opts structural = vo; /* as b2n_input__open does */
	structural.allow_uninit = 1;
	int err = b2n_prog__check(obj, p);
	if (!err)
		err = b2n_prog__verify(obj, p, &structural);
	if (!err)
		err = b2n_prog__safety(obj, p, &vo);
	if (!err)
		err = b2n_prog__ctx(obj, p);
	snprintf(why, whylen, "%s", diag);
	b2n_input__free(obj);
	return err;
}

/* ---- the dump ------------------------------------------------------------------- */

static int read_test(FILE *f, struct test *t)
{
	char line[4096];
	memset(t->nfix, 0, sizeof(t->nfix));
	t->n = 0;
	t->descr[0] = t->errstr[0] = t->unsupported[0] = t->bad_fixup[0] = 0;
	int in = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "test ", 5)) {
			char res[16];
			sscanf(line, "test %d %d %15s %*d %d", &t->idx, &t->prog_type, res,
			       &t->nruns);
			t->reject = !strcmp(res, "reject");
			in = 1;
		} else if (!in) {
			continue;
		} else if (!strncmp(line, "descr ", 6)) {
			snprintf(t->descr, sizeof(t->descr), "%.255s", line + 6);
		} else if (!strncmp(line, "errstr ", 7)) {
			snprintf(t->errstr, sizeof(t->errstr), "%.255s", line + 7);
		} else if (!strncmp(line, "unsupported ", 12)) {
			snprintf(t->unsupported, sizeof(t->unsupported), "%.127s", line + 12);
		} else if (!strncmp(line, "fixup ", 6)) {
			char kind[64];
			int off = 0;
			sscanf(line + 6, "%63s%n", kind, &off);
			size_t k = 0;
			while (k < NKINDS && strcmp(kinds[k].name, kind))
				k++;
			if (k == NKINDS) {
				snprintf(t->bad_fixup, sizeof(t->bad_fixup), "%.63s", kind);
				continue;
			}
			char *p = line + 6 + off;
			int v, n;
			while (t->nfix[k] < 8 && sscanf(p, "%d%n", &v, &n) == 1) {
				t->fix[k][t->nfix[k]++] = v;
				p += n;
			}
		} else if (!strncmp(line, "insn ", 5)) {
			unsigned code, dst, src;
			int off, imm;
			sscanf(line + 5, "%u %u %u %d %d", &code, &dst, &src, &off, &imm);
			if (t->n == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 256;
				t->insns = realloc(t->insns, t->cap * sizeof(*t->insns));
			}
			struct b2n_insn *i = &t->insns[t->n++];
			i->code = (uint8_t)code, i->dst = (uint8_t)dst, i->src = (uint8_t)src;
			i->off = (int16_t)off, i->imm = imm;
		} else if (!strcmp(line, "end")) {
			return 1;
		}
	}
	return 0;
}

/* ---- tallies -------------------------------------------------------------------- */

struct row {
	char reason[160];
	int expected, both, other; /* REJECT rows: other = we accept; ACCEPT rows: we refuse */
};
static struct row rrows[512], arows[512], srows[64];
static int nr, na, ns;

static struct row *row(struct row *rows, int *n, int cap, const char *reason)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(rows[i].reason, reason))
			return &rows[i];
	if (*n == cap)
		return &rows[cap - 1];
	snprintf(rows[*n].reason, sizeof(rows[0].reason), "%s", reason);
	return &rows[(*n)++];
}

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return y->expected - x->expected;
}

static int in_list(char **list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], key))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dump = NULL, *base = NULL, *write_base = NULL;
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--write-baseline") && i + 1 < argc)
			write_base = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!dump)
			dump = argv[i];
		else
			base = argv[i];
	}
	FILE *f = dump ? fopen(dump, "r") : NULL;
	if (!f) {
		fprintf(stderr, "usage: kv_run DUMP [BASELINE] [--write-baseline FILE] [-v]\n");
		return 2;
	}
	char **bl = NULL;
	size_t nbl = 0;
	FILE *bf = base ? fopen(base, "r") : NULL;
	char line[512];
	while (bf && fgets(line, sizeof(line), bf)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] && line[0] != '#') {
			bl = realloc(bl, (nbl + 1) * sizeof(*bl));
			bl[nbl++] = strdup(line);
		}
	}
	if (bf)
		fclose(bf);
	FILE *wb = write_base ? fopen(write_base, "w") : NULL;
	if (wb)
		fprintf(wb, "# kverifier baseline: test_verifier tests (by description, with the "
		            "program type) on which bpf2native agrees with the kernel\n");

	b2n_set_print(on_print);
	struct test t = {0};
	int total = 0, applicable = 0, acc = 0, acc_ok = 0, rej = 0, rej_ok = 0, regress = 0;
	int fixed = 0;
	while (read_test(f, &t)) {
		total++;
		char skip[160] = "";
		int pt = t.prog_type;
		if (pt != 0 && pt != BPF_PROG_TYPE_SOCKET_FILTER && pt != BPF_PROG_TYPE_XDP &&
		    pt != BPF_PROG_TYPE_SCHED_CLS && pt != BPF_PROG_TYPE_SCHED_ACT)
			snprintf(skip, sizeof(skip), "program type %d not supported", pt);
		else if (t.unsupported[0])
			snprintf(skip, sizeof(skip), "%s", t.unsupported);
		else if (t.bad_fixup[0])
			snprintf(skip, sizeof(skip), "map kind %s not in the runtime", t.bad_fixup);
		if (skip[0]) {
			row(srows, &ns, 64, skip)->expected++;
			continue;
		}
		applicable++;
		char why[1024], key[300], reason[160];
		int err = run_test(&t, why, sizeof(why));
		int agree = t.reject ? err != 0 : err == 0;
		snprintf(key, sizeof(key), "%d %s", pt, t.descr);
		if (t.reject) {
			rej++;
			rej_ok += agree;
			mask_digits(t.errstr[0] ? t.errstr : "(no message given)", reason,
			            sizeof(reason));
			struct row *r = row(rrows, &nr, 512, reason);
			r->expected++;
			agree ? r->both++ : r->other++;
		} else {
			acc++;
			acc_ok += agree;
			if (!agree) {
				our_reason(why, reason, sizeof(reason));
				row(arows, &na, 512, reason)->expected++;
			}
		}
		int was = in_list(bl, nbl, key);
		if (was && !agree) {
			regress++;
			printf("REGRESSION #%d %s (%s): the kernel %s; bpf2native %s%s\n", t.idx,
			       t.descr, t.reject ? t.errstr : "", t.reject ? "refuses" : "accepts",
			       err ? "refuses: " : "accepts", err ? why : "");
		} else if (!was && agree && base) {
			fixed++;
		}
		if (verbose && !agree)
			printf("#%d [%d] %s: kernel %s (%s); bpf2native %s %s\n", t.idx, pt,
			       t.descr, t.reject ? "REJECT" : "ACCEPT", t.errstr,
			       err ? "refuses:" : "accepts", err ? why : "");
		if (wb && agree)
			fprintf(wb, "%s\n", key);
	}
	fclose(f);
	free(t.insns);
	if (wb)
		fclose(wb);

	printf("test_verifier (linux-source-6.1): %d tests, %d applicable to bpf2native\n", total,
	       applicable);
	qsort(srows, (size_t)ns, sizeof(srows[0]), by_count);
	for (int i = 0; i < ns; i++)
		printf("  not applicable: %4d  %s\n", srows[i].expected, srows[i].reason);
	printf("\nREJECT tests by the kernel's reason     kernel  bpf2native refuses  accepts "
	       "(unsafe)\n");
	qsort(rrows, (size_t)nr, sizeof(rrows[0]), by_count);
	for (int i = 0; i < nr; i++)
		printf("  %-60.60s %4d %6d %6d\n", rrows[i].reason, rrows[i].expected,
		       rrows[i].both, rrows[i].other);
	printf("\nACCEPT tests that bpf2native refuses, by its reason\n");
	qsort(arows, (size_t)na, sizeof(arows[0]), by_count);
	for (int i = 0; i < na; i++)
		printf("  %-80.80s %4d\n", arows[i].reason, arows[i].expected);
	printf("\nREJECT: %d of %d refused, %d accepted (goal of issue #10: 0 unsafe accepts)\n",
	       rej_ok, rej, rej - rej_ok);
	printf("ACCEPT: %d of %d accepted (%.1f%%; goal: >= 95%%)\n", acc_ok, acc,
	       acc ? 100.0 * acc_ok / acc : 0.0);
	if (base)
		printf("baseline %s: %zu agreeing tests recorded, %d no longer agree, %d agree now "
		       "that did not (refresh it with --write-baseline)\n",
		       base, nbl, regress, fixed);
	for (size_t i = 0; i < nbl; i++)
		free(bl[i]);
	free(bl);
	printf("%d passed, %d failed\n", rej_ok + acc_ok, regress);
	return regress ? 1 : 0;
}
