/*
 * difftest.c - the host side of the random-program differential test.
 *
 *   difftest gen SEED FIRST COUNT DIR
 *       programs FIRST .. FIRST+COUNT-1 of SEED (gen.c) into DIR: p<pos>.bin
 *       (raw bpfel bytecode, so bpf2native names the program b2n_p<pos>__prog),
 *       meta.txt (per program: index, inputs, and the host reference
 *       interpreter's result emulating a little- and a big-endian machine)
 *       and fns.c (the table of the COUNT program symbols, for diff_main.c);
 *   difftest kernel SEED FIRST COUNT
 *       the same programs loaded into the running kernel as socket filters
 *       (bpf_prog_load) and run once each by BPF_PROG_TEST_RUN with the
 *       inputs in __sk_buff cb[]; the 32-bit retval must equal the low 32
 *       bits of the host interpreter's result.  A refused program is a
 *       generator bug and fails the run.  Exit 77 without bpf();
 *   difftest show SEED INDEX
 *       one program: disassembly, inputs, the host interpreter's results in
 *       both byte orders and, when bpf() works, the kernel's;
 *   difftest data SEED INDEX
 *       the program as a conformance .data file (regression tests).
 * A host interpreter fault on a generated program is a generator bug too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <bpf2native/runtime.h>

#include "frontend/frontend.h"
#include "gen.h"

static int host_run(const struct dg_prog *p, int big_endian, uint64_t *r0)
{
	unsigned char ctx[DG_CTX_SIZE];
	struct b2n_interp_opts o;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.big_endian = big_endian;
	dg_ctx(p, big_endian, ctx);
	*r0 = 0;
	return b2n_interp__run(p->insns, p->n, ctx, 0, &o, r0);
}

static int generate(uint64_t seed, uint64_t index, struct dg_prog *p)
{
	if (dg_generate(seed, index, p)) {
		fprintf(stderr, "difftest: out of memory\n");
		exit(2);
	}
	return 0;
}

/* ---- the kernel ---------------------------------------------------------- */

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static char klog[1 << 16];

/* Returns 0 and sets *ret, or -errno of the load (klog holds the verifier's
 * log) or of the test run. */
static int kernel_run(const struct dg_prog *p, uint32_t *ret, int *refused)
{
	struct bpf_insn *k = calloc(p->n, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		k[i].code = p->insns[i].code;
		k[i].dst_reg = p->insns[i].dst & 0xf;
		k[i].src_reg = p->insns[i].src & 0xf;
		k[i].off = p->insns[i].off;
		k[i].imm = p->insns[i].imm;
	}
	klog[0] = 0;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "difftest", "GPL", k, p->n, NULL);
	if (fd < 0) { /* again, with the verifier's log */
		LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = klog, .log_size = sizeof(klog),
		            .log_level = 1);
		fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "difftest", "GPL", k, p->n, &lo);
	}
	free(k);
	*refused = fd < 0;
	if (fd < 0)
		return -errno;
	unsigned char pkt[64];
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08; /* ETH_P_IP */
	struct __sk_buff skb;
	memset(&skb, 0, sizeof(skb));
	for (int i = 0; i < DG_NINPUTS; i++)
		skb.cb[i] = p->in[i];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
	            .ctx_in = &skb, .ctx_size_in = sizeof(skb), .repeat = 1);
	int e = bpf_prog_test_run_opts(fd, &t);
	e = e ? -errno : 0;
	close(fd);
	*ret = t.retval;
	return e;
}

