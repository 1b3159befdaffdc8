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
 * Assembly files (.asm) are loaded as raw instructions instead (socket
 * filter with generated BTF func_info; `lddw map_idx 0` becomes a real
 * prog_array), and compared with
 * our functions in start order, which is the kernel's order there.
 * If bpf() is not permitted here, prints why and exits 77.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "frontend/frontend.h"
#include "vt_open.h"

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

static int is_stats_line(const char *l)
{
	return !strncmp(l, "processed ", 10) || !strncmp(l, "verification time", 17) ||
	       !strncmp(l, "stack depth", 11) || !*l;
}

static int log_is_stats_only(const char *log)
{
	for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!is_stats_line(l) && *l != '\n')
			return 0;
	return 1;
}

/* "stack depth A+B+..." of a successful load's log. */
static int parse_depths(unsigned *depths, size_t *nd)
{
	const char *s = strstr(klog, "stack depth ");
	*nd = 0;
	if (!s) {
		snprintf(klog, sizeof(klog), "no \"stack depth\" line in the log\n");
		return -ENODATA;
	}
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
	return 0;
}

/* An assembly file loaded as raw instructions (socket filter, GPL, with
 * BTF func_info), with a real prog_array for `lddw map_idx 0`.
 * Subprograms are numbered by start, as ours are. */
static int kernel_asm(const char *path, unsigned *depths, size_t *nd)
{
	unsigned char *buf;
	size_t len, n;
	struct b2n_insn *insns;
	int err, mapfd, fd;
	*nd = 0;
	klog[0] = 0;
	if (b2n_read_file(path, &buf, &len))
		return -EIO;
	err = b2n_asm__parse(path, (const char *)buf, &insns, &n);
	free(buf);
	if (err)
		return err;
	mapfd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jt", 4, 4, 4, NULL);
	if (mapfd < 0) {
		free(insns);
		snprintf(klog, sizeof(klog), "cannot create a prog_array: %s\n", strerror(errno));
		return -errno;
	}
	struct bpf_insn *k = calloc(n, sizeof(*k));
	for (size_t i = 0; i < n; i++) {
		unsigned char b[8];
		b2n_insn_encode(&insns[i], b, 0);
		memcpy(&k[i], b, 8);
		if (insns[i].code == 0x18 && insns[i].src == B2N_PSEUDO_MAP_IDX &&
		    insns[i].imm == 0 && i + 1 < n) {
			k[i].src_reg = BPF_PSEUDO_MAP_FD;
			k[i].imm = mapfd;
			i++;
			memset(&k[i], 0, sizeof(k[i]));
		}
	}
	/* BTF with one "int f(void)" per function (the kernel wants func_info
	 * for callbacks and for tail calls in subprograms). */
	struct bpf_func_info fi[64];
	size_t nfi = 0;
	for (size_t i = 0; i < n && nfi < 64; i++) {
		long t = -1;
		if (i == 0)
			t = 0;
		else if ((insns[i].code == 0x85 && insns[i].src == B2N_CALL_LOCAL) ||
		         (insns[i].code == 0x18 && insns[i].src == B2N_PSEUDO_FUNC))
			t = (long)i + 1 + insns[i].imm;
		if (insns[i].code == 0x18)
			i++;
		if (t < 0 || t >= (long)n)
			continue;
		int dup = 0;
		for (size_t j = 0; j < nfi; j++)
			dup |= fi[j].insn_off == (unsigned)t;
		if (!dup)
			fi[nfi++].insn_off = (unsigned)t;
	}
	for (size_t a = 0; a < nfi; a++) /* sort by start */
		for (size_t b = a + 1; b < nfi; b++)
			if (fi[b].insn_off < fi[a].insn_off) {
				unsigned x = fi[a].insn_off;
				fi[a].insn_off = fi[b].insn_off;
				fi[b].insn_off = x;
			}
	struct btf *btf = btf__new_empty();
	int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int proto = btf__add_func_proto(btf, int_id);
	for (size_t j = 0; j < nfi; j++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "f%zu", j);
		fi[j].type_id =
		    (unsigned)btf__add_func(btf, nm, j ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL, proto);
	}
	if (btf__load_into_kernel(btf)) {
		snprintf(klog, sizeof(klog), "cannot load BTF: %s\n", strerror(errno));
		btf__free(btf);
		close(mapfd);
		free(k);
		free(insns);
		return -EINVAL;
	}
	/* Socket filter: tracing types get private stacks for big frames on
	 * x86-64 and would not sum a call chain's frames. */
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = klog, .log_size = sizeof(klog),
	            .log_level = 1 | 4, .prog_btf_fd = (unsigned)btf__fd(btf), .func_info = fi,
	            .func_info_cnt = (unsigned)nfi, .func_info_rec_size = sizeof(fi[0]));
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "vt", "GPL", k, (unsigned)n, &o);
	err = fd < 0 ? -errno : parse_depths(depths, nd);
	if (fd >= 0)
		close(fd);
	close(mapfd);
	btf__free(btf);
	free(k);
	free(insns);
	return err;
}

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
	/* EBADF with a log of statistics only: the kernel verified and
	 * loaded the program, then libbpf failed to fill an initial
	 * prog_array slot with a program that is not loaded here. */
	if (err == -EBADF && log_is_stats_only(klog))
		err = 0;
	if (!err)
		err = parse_depths(depths, nd);
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

