/*
 * kernel_oracle.c - compare our derived stack depths with the kernel
 * verifier's.
 *
 * Usage: kernel_oracle OBJ.o...  For every program of every object (as
 * libbpf lists them):
 *  - ours: b2n_input__open (which verifies every program: if it refuses,
 *    that refusal is ours for the object's programs) + b2n_prog__verify,
 *    the depth of each function;
 *  - the kernel's: libbpf opens the object, loads only that program with
 *    log level 1|4 (BPF_LOG_STATS prints "stack depth A+B+..." with one
 *    figure per subprogram, in the order of their start in the loaded
 *    program) and the figures are parsed from the log.
 * libbpf lays a program out as its main function followed by subprograms
 * appended depth-first in the order their first call (or lddw func
 * reference) appears, and the kernel numbers subprograms by start; our
 * frontend orders functions differently (breadth-first), so the kernel's
 * i-th figure is compared with our function at the i-th place of that
 * depth-first order.
 * A program the kernel refuses is printed with the kernel's reason; if we
 * refuse it too that is an agreement, else it is not compared.  A program
 * the kernel accepts and we refuse, or any differing figure, is a failure.
 * If bpf() is not permitted here, prints why and exits 77.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "frontend/frontend.h"

static char ourdiag[2048];
static size_t ourdiag_len;

static int capture(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	int n = vsnprintf(ourdiag + ourdiag_len, sizeof(ourdiag) - ourdiag_len, fmt, ap);
	if (n > 0) {
		ourdiag_len += (size_t)n;
		if (ourdiag_len >= sizeof(ourdiag))
			ourdiag_len = sizeof(ourdiag) - 1;
	}
	return n;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int can_bpf(void)
{
	struct bpf_insn p[2];
	memset(p, 0, sizeof(p));
	p[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
	p[1].code = BPF_JMP | BPF_EXIT;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", p, 2, NULL);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* libbpf's layout: main first, then callees depth-first in order of first
 * reference.  order[i] = our function index of the kernel's subprog i. */
static void dfs_order(const struct b2n_prog *p, size_t f, int *seen, size_t *order, size_t *n)
{
	const struct b2n_func *fn = &p->funcs[f];
	for (size_t i = fn->start; i < fn->end; i++) {
		struct b2n_form fm;
		const struct b2n_insn *in = &p->insns[i];
		if (b2n_isa_classify(in, &fm))
			continue;
		if (fm.family != B2N_F_CALL_LOCAL &&
		    !(fm.family == B2N_F_LDDW && in->src == B2N_PSEUDO_FUNC)) {
			i += (size_t)fm.slots - 1;
			continue;
		}
		size_t t = (size_t)((long)i + 1 + in->imm);
		for (size_t g = 0; g < p->nfuncs; g++)
			if (p->funcs[g].start == t && !seen[g]) {
				seen[g] = 1;
				order[(*n)++] = g;
				dfs_order(p, g, seen, order, n);
			}
		i += (size_t)fm.slots - 1;
	}
}

static char klog[1 << 22];

/* Load program `name` of `path` alone; fills depths (count in *nd) or
 * returns the negative error with the log's last lines in klog. */
static int kernel_depths(const char *path, const char *name, unsigned *depths, size_t *nd)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *target = NULL;
	int err;
	*nd = 0;
	klog[0] = 0;
	if (!obj) {
		snprintf(klog, sizeof(klog), "libbpf cannot open the object\n");
		return -EINVAL;
	}
	bpf_object__for_each_program(prog, obj)
	{
		int me = !strcmp(bpf_program__name(prog), name);
		bpf_program__set_autoload(prog, me);
		if (me)
			target = prog;
	}
	if (!target) {
		bpf_object__close(obj);
		snprintf(klog, sizeof(klog), "libbpf does not see a program %s\n", name);
		return -ENOENT;
	}
	bpf_program__set_log_buf(target, klog, sizeof(klog));
	bpf_program__set_log_level(target, 1 | 4);
	err = bpf_object__load(obj);
	if (!err) {
		const char *s = strstr(klog, "stack depth ");
		if (!s) {
			err = -ENODATA;
			snprintf(klog, sizeof(klog), "no \"stack depth\" line in the log\n");
		} else {
			s += strlen("stack depth ");
			for (;;) {
				char *e;
				unsigned long v = strtoul(s, &e, 10);
				if (e == s || *nd >= 64)
					break;
				depths[(*nd)++] = (unsigned)v;
				if (*e != '+')
					break;
				s = e + 1;
			}
		}
	}
	bpf_object__close(obj);
	return err;
}

/* The last line of the log that is not a statistics line: the kernel's
 * reason. */