static int can_bpf(void)
{
	struct bpf_insn p[2];
	memset(p, 0, sizeof(p));
	p[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	p[1].code = BPF_JMP | BPF_EXIT;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", p, 2, NULL);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The last lines of the verifier's log (the reason is at the end). */
static void print_log_tail(void)
{
	size_t len = strlen(klog);
	const char *p = klog + len;
	for (int lines = 0; p > klog && lines < 6;)
		if (*--p == '\n' && p + 1 < klog + len)
			lines++;
	printf("  verifier log (end):\n");
	for (const char *q = p; *q;) {
		const char *e = strchr(q, '\n');
		size_t n = e ? (size_t)(e - q) : strlen(q);
		if (n)
			printf("    %.*s\n", (int)n, q);
		q += n + (e != NULL);
	}
}

static void show(uint64_t seed, uint64_t index, int with_kernel)
{
	struct dg_prog p;
	generate(seed, index, &p);
	printf("--- seed %" PRIu64 " index %" PRIu64 ": %zu insns, inputs (cb[0..4])", seed, index,
	       p.n);
	for (int i = 0; i < DG_NINPUTS; i++)
		printf(" 0x%08" PRIx32, p.in[i]);
	printf("\n");
	b2n_disasm__prog(p.insns, p.n, stdout, 1);
	uint64_t le, be;
	int lrc = host_run(&p, 0, &le), brc = host_run(&p, 1, &be);
	printf("host interpreter: little-endian 0x%016" PRIx64 " (rc %d), big-endian 0x%016" PRIx64
	       " (rc %d)\n",
	       le, lrc, be, brc);
	if (with_kernel) {
		uint32_t kr;
		int refused;
		int e = kernel_run(&p, &kr, &refused);
		if (e)
			printf("kernel: %s (%s)\n", refused ? "refused" : "test run failed",
			       strerror(-e));
		else
			printf("kernel: retval 0x%08" PRIx32 "\n", kr);
		if (refused)
			print_log_tail();
	}
	dg_free(&p);
}

static int kernel_mode(uint64_t seed, uint64_t first, uint64_t count)
{
	int e = can_bpf();
	if (e) {
		printf("SKIP differential[kernel]: bpf(BPF_PROG_LOAD) is not permitted here (%s); "
		       "the kernel needs CAP_BPF (run as root)\n",
		       strerror(-e));
		return 77;
	}
	FILE *jit = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int jit_on = -1;
	if (jit) {
		if (fscanf(jit, "%d", &jit_on) != 1)
			jit_on = -1;
		fclose(jit);
	}
	printf("differential[kernel]: seed %" PRIu64 ", programs %" PRIu64 "..%" PRIu64
	       ", bpf_jit_enable=%d\n",
	       seed, first, first + count - 1, jit_on);
	uint64_t agree = 0, mismatch = 0, refusals = 0, errors = 0;
	for (uint64_t i = first; i < first + count; i++) {
		struct dg_prog p;
		generate(seed, i, &p);
		uint64_t host;
		int hrc = host_run(&p, 0, &host);
		uint32_t kr = 0;
		int refused = 0;
		int ke = kernel_run(&p, &kr, &refused);
		if (refused) {
			refusals++;
			printf("REFUSED seed=%" PRIu64 " index=%" PRIu64
			       ": the kernel refuses a generated program (%s): a generator bug\n",
			       seed, i, strerror(-ke));
			print_log_tail();
		} else if (ke || hrc) {
			errors++;
			printf("ERROR seed=%" PRIu64 " index=%" PRIu64 ": kernel test run %d, host "
			       "interpreter %d\n",
			       seed, i, ke, hrc);
		} else if (kr != (uint32_t)host) {
			mismatch++;
			printf("MISMATCH target=kernel seed=%" PRIu64 " index=%" PRIu64
			       " kernel=0x%08" PRIx32 " host-interp=0x%016" PRIx64 "\n",
			       seed, i, kr, host);
			show(seed, i, 0);
		} else {
			agree++;
		}
		dg_free(&p);
	}
	printf("differential[kernel]: programs %" PRIu64 ", agree %" PRIu64 ", mismatches %" PRIu64
	       ", kernel refusals %" PRIu64 ", errors %" PRIu64 "\n",
	       count, agree, mismatch, refusals, errors);
	printf("differential[kernel]: %" PRIu64 " passed, %" PRIu64 " failed\n", agree,
	       count - agree);
	return agree == count ? 0 : 1;
}

/* ---- a batch for the targets ---------------------------------------------- */

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, mode);
	if (!f) {
		fprintf(stderr, "difftest: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return f;
}

static int gen_mode(uint64_t seed, uint64_t first, uint64_t count, const char *dir)
{
	mkdir(dir, 0755);
	FILE *meta = open_in(dir, "meta.txt", "w");
	fprintf(meta, "seed %" PRIu64 " count %" PRIu64 "\n", seed, count);
	int bad = 0;
	for (uint64_t pos = 0; pos < count; pos++) {
		struct dg_prog p;
		generate(seed, first + pos, &p);
		char name[64];
		snprintf(name, sizeof(name), "p%" PRIu64 ".bin", pos);
		FILE *f = open_in(dir, name, "wb");
		for (size_t i = 0; i < p.n; i++) {
			unsigned char w[8];
			b2n_insn_encode(&p.insns[i], w, 0);
			fwrite(w, 1, 8, f);
		}
		if (fclose(f)) {
			fprintf(stderr, "difftest: %s/%s: write error\n", dir, name);
			return 2;
		}
		uint64_t le, be;
		int lrc = host_run(&p, 0, &le), brc = host_run(&p, 1, &be);
		if (lrc || brc) {
			printf("GENBUG seed=%" PRIu64 " index=%" PRIu64
			       ": the host interpreter faults (%d, %d) on a generated program\n",
			       seed, first + pos, lrc, brc);
			bad++;
		}
		fprintf(meta, "%" PRIu64 " %" PRIu64, pos, first + pos);
		for (int i = 0; i < DG_NINPUTS; i++)
			fprintf(meta, " %" PRIx32, p.in[i]);
		fprintf(meta, " %" PRIx64 " %" PRIx64 "\n", le, be);
		dg_free(&p);
	}
	if (fclose(meta))
		return 2;
	FILE *fns = open_in(dir, "fns.c", "w");
	fprintf(fns, "/* Generated by difftest: the %" PRIu64 " programs of a batch. */\n", count);
	fprintf(fns, "#include <stdint.h>\n#include <stddef.h>\n");
	for (uint64_t pos = 0; pos < count; pos++)
		fprintf(fns,
		        "extern uint64_t b2n_p%" PRIu64 "__prog(void *, uint64_t) "
		        "__attribute__((weak));\n",
		        pos);
	fprintf(fns, "uint64_t (*const dt_fns[])(void *, uint64_t) = {\n");
	for (uint64_t pos = 0; pos < count; pos++)
		fprintf(fns, "\tb2n_p%" PRIu64 "__prog,\n", pos);
	fprintf(fns, "};\nconst size_t dt_nfns = %" PRIu64 ";\n", count);
	if (fclose(fns))
		return 2;
	return bad ? 1 : 0;
}

static int data_mode(uint64_t seed, uint64_t index)
{
	struct dg_prog p;
	generate(seed, index, &p);
	uint64_t le;
	int rc = host_run(&p, 0, &le);
	unsigned char ctx[DG_CTX_SIZE];
	dg_ctx(&p, 0, ctx);
	printf("# differential: seed %" PRIu64 " index %" PRIu64 "\n-- asm\n", seed, index);
	b2n_disasm__prog(p.insns, p.n, stdout, 0);
	printf("-- mem\n");
	for (int i = 0; i < DG_CTX_SIZE; i++)
		printf("%02x%s", ctx[i], i % 16 == 15 ? "\n" : " ");
	printf("-- result\n0x%" PRIx64 "\n", le);
	dg_free(&p);
	return rc ? 1 : 0;
}

static uint64_t num(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "difftest: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet_libbpf);
	if (argc == 6 && !strcmp(argv[1], "gen"))
		return gen_mode(num(argv[2]), num(argv[3]), num(argv[4]), argv[5]);
	if (argc == 5 && !strcmp(argv[1], "kernel"))
		return kernel_mode(num(argv[2]), num(argv[3]), num(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "show")) {
		show(num(argv[2]), num(argv[3]), can_bpf() == 0);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "data"))
		return data_mode(num(argv[2]), num(argv[3]));
	fprintf(stderr, "usage: difftest gen SEED FIRST COUNT DIR\n"
	                "       difftest kernel SEED FIRST COUNT\n"
	                "       difftest show SEED INDEX\n"
	                "       difftest data SEED INDEX\n");
	return 2;
}