enum { R_EQUAL, R_DIFF, R_BOTH, R_KERNEL, R_OURS };
static int asm_subs, asm_subs_equal;

static int check_asm(const char *path)
{
	struct b2n_input *in = NULL;
	unsigned kd[64];
	size_t nk;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	ourdiag_len = 0;
	ourdiag[0] = 0;
	int ours = vt_open(path, 0, &in);
	int kerr = kernel_asm(path, kd, &nk);
	if (kerr) {
		const char *why = last_line(klog);
		b2n_input__free(in);
		if (ours) {
			printf("both refuse %s: kernel: %s (%s); ours: %s", base, why,
			       strerror(-kerr), ourdiag);
			return R_BOTH;
		}
		printf("kernel refuses %s: %s (%s)\n", base, why, strerror(-kerr));
		return R_KERNEL;
	}
	if (ours) {
		printf("FAIL %s: the kernel accepts it, we refuse: %s", base, ourdiag);
		return R_OURS;
	}
	struct b2n_prog *p = &in->progs[0];
	char ks[512] = "", os[512] = "";
	size_t kl = 0, ol = 0;
	for (size_t i = 0; i < nk; i++) {
		kl += (size_t)snprintf(ks + kl, sizeof(ks) - kl, "%s%u", i ? "+" : "", kd[i]);
		asm_subs++;
		asm_subs_equal += i < p->nfuncs && p->funcs[i].stack_depth == kd[i];
	}
	for (size_t i = 0; i < p->nfuncs; i++)
		ol += (size_t)snprintf(os + ol, sizeof(os) - ol, "%s%u", i ? "+" : "",
		                       p->funcs[i].stack_depth);
	int same = !strcmp(ks, os);
	printf("%s %s: kernel %s, ours %s\n", same ? "ok  " : "FAIL", base, ks, os);
	b2n_input__free(in);
	return same ? R_EQUAL : R_DIFF;
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
		if (vt_is_asm(argv[a])) {
			int r = check_asm(argv[a]);
			compared += r == R_EQUAL || r == R_DIFF;
			equal += r == R_EQUAL;
			both_refuse += r == R_BOTH;
			kernel_refuses += r == R_KERNEL;
			we_refuse += r == R_OURS;
			failures += r == R_DIFF || r == R_OURS;
			continue;
		}
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
		if (!lo) { /* e.g. legacy "maps" sections, which libbpf 1.x refuses */
			printf("not compared: libbpf cannot open %s\n", base);
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
					printf("both refuse %s %s: kernel: %s (%s); ours: %s", base,
					       name, why, strerror(-kerr), ourdiag);
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
				printf("FAIL %s %s: the kernel accepts it, we refuse: %s", base,
				       name, ourdiag);
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
				kl += (size_t)snprintf(ks + kl, sizeof(ks) - kl, "%s%u",
				                       i ? "+" : "", kd[i]);
			for (size_t i = 0; i < no; i++)
				ol +=
				    (size_t)snprintf(os + ol, sizeof(os) - ol, "%s%u", i ? "+" : "",
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
	subs += asm_subs;
	subs_equal += asm_subs_equal;
	printf("kernel oracle: %d programs compared, %d equal (%d of %d subprogram depths "
	       "equal); %d refused by both; %d refused by the kernel only; %d refused by us "
	       "only\n",
	       compared, equal, subs_equal, subs, both_refuse, kernel_refuses, we_refuse);
	return failures || compared == 0 ? 1 : 0;
}