static const char *last_line(char *log)
{
	for (;;) {
		size_t n = strlen(log);
		while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
			log[--n] = 0;
		char *p = strrchr(log, '\n');
		char *l = p ? p + 1 : log;
		if (!p || (strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17) &&
		           strncmp(l, "stack depth", 11)))
			return l;
		*p = 0;
	}
}

int main(int argc, char **argv)
{
	int compared = 0, equal = 0, subs = 0, subs_equal = 0, both_refuse = 0;
	int kernel_refuses = 0, we_refuse = 0, failures = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: kernel_oracle OBJ.o...\n");
		return 2;
	}
	int e = can_bpf();
	if (e) {
		printf("SKIP: bpf(BPF_PROG_LOAD) is not permitted here (%s); the kernel oracle "
		       "needs CAP_BPF (run as root)\n",
		       strerror(-e));
		return 77;
	}
	libbpf_set_print(quiet_libbpf);
	b2n_set_print(capture);

	for (int a = 1; a < argc; a++) {
		struct b2n_input *in = NULL;
		struct b2n_open_opts oo = {.sz = sizeof(oo)};
		const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
		ourdiag_len = 0;
		ourdiag[0] = 0;
		/* b2n_input__open runs b2n_prog__verify: a refusal there is ours */
		int open_err = b2n_input__open(argv[a], &oo, &in);
		char open_diag[sizeof(ourdiag)];
		snprintf(open_diag, sizeof(open_diag), "%s", ourdiag);
		struct bpf_object *lo = bpf_object__open_file(argv[a], NULL);
		struct bpf_program *lp;
		if (!lo) {
			printf("FAIL %s: libbpf cannot open it\n", base);
			failures++;
			b2n_input__free(in);
			continue;
		}
		bpf_object__for_each_program(lp, lo)
		{
			const char *name = bpf_program__name(lp);
			struct b2n_prog *p = NULL;
			int ours = open_err;
			snprintf(ourdiag, sizeof(ourdiag), "%s", open_diag);
			if (!open_err) {
				for (size_t pi = 0; pi < in->nprogs; pi++)
					if (!strcmp(in->progs[pi].name, name))
						p = &in->progs[pi];
				if (!p) {
					printf("FAIL %s %s: not among our programs\n", base, name);
					failures++;
					continue;
				}
				struct b2n_verify_opts vo = {.sz = sizeof(vo)};
				ourdiag_len = 0;
				ourdiag[0] = 0;
				ours = b2n_prog__verify(in, p, &vo);
			}
			unsigned kd[64];
			size_t nk;
			int kerr = kernel_depths(argv[a], name, kd, &nk);
			if (kerr) {
				const char *why = last_line(klog);
				if (ours) {
					both_refuse++;
					printf("both refuse %s %s: kernel: %s (%s); ours: %s", base, name,
					       why, strerror(-kerr), ourdiag);
				} else {
					kernel_refuses++;
					printf("kernel refuses %s %s: %s (%s)\n", base, name, why,
					       strerror(-kerr));
				}
				continue;
			}
			if (ours) {
				we_refuse++;
				failures++;
				printf("FAIL %s %s: the kernel accepts it, we refuse: %s", base, name,
				       ourdiag);
				continue;
			}
			int *seen = calloc(p->nfuncs, sizeof(int));
			size_t *order = calloc(p->nfuncs, sizeof(size_t)), no = 1;
			order[0] = 0;
			seen[0] = 1;
			dfs_order(p, 0, seen, order, &no);
			char ks[512] = "", os[512] = "";
			size_t kl = 0, ol = 0;
			for (size_t i = 0; i < nk; i++)
				kl += (size_t)snprintf(ks + kl, sizeof(ks) - kl, "%s%u", i ? "+" : "",
				                       kd[i]);
			for (size_t i = 0; i < no; i++)
				ol += (size_t)snprintf(os + ol, sizeof(os) - ol, "%s%u", i ? "+" : "",
				                       p->funcs[order[i]].stack_depth);
			int same = no == nk && !strcmp(ks, os);
			compared++;
			for (size_t i = 0; i < nk; i++) {
				subs++;
				subs_equal += i < no && p->funcs[order[i]].stack_depth == kd[i];
			}
			if (same) {
				equal++;
				printf("ok   %s %s: kernel %s, ours %s\n", base, name, ks, os);
			} else {
				failures++;
				printf("FAIL %s %s: kernel %s, ours %s\n", base, name, ks, os);
			}
			free(seen);
			free(order);
		}
		bpf_object__close(lo);
		b2n_input__free(in);
	}
	printf("kernel oracle: %d programs compared, %d equal (%d of %d subprogram depths "
	       "equal); %d refused by both; %d refused by the kernel only; %d refused by us "
	       "only\n",
	       compared, equal, subs_equal, subs, both_refuse, kernel_refuses, we_refuse);
	return failures || compared == 0 ? 1 : 0;
}
