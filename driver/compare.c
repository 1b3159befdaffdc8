/*
 * compare.c - `bpf2native compare`: bpf2native side by side with the
 * kernel's JIT, per program of a BPF object.
 *
 * Static columns.  The object is compiled once for the chosen target with
 * the normal pipeline (b2n_native__compile: b2n_compile's, in memory, with
 * verbose assembly), as an object and as assembly, and lower/stats.c reads
 * each program's functions back: instructions (LLVM's
 * disassembler over the function's bytes), code bytes, frame bytes (CFI)
 * and the register allocator's spill/reload comments.  A program is its
 * exported wrapper plus its functions (those LLVM did not inline).
 *
 * The kernel on this machine (when --target is the host).  libbpf loads
 * the program alone (log level 4 for "stack depth"; on a refusal again at
 * level 1 for the reason), bpf_obj_get_info_by_fd gives the xlated length
 * and the JIT image, which the same disassembler counts for the host.
 * Anything that does not work (no bpf() permission, a refusal, no JIT, an
 * unreadable image) becomes the reason printed in the column.
 *
 * Timing (host target only).  The kernel runs BPF_PROG_TEST_RUN with
 * repeat, and an empty program of the same type runs the same way so that
 * the harness overhead stands beside it.  Ours: the native object is linked
 * with ld.lld -shared and opened with libb2n (b2n_object__open_file) in a
 * forked child, so that a crash of compiled code costs only the column:
 * bpf2native links the runtime whole and exports it (-rdynamic), which the
 * shared object needs.  Packet programs run through b2n_program__test_run,
 * looked up with dlsym so that this file builds before the runtime has it;
 * other programs through b2n_program__run with the input as ctx.  The
 * first run of each side gives the retval and the output packet, compared
 * for the agreement column; the timed runs follow.
 *
 * Other targets' kernel JITs cannot be run here.  For every target the
 * program's instructions are scanned for what that JIT lacks; for sparcv9
 * (no JMP32 class, no v4 instructions, only a non-fetching atomic add) the
 * first instruction it would refuse is named, and its instruction count
 * and frame are estimated from the per-instruction costs of
 * arch/sparc/net/bpf_jit_comp_64.c: labelled as an estimate everywhere.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <bpf2native/libb2n.h>

#include "driver/driver.h"
#include "frontend/frontend.h"
#include "lower/lower.h"
#include "targets/targets.h"

extern char **environ;

#if defined(__x86_64__)
#define HOST_TARGET "x86_64"
#elif defined(__aarch64__)
#define HOST_TARGET "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_TARGET "riscv64"
#elif defined(__s390x__)
#define HOST_TARGET "s390x"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define HOST_TARGET "ppc64le"
#elif defined(__sparc__) && defined(__arch64__)
#define HOST_TARGET "sparcv9"
#else
#define HOST_TARGET ""
#endif

#define WHY 240
#define MAX_PKT 4096

enum fmt { FMT_TEXT, FMT_JSON, FMT_CSV };

struct opts {
	const char *path, *input, *only;
	const struct b2n_target *t;
	int opt_level, repeat;
	enum fmt fmt;
	int host; /* t is this machine */
};

/* One side's run: retval, output packet, mean ns. */
struct run {
	int ok;
	char why[WHY];
	uint64_t retval;
	double ns;
	double empty_ns; /* ours: an empty program of the same type, or -1 */
	uint32_t out_len;
	int has_out;
	unsigned char out[MAX_PKT];
};

struct func_row {
	char name[128];
	int emitted;
	int reached; /* the wrapper reaches it (else a tail-call-only copy) */
	struct b2n_func_stats st;
	uint32_t depth;
};

struct row {
	const struct b2n_prog *p;
	char type[32];
	int packet; /* XDP, tc or socket filter: runs on a packet */
	size_t bpf_insns;
	/* ours */
	int ours_ok;
	char ours_why[WHY];
	size_t insns, bytes;
	long frame;
	unsigned spills, reloads;
	struct func_row *fns;
	size_t nfns;
	char depths[128];
	/* the target's kernel JIT, from the instructions */
	char kjit[WHY];
	int est_ok;
	size_t est_insns;
	long est_frame;
	/* the kernel on this machine */
	int k_ok;
	char k_why[WHY];
	size_t k_xlated, k_jited_bytes, k_jited_insns;
	long k_frame; /* stack the JIT's main-function prologue allocates, -1 */
	char k_depths[128];
	long k_stack;
	struct run kr, kempty, ours;
	char agree[WHY];
};

/* ---- small utilities ---------------------------------------------------- */

static void whyf(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void whyf(char *dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, WHY, fmt, ap);
	va_end(ap);
	for (char *c = dst; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
}

/* CPU time of this thread: like the kernel's bpf_test_timer, which stops
 * its clock while the test run is scheduled out, the figure does not
 * count time lost to other processes on a loaded machine. */
static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A small UDP/IPv4 packet over Ethernet (64 bytes), checksummed. */
static size_t default_packet(unsigned char *p)
{
	static const unsigned char hdr[] = {
	    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	    0x45, 0x00, 0x00, 0x32, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   0,
	    0,    1,    10,   0,    0,    2,    0x04, 0xd2, 0x16, 0x2e, 0x00, 0x1e, 0x00, 0x00};
	static const char payload[] = "bpf2native compare pkt";
	memcpy(p, hdr, sizeof(hdr));
	memcpy(p + sizeof(hdr), payload, 22);
	uint32_t sum = 0;
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	p[24] = (unsigned char)(sum >> 8);
	p[25] = (unsigned char)sum;
	return sizeof(hdr) + 22;
}

static int is_packet_type(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS ||
	       t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_SOCKET_FILTER;
}

/* ---- the target's kernel JIT, from the instructions ---------------------- */

static int simm13(int64_t v)
{
	return v >= -4096 && v <= 4095;
}

/* Instructions the sparc64 JIT emits for one BPF instruction (without
 * CBCOND), following bpf_jit_comp_64.c's build_insn; an estimate. */
static int sparc_cost(const struct b2n_insn *in, const struct b2n_form *f, int last)
{
	int trunc = !f->is64;
	int k = simm13(in->imm) ? 1 : 3;
	switch (f->family) {
	case B2N_F_ALU:
		switch (f->op) {
		case B2N_ALU_MOV:
			if (f->src_reg)
				return 1;
			return f->is64 ? (simm13(in->imm) ? 1 : 2)
			               : (in->imm >= 0 && simm13(in->imm) ? 1 : 2);
		case B2N_ALU_RSH:
			return f->src_reg ? 1 : k;
		case B2N_ALU_DIV:
			return (trunc ? 1 : 0) + (f->src_reg ? 1 : k) + (trunc && !f->src_reg);
		case B2N_ALU_MOD:
			if (f->src_reg)
				return f->is64 ? 3 : 5;
			return (trunc ? 1 : 0) + (simm13(in->imm) ? 3 : 5) + trunc;
		case B2N_ALU_MUL:
			return (f->src_reg ? 1 : k) + trunc;
		default:
			return (f->src_reg ? 1 : k) + trunc;
		}
	case B2N_F_END:
		if (f->op == B2N_END_BE)
			return f->size == 16 ? 2 : f->size == 32 ? 1 : 0;
		return f->size == 16 ? 5 : f->size == 32 ? 12 : 3;
	case B2N_F_JA:
		return 2;
	case B2N_F_JCC:
		return 3 + (!f->src_reg && !simm13(in->imm) ? 2 : 0);
	case B2N_F_CALL:
		return in->imm == 12 ? 20 : 3; /* bpf_tail_call: emit_tail_call */
	case B2N_F_CALL_LOCAL:
		return 3;
	case B2N_F_EXIT:
		return last ? 0 : 2;
	case B2N_F_LDDW: {
		/* emit_loadimm64: 1-2 for 32-bit values, up to ~6 otherwise;
		 * map and data references are 64-bit kernel addresses. */
		if (in->src)
			return 4;
		int64_t v = (int64_t)((uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in->imm);
		if (v >= -4096 && v <= 4095)
			return 1;
		if (v == (int32_t)v || (uint64_t)v <= 0xffffffffu)
			return 2;
		return 4;
	}
	case B2N_F_LDX:
	case B2N_F_STX:
		return 1 + (simm13(in->off) ? 0 : 2);
	case B2N_F_ST:
		return (simm13(in->imm) ? 1 : 2) + 1 + (simm13(in->off) ? 0 : 2);
	case B2N_F_ATOMIC:
		return (simm13(in->off) ? 1 : 2) + 6;
	default:
		return 0;
	}
}

/* What the target's kernel JIT cannot do in this program, and for sparcv9
 * an estimate of its code.  Facts per JIT (upstream Linux):
 *  - sparc64 (arch/sparc/net/bpf_jit_comp_64.c): no JMP32 class, no v4
 *    instructions (movsx, ldsx, sdiv/smod, bswap, gotol), atomics only as
 *    a non-fetching add; a refused program falls back to the interpreter
 *    (or fails to load with CONFIG_BPF_JIT_ALWAYS_ON).
 *  - x86-64, arm64, riscv64, s390x: the whole ISA including v4 (6.6+).
 *  - powerpc64: v4 instructions since 6.8 (older kernels refuse them). */
static void kernel_jit_note(const struct b2n_target *t, struct row *r)
{
	const struct b2n_prog *p = r->p;
	size_t first = (size_t)-1, v4 = (size_t)-1;
	const char *what = NULL, *v4what = NULL;
	size_t est = 0, nbad = 0;
	int uses_fp = 0, tail = 0;
	for (size_t i = 0; i < p->ninsns; i++) {
		const struct b2n_insn *in = &p->insns[i];
		struct b2n_form f;
		if (b2n_isa_classify(in, &f))
			continue;
		const char *bad = NULL, *isv4 = NULL;
		if ((in->code & 7) == B2N_CLS_JMP32)
			bad = f.family == B2N_F_JA ? "gotol" : "JMP32";
		if (f.family == B2N_F_ALU &&
		    (f.op == B2N_ALU_MOVSX8 || f.op == B2N_ALU_MOVSX16 || f.op == B2N_ALU_MOVSX32))
			isv4 = "movsx";
		else if (f.family == B2N_F_ALU && (f.op == B2N_ALU_SDIV || f.op == B2N_ALU_SMOD))
			isv4 = "sdiv/smod";
		else if (f.family == B2N_F_LDXSX)
			isv4 = "ldsx";
		else if (f.family == B2N_F_END && f.op == B2N_END_BSWAP)
			isv4 = "bswap";
		else if (f.family == B2N_F_JA && (in->code & 7) == B2N_CLS_JMP32)
			isv4 = "gotol";
		if (isv4 && v4 == (size_t)-1) {
			v4 = i;
			v4what = isv4;
		}
		if (!bad && isv4)
			bad = isv4;
		if (!bad && f.family == B2N_F_ATOMIC && (f.op != B2N_ATOMIC_ADD || f.fetch))
			bad = "atomic other than add";
		if (!bad && f.family == B2N_F_CALLX)
			bad = "callx";
		if (!bad && f.family == B2N_F_LDABS)
			bad = NULL; /* the verifier rewrites LD_ABS/IND for every JIT */
		if (bad)
			nbad++;
		if (bad && first == (size_t)-1) {
			first = i;
			what = bad;
		}
		if (in->src == 10 || in->dst == 10)
			uses_fp = 1;
		if (f.family == B2N_F_CALL && in->imm == 12)
			tail = 1;
		est += (size_t)sparc_cost(in, &f, i + f.slots >= p->ninsns);
		i += (size_t)f.slots - 1;
	}
	/* Prologue (save, nop or tail-call count, vfp, ctx move) and
	 * epilogue (ret, restore) per function. */
	est += p->nfuncs * (3 + (size_t)uses_fp + 2);
	char dis[96] = "";
	if (!strcmp(t->name, "sparcv9")) {
		r->est_ok = 1;
		r->est_insns = est;
		uint32_t d = p->nfuncs ? p->funcs[0].stack_depth : 0;
		r->est_frame =
		    176 + ((uses_fp || tail) ? (long)((d + 15) & ~15u) : 0) + (tail ? 8 : 0);
		if (first != (size_t)-1) {
			b2n_disasm__insn(p->insns, p->ninsns, first, dis, sizeof(dis));
			whyf(r->kjit,
			     "kernel sparc64 JIT: would refuse (%s at insn %zu `%s`; %zu insns "
			     "it cannot JIT)",
			     what, first, dis, nbad);
		} else {
			whyf(r->kjit, "kernel sparc64 JIT: supports every instruction used");
		}
	} else if (!strcmp(t->name, "ppc64le") && v4 != (size_t)-1) {
		b2n_disasm__insn(p->insns, p->ninsns, v4, dis, sizeof(dis));
		whyf(r->kjit, "kernel powerpc64 JIT: v4 %s at insn %zu `%s` needs Linux >= 6.8",
		     v4what, v4, dis);
	} else {
		const char *kn = !strcmp(t->name, "aarch64")   ? "arm64"
		                 : !strcmp(t->name, "ppc64le") ? "powerpc64"
		                                               : t->name;
		whyf(r->kjit, "kernel %s JIT: supports every instruction used (Linux >= 6.6)%s", kn,
		     v4 != (size_t)-1 ? "" : "");
	}
}

/* ---- the kernel on this machine ----------------------------------------- */

static char *klog;
#define KLOG_SIZE (1u << 22)

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int bpf_probe(char *why)
{
	struct bpf_insn p[2];
	memset(p, 0, sizeof(p));
	p[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	p[1].code = BPF_JMP | BPF_EXIT;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", p, 2, NULL);
	if (fd < 0) {
		int e = errno;
		whyf(why, "bpf() not permitted here (%s)", strerror(e));
		return -e;
	}
	close(fd);
	return 0;
}

/* The last line of the verifier log that is not a statistics line. */
static void log_reason(char *why, int err)
{
	char *log = klog;
	for (;;) {
		size_t n = strlen(log);
		while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
			log[--n] = 0;
		char *p = strrchr(log, '\n');
		char *l = p ? p + 1 : log;
		if (!p || (strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17) &&
		           strncmp(l, "stack depth", 11))) {
			if (*l)
				whyf(why, "kernel refuses it: %s (%s)", l, strerror(-err));
			else
				whyf(why, "kernel load failed: %s", strerror(-err));
			return;
		}
		*p = 0;
	}
}

/* Open the object with libbpf: autoload every program (all), or only
 * `name`. */
static struct bpf_object *kopen(const char *path, const char *name, int all,
                                struct bpf_program **out, char *why)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	*out = NULL;
	if (!obj) {
		whyf(why, "libbpf cannot open the object (%s)", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(prog, obj)
	{
		int me = !strcmp(bpf_program__name(prog), name);
		bpf_program__set_autoload(prog, me || all);
		if (me)
			*out = prog;
	}
	if (!*out) {
		whyf(why, "libbpf does not see a program %s", name);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int ktest(int fd, const struct opts *o, const unsigned char *in, size_t inlen, int packet,
                 int repeat, struct run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = repeat);
	if (packet) {
		t.data_in = in;
		t.data_size_in = (uint32_t)inlen;
		t.data_out = r->out;
		t.data_size_out = sizeof(r->out);
	} else if (inlen) {
		t.ctx_in = in;
		t.ctx_size_in = (uint32_t)inlen;
	}
	(void)o;
	int err = bpf_prog_test_run_opts(fd, &t);
	if (err) {
		whyf(r->why, "BPF_PROG_TEST_RUN: %s", strerror(errno));
		return -1;
	}
	r->ok = 1;
	r->retval = t.retval;
	r->ns = t.duration;
	if (packet) {
		r->has_out = 1;
		r->out_len = t.data_size_out;
	}
	return 0;
}

static void kernel_side(const struct opts *o, struct row *r, const unsigned char *in, size_t inlen)
{
	struct bpf_program *prog;
	struct bpf_object *obj = NULL;
	int err = -EINVAL;
	/* First with every program of the object (tail-call targets fill
	 * the prog_array slots libbpf initialises), then with this one
	 * alone, then alone at log level 1 for the verifier's reason. */
	for (int attempt = 0; attempt < 3 && err; attempt++) {
		if (obj)
			bpf_object__close(obj);
		obj = kopen(o->path, r->p->name, attempt == 0, &prog, r->k_why);
		if (!obj)
			return;
		klog[0] = 0;
		bpf_program__set_log_buf(prog, klog, KLOG_SIZE);
		bpf_program__set_log_level(prog, attempt == 2 ? 1 : 4);
		err = bpf_object__load(obj);
	}
	if (err) {
		log_reason(r->k_why, err);
		bpf_object__close(obj);
		return;
	}
	const char *sd = strstr(klog, "stack depth ");
	r->k_stack = -1;
	r->k_frame = -1;
	if (sd) {
		sd += 12;
		size_t n = strcspn(sd, "\n");
		snprintf(r->k_depths, sizeof(r->k_depths), "%.*s", (int)n, sd);
		r->k_stack = 0;
		for (const char *s = sd; *s && *s != '\n';) {
			char *e;
			long v = strtol(s, &e, 10);
			if (e == s)
				break;
			r->k_stack += v;
			s = *e == '+' ? e + 1 : e;
		}
	}
	int fd = bpf_program__fd(prog);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		whyf(r->k_why, "bpf_obj_get_info_by_fd: %s", strerror(errno));
		bpf_object__close(obj);
		return;
	}
	r->k_ok = 1;
	r->k_xlated = info.xlated_prog_len / 8;
	r->k_jited_bytes = info.jited_prog_len;
	if (!info.jited_prog_len) {
		whyf(r->k_why, "not JITed (bpf_jit_enable off: the interpreter runs it)");
	} else {
		unsigned char *img = b2n_xcalloc(info.jited_prog_len, 1);
		uint32_t jl = info.jited_prog_len, nf = info.nr_jited_func_lens;
		uint32_t *flens = b2n_xcalloc(nf ? nf : 1, sizeof(*flens));
		memset(&info, 0, sizeof(info));
		info.jited_prog_len = jl;
		info.jited_prog_insns = (uint64_t)(uintptr_t)img;
		info.nr_jited_func_lens = nf;
		info.jited_func_lens = (uint64_t)(uintptr_t)flens;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.jited_prog_insns) {
			whyf(r->k_why, "JIT image not readable here (%s)",
			     info.jited_prog_insns ? strerror(errno)
			                           : "kptr_restrict / no CAP_PERFMON");
		} else {
			struct b2n_code_stats cs;
			if (!b2n_code__count(NULL, img, jl, &cs))
				r->k_jited_insns = cs.insns;
			/* The main function's frame: its image comes first. */
			uint32_t l0 = nf && flens[0] && flens[0] <= jl ? flens[0] : jl;
			if (!b2n_code__count(NULL, img, l0, &cs))
				r->k_frame = cs.frame;
		}
		free(flens);
		free(img);
	}
	if (!o->host) {
		bpf_object__close(obj);
		return;
	}
	/* The first run gives retval and packet; then the timed run. */
	if (!ktest(fd, o, in, inlen, r->packet, 0, &r->kr)) {
		struct run timed;
		memset(&timed, 0, sizeof(timed));
		ktest(fd, o, in, inlen, r->packet, o->repeat < 1000 ? o->repeat : 1000, &timed);
		memset(&timed, 0, sizeof(timed));
		if (!ktest(fd, o, in, inlen, r->packet, o->repeat, &timed))
			r->kr.ns = timed.ns;
		else
			whyf(r->kr.why, "%s (with repeat)", timed.why), r->kr.ns = -1;
	}
	/* The harness: an empty program of the same type. */
	struct bpf_insn e[2];
	memset(e, 0, sizeof(e));
	e[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	e[0].imm = bpf_program__type(prog) == BPF_PROG_TYPE_XDP ? XDP_PASS : 0;
	e[1].code = BPF_JMP | BPF_EXIT;
	LIBBPF_OPTS(bpf_prog_load_opts, lo,
	            .expected_attach_type = bpf_program__expected_attach_type(prog));
	int efd = bpf_prog_load(bpf_program__type(prog), "empty", "GPL", e, 2, &lo);
	if (efd < 0) {
		whyf(r->kempty.why, "empty program: %s", strerror(errno));
	} else {
		ktest(efd, o, in, inlen, r->packet, o->repeat < 1000 ? o->repeat : 1000,
		      &r->kempty);
		memset(&r->kempty, 0, sizeof(r->kempty));
		ktest(efd, o, in, inlen, r->packet, o->repeat, &r->kempty);
		close(efd);
	}
	bpf_object__close(obj);
}

/* ---- ours: run in a child --------------------------------------------- */

typedef int (*test_run_fn)(const struct b2n_program *, struct b2n_test_run_opts *);

static int quiet_rt(enum b2n_rt_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Time `repeat` runs of p after a warm-up (lazy binding, first-touch
 * faults); the mean ns per run in *ns.  Returns 0 or -errno. */
static int time_prog(const struct b2n_program *p, test_run_fn tr, const unsigned char *in,
                     size_t inlen, int repeat, double *ns)
{
	int err = 0;
	if (tr) {
		unsigned char *scratch = malloc(MAX_PKT);
		struct b2n_test_run_opts t = {.sz = sizeof(t),
		                              .data_in = in,
		                              .data_size_in = (uint32_t)inlen,
		                              .data_out = scratch,
		                              .data_size_out = MAX_PKT,
		                              .repeat = repeat < 1000 ? repeat : 1000};
		err = tr(p, &t);
		t.repeat = repeat;
		t.data_size_out = MAX_PKT;
		double t0 = now_ns();
		if (!err)
			err = tr(p, &t);
		*ns = (now_ns() - t0) / repeat;
		free(scratch);
		return err;
	}
	unsigned char ctx[MAX_PKT];
	uint64_t ret;
	memset(ctx, 0, sizeof(ctx));
	memcpy(ctx, in, inlen);
	for (int i = 0; i < repeat && i < 1000 && !err; i++)
		err = b2n_program__run(p, ctx, &ret);
	double t0 = now_ns();
	for (int i = 0; i < repeat && !err; i++)
		err = b2n_program__run(p, ctx, &ret);
	*ns = (now_ns() - t0) / repeat;
	return err;
}

static void child_run(const char *so, const char *objname, const char *empty_obj, const char *prog,
                      int packet, const unsigned char *in, size_t inlen, int repeat, struct run *r)
{
	struct b2n_object_open_opts oo = {.sz = sizeof(oo), .object_name = objname};
	b2n_rt_set_print(quiet_rt);
	r->empty_ns = -1;
	struct b2n_object *obj = b2n_object__open_file(so, &oo);
	if (!obj) {
		whyf(r->why, "b2n_object__open_file: %s", strerror(errno));
		return;
	}
	int err = b2n_object__load(obj);
	if (err) {
		whyf(r->why, "b2n_object__load: %s", strerror(-err));
		return;
	}
	struct b2n_program *p = b2n_object__find_program_by_name(obj, prog);
	if (!p) {
		whyf(r->why, "libb2n does not see a program %s", prog);
		return;
	}
	test_run_fn tr = NULL;
	if (packet) {
		tr = (test_run_fn)dlsym(RTLD_DEFAULT, "b2n_program__test_run");
		if (!tr) {
			whyf(r->why, "b2n_program__test_run is not in this runtime yet");
			return;
		}
		struct b2n_test_run_opts t = {.sz = sizeof(t),
		                              .data_in = in,
		                              .data_size_in = (uint32_t)inlen,
		                              .data_out = r->out,
		                              .data_size_out = sizeof(r->out),
		                              .repeat = 1};
		err = tr(p, &t);
		if (err) {
			whyf(r->why, "b2n_program__test_run: %s", strerror(-err));
			return;
		}
		r->retval = t.retval;
		r->has_out = 1;
		r->out_len = t.data_size_out;
	} else {
		unsigned char ctx[MAX_PKT];
		memset(ctx, 0, sizeof(ctx));
		memcpy(ctx, in, inlen);
		uint64_t ret = 0;
		err = b2n_program__run(p, ctx, &ret);
		if (err) {
			whyf(r->why, "b2n_program__run: %s", strerror(-err));
			return;
		}
		r->retval = ret;
	}
	err = time_prog(p, tr, in, inlen, repeat, &r->ns);
	if (err) {
		whyf(r->why, "timed runs: %s", strerror(-err));
		return;
	}
	r->ok = 1;
	/* The harness: an empty program of the same type, same runs. */
	struct b2n_object_open_opts eo = {.sz = sizeof(eo), .object_name = empty_obj};
	struct b2n_object *e = empty_obj ? b2n_object__open_file(so, &eo) : NULL;
	struct b2n_program *ep = NULL;
	if (e && !b2n_object__load(e))
		ep = b2n_object__find_program_by_name(e, "empty");
	double ens;
	if (ep && !time_prog(ep, tr, in, inlen, repeat, &ens))
		r->empty_ns = ens;
}

static void ours_run(const char *so, const char *objname, const char *empty_obj, struct row *rw,
                     const unsigned char *in, size_t inlen, int repeat)
{
	struct run *r = &rw->ours;
	int pfd[2];
	if (pipe(pfd)) {
		whyf(r->why, "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		whyf(r->why, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		struct run res;
		memset(&res, 0, sizeof(res));
		child_run(so, objname, empty_obj, rw->p->name, rw->packet, in, inlen, repeat, &res);
		const char *b = (const char *)&res;
		for (size_t off = 0; off < sizeof(res);) {
			ssize_t w = write(pfd[1], b + off, sizeof(res) - off);
			if (w <= 0)
				_exit(2);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(pfd[1]);
	size_t got = 0;
	char *b = (char *)r;
	while (got < sizeof(*r)) {
		ssize_t n = read(pfd[0], b + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	if (got < sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		if (WIFSIGNALED(st))
			whyf(r->why, "crashed (%s)", strsignal(WTERMSIG(st)));
		else
			whyf(r->why, "the run did not complete (status %d)", WEXITSTATUS(st));
	}
}

/* ld.lld -shared, as tests/linking and b2n_object__open_file expect. */
static int link_shared(const char *obj, const char *so, char *why)
{
	const char *lld = getenv("B2N_LLD");
	static const char *const cands[] = {"ld.lld-19", "ld.lld"};
	char path[4096] = "";
	if (!lld) {
		const char *pathenv = getenv("PATH");
		for (size_t c = 0; c < 2 && !*path; c++) {
			const char *s = pathenv ? pathenv : "/usr/bin:/bin";
			while (*s && !*path) {
				size_t n = strcspn(s, ":");
				snprintf(path, sizeof(path), "%.*s/%s", (int)n, s, cands[c]);
				if (access(path, X_OK))
					path[0] = 0;
				s += n + (s[n] == ':');
			}
		}
		if (!*path) {
			whyf(why, "ld.lld-19 not found (set B2N_LLD)");
			return -1;
		}
		lld = path;
	}
	char *argv[] = {(char *)lld, "-shared", "-o", (char *)so, (char *)obj, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int err = posix_spawn(&pid, lld, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		whyf(why, "cannot run %s: %s", lld, strerror(err));
		return -1;
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		whyf(why, "%s -shared failed", lld);
		return -1;
	}
	return 0;
}

/* ---- agreement ------------------------------------------------------------ */

static void agreement(struct row *r)
{
	if (!r->kr.ok || !r->ours.ok) {
		whyf(r->agree, "-");
		return;
	}
	if ((uint32_t)r->kr.retval != (uint32_t)r->ours.retval) {
		whyf(r->agree, "no: retval %u (kernel) vs %u (bpf2native)", (uint32_t)r->kr.retval,
		     (uint32_t)r->ours.retval);
		return;
	}
	if (r->kr.has_out && r->ours.has_out) {
		if (r->kr.out_len != r->ours.out_len) {
			whyf(r->agree, "no: output packet of %u bytes (kernel) vs %u (bpf2native)",
			     r->kr.out_len, r->ours.out_len);
			return;
		}
		uint32_t n = r->kr.out_len < MAX_PKT ? r->kr.out_len : MAX_PKT;
		for (uint32_t i = 0; i < n; i++)
			if (r->kr.out[i] != r->ours.out[i]) {
				whyf(r->agree, "no: output packet differs at byte %u", i);
				return;
			}
		whyf(r->agree, "yes (retval and %u-byte output packet)", r->kr.out_len);
		return;
	}
	whyf(r->agree, "yes (retval)");
}

/* ---- output --------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_ns(FILE *f, const char *key, const struct run *r)
{
	fprintf(f, "\"%s\": ", key);
	if (r->ok && r->ns >= 0)
		fprintf(f, "%.2f", r->ns);
	else
		fprintf(f, "null");
}

static void print_json(FILE *f, const struct opts *o, struct row *rows, size_t n)
{
	fprintf(f, "{\"object\": ");
	json_str(f, o->path);
	fprintf(f, ", \"target\": \"%s\", \"opt_level\": %d, \"repeat\": %d, \"programs\": [",
	        o->t->name, o->opt_level, o->repeat);
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		fprintf(f, "%s\n {\"name\": ", i ? "," : "");
		json_str(f, r->p->name);
		fprintf(f, ", \"section\": ");
		json_str(f, r->p->section ? r->p->section : "");
		fprintf(f, ", \"type\": \"%s\", \"bpf_insns\": %zu,\n  \"bpf2native\": {", r->type,
		        r->bpf_insns);
		if (r->ours_ok) {
			fprintf(f,
			        "\"native_insns\": %zu, \"code_bytes\": %zu, \"frame_bytes\": %ld, "
			        "\"spills\": %u, \"reloads\": %u, \"stack_depth\": \"%s\", ",
			        r->insns, r->bytes, r->frame, r->spills, r->reloads, r->depths);
			fprintf(f, "\"functions\": [");
			for (size_t k = 0; k < r->nfns; k++) {
				const struct func_row *fr = &r->fns[k];
				fprintf(f, "%s{\"symbol\": ", k ? ", " : "");
				json_str(f, fr->name);
				if (fr->emitted)
					fprintf(f,
					        ", \"native_insns\": %zu, \"code_bytes\": %zu, "
					        "\"frame_bytes\": %ld, \"spills\": %u, "
					        "\"reloads\": %u, "
					        "\"reached\": %s}",
					        fr->st.insns, fr->st.bytes, fr->st.frame,
					        fr->st.spills + fr->st.folded_spills,
					        fr->st.reloads + fr->st.folded_reloads,
					        fr->reached ? "true" : "false");
				else
					fprintf(f, ", \"inlined\": true}");
			}
			fprintf(f, "], ");
		} else {
			fprintf(f, "\"skip\": ");
			json_str(f, r->ours_why);
			fprintf(f, ", ");
		}
		if (o->host) {
			json_ns(f, "ns_per_run", &r->ours);
			fprintf(f, ", \"empty_ns_per_run\": ");
			if (r->ours.ok && r->ours.empty_ns >= 0)
				fprintf(f, "%.2f", r->ours.empty_ns);
			else
				fprintf(f, "null");
			fprintf(f, ", \"retval\": ");
			if (r->ours.ok)
				fprintf(f, "%llu", (unsigned long long)r->ours.retval);
			else
				fprintf(f, "null, \"run_skip\": "), json_str(f, r->ours.why);
		} else {
			fprintf(f,
			        "\"ns_per_run\": null, \"run_skip\": \"no timing: target %s is not "
			        "this machine\"",
			        o->t->name);
		}
		fprintf(f, "},\n  \"target_kernel_jit\": {\"note\": ");
		json_str(f, r->kjit);
		if (r->est_ok)
			fprintf(f,
			        ", \"estimate\": true, \"native_insns_estimate\": %zu, "
			        "\"code_bytes_estimate\": %zu, \"frame_bytes_estimate\": %ld",
			        r->est_insns, r->est_insns * 4, r->est_frame);
		fprintf(f, "},\n  \"kernel\": {");
		if (r->k_ok) {
			fprintf(
			    f,
			    "\"xlated_insns\": %zu, \"jited_bytes\": %zu, \"jited_insns\": %zu, ",
			    r->k_xlated, r->k_jited_bytes, r->k_jited_insns);
			fprintf(f, "\"frame_bytes\": %ld, ", r->k_frame);
			fprintf(f, "\"stack_depth\": %ld, \"stack_depths\": ", r->k_stack);
			json_str(f, r->k_depths);
			if (r->k_why[0]) {
				fprintf(f, ", \"note\": ");
				json_str(f, r->k_why);
			}
			fprintf(f, ", ");
			json_ns(f, "ns_per_run", &r->kr);
			fprintf(f, ", ");
			json_ns(f, "empty_ns_per_run", &r->kempty);
			fprintf(f, ", \"retval\": ");
			if (r->kr.ok)
				fprintf(f, "%llu", (unsigned long long)r->kr.retval);
			else
				fprintf(f, "null, \"run_skip\": "), json_str(f, r->kr.why);
		} else {
			fprintf(f, "\"skip\": ");
			json_str(f, r->k_why);
		}
		fprintf(f, "},\n  \"agree\": ");
		json_str(f, r->agree);
		fprintf(f, "}");
	}
	fprintf(f, "\n]}\n");
}

static void csv_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void print_csv(FILE *f, const struct opts *o, struct row *rows, size_t n)
{
	fprintf(f, "object,program,type,target,bpf_insns,native_insns,code_bytes,frame_bytes,"
	           "spills,reloads,ns_per_run,retval,kernel_jited_insns,kernel_jited_bytes,"
	           "kernel_xlated_insns,kernel_stack_depth,kernel_ns_per_run,kernel_empty_ns,"
	           "kernel_retval,agree,kernel_skip,run_skip,target_kernel_jit,"
	           "est_native_insns,est_frame_bytes,kernel_frame_bytes,empty_ns_per_run\n");
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		csv_field(f, o->path);
		fprintf(f, ",%s,%s,%s,%zu,", r->p->name, r->type, o->t->name, r->bpf_insns);
		if (r->ours_ok)
			fprintf(f, "%zu,%zu,%ld,%u,%u,", r->insns, r->bytes, r->frame, r->spills,
			        r->reloads);
		else
			fprintf(f, ",,,,,");
		if (r->ours.ok)
			fprintf(f, "%.2f,%llu,", r->ours.ns, (unsigned long long)r->ours.retval);
		else
			fprintf(f, ",,");
		if (r->k_ok)
			fprintf(f, "%zu,%zu,%zu,%ld,", r->k_jited_insns, r->k_jited_bytes,
			        r->k_xlated, r->k_stack);
		else
			fprintf(f, ",,,,");
		if (r->kr.ok && r->kr.ns >= 0)
			fprintf(f, "%.2f,", r->kr.ns);
		else
			fprintf(f, ",");
		if (r->kempty.ok)
			fprintf(f, "%.2f,", r->kempty.ns);
		else
			fprintf(f, ",");
		if (r->kr.ok)
			fprintf(f, "%llu,", (unsigned long long)r->kr.retval);
		else
			fprintf(f, ",");
		csv_field(f, r->agree);
		fputc(',', f);
		csv_field(f, r->k_ok ? r->k_why : r->k_why);
		fputc(',', f);
		csv_field(f, r->ours.ok ? "" : r->ours.why);
		fputc(',', f);
		csv_field(f, r->kjit);
		if (r->est_ok)
			fprintf(f, ",%zu,%ld,", r->est_insns, r->est_frame);
		else
			fprintf(f, ",,,");
		if (r->k_ok && r->k_frame >= 0)
			fprintf(f, "%ld", r->k_frame);
		if (r->ours.ok && r->ours.empty_ns >= 0)
			fprintf(f, ",%.2f\n", r->ours.empty_ns);
		else
			fprintf(f, ",\n");
	}
}

static void cell_sz(char *b, size_t n, int ok, size_t v)
{
	if (ok)
		snprintf(b, n, "%zu", v);
	else
		snprintf(b, n, "-");
}

static void print_text(FILE *f, const struct opts *o, struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		char a[160], b[160];
		fprintf(f, "%s: program %s (%s%s%s), %zu BPF insns, target %s, -O%d\n", o->path,
		        r->p->name, r->type, r->p->section ? ", " : "",
		        r->p->section ? r->p->section : "", r->bpf_insns, o->t->name, o->opt_level);
		const char *kh =
		    o->host ? "kernel JIT (this machine)" : "kernel JIT (this machine)";
		fprintf(f, "  %-22s %14s  %s\n", "", "bpf2native", kh);
		int k = r->k_ok;
		cell_sz(a, sizeof(a), r->ours_ok, r->insns);
		cell_sz(b, sizeof(b), k && r->k_jited_insns, r->k_jited_insns);
		fprintf(f, "  %-22s %14s  %s\n", "native insns", a, b);
		cell_sz(a, sizeof(a), r->ours_ok, r->bytes);
		cell_sz(b, sizeof(b), k, r->k_jited_bytes);
		fprintf(f, "  %-22s %14s  %s\n", "code bytes", a, b);
		cell_sz(a, sizeof(a), r->ours_ok, (size_t)r->frame);
		cell_sz(b, sizeof(b), k && r->k_frame >= 0, (size_t)r->k_frame);
		fprintf(f, "  %-22s %14s  %s\n", "native frame bytes", a, b);
		snprintf(b, sizeof(b), "%s", k && r->k_depths[0] ? r->k_depths : "-");
		fprintf(f, "  %-22s %14s  %s\n", "BPF stack depth", r->depths, b);
		if (r->ours_ok)
			snprintf(a, sizeof(a), "%u/%u", r->spills, r->reloads);
		fprintf(f, "  %-22s %14s  %s\n", "spills/reloads", r->ours_ok ? a : "-",
		        k ? "0/0 (no allocator)" : "-");
		cell_sz(b, sizeof(b), k, r->k_xlated);
		fprintf(f, "  %-22s %14s  %s\n", "xlated BPF insns", "-", b);
		if (o->host) {
			int ok = r->ours.ok, kk = r->kr.ok && r->kr.ns >= 0;
			int oe = ok && r->ours.empty_ns >= 0, ke = kk && r->kempty.ok;
			snprintf(a, sizeof(a), ok ? "%.1f" : "-", r->ours.ns);
			snprintf(b, sizeof(b), kk ? "%.0f" : "-", r->kr.ns);
			fprintf(f, "  %-22s %14s  %s\n", "ns per run", a, b);
			snprintf(a, sizeof(a), oe ? "%.1f" : "-", r->ours.empty_ns);
			snprintf(b, sizeof(b), ke ? "%.0f" : "-", r->kempty.ns);
			fprintf(f, "  %-22s %14s  %s\n", "harness (empty prog)", a, b);
			snprintf(a, sizeof(a), oe ? "%.1f" : "-", r->ours.ns - r->ours.empty_ns);
			snprintf(b, sizeof(b), ke ? "%.0f" : "-", r->kr.ns - r->kempty.ns);
			fprintf(f, "  %-22s %14s  %s\n", "net ns per run", a, b);
			snprintf(a, sizeof(a), "%llu", (unsigned long long)r->ours.retval);
			snprintf(b, sizeof(b), "%llu", (unsigned long long)r->kr.retval);
			fprintf(f, "  %-22s %14s  %s\n", "retval", r->ours.ok ? a : "-",
			        r->kr.ok ? b : "-");
			fprintf(f, "  agree: %s\n", r->agree);
		}
		if (r->ours_ok) {
			fprintf(f, "  functions:");
			for (size_t k = 0; k < r->nfns; k++) {
				const struct func_row *fr = &r->fns[k];
				if (!fr->emitted)
					fprintf(f, " %s inlined%s", fr->name,
					        k + 1 < r->nfns ? ";" : "");
				else
					fprintf(f, " %s %zu insns %zu B frame %ld%s%s", fr->name,
					        fr->st.insns, fr->st.bytes, fr->st.frame,
					        fr->reached ? "" : " (tail-call entry only)",
					        k + 1 < r->nfns ? ";" : "");
			}
			fprintf(f, "\n");
		} else {
			fprintf(f, "  bpf2native: %s\n", r->ours_why);
		}
		if (o->host && !r->ours.ok)
			fprintf(f, "  bpf2native run: %s\n", r->ours.why);
		if (!o->host)
			fprintf(f, "  timing: none (target %s is not this machine)\n", o->t->name);
		if (r->k_why[0])
			fprintf(f, "  kernel: %s\n", r->k_why);
		if (r->k_ok && o->host && !r->kr.ok)
			fprintf(f, "  kernel run: %s\n", r->kr.why);
		fprintf(f, "  %s\n", r->kjit);
		if (r->est_ok)
			fprintf(f,
			        "  kernel sparc64 JIT, ESTIMATE from bpf_jit_comp_64.c costs: ~%zu "
			        "insns, ~%zu bytes, frame %ld bytes (176 + stack)\n",
			        r->est_insns, r->est_insns * 4, r->est_frame);
		fprintf(f, "\n");
	}
}

/* ---- main ---------------------------------------------------------------- */

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "bpf2native: error: compare: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\n");
	return 1;
}

static void rm_tmp(const char *dir)
{
	static const char *const names[] = {"prog.o", "prog.s", "prog.so"};
	char p[4200];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static const char *type_name(enum bpf_prog_type t)
{
	const char *s = libbpf_bpf_prog_type_str(t);
	return s ? s : "unspec";
}

int b2n_compare_main(int argc, char **argv)
{
	struct opts o = {.opt_level = 2, .repeat = 100000, .fmt = FMT_TEXT};
	const char *tname = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--input") || !strcmp(a, "--target") || !strcmp(a, "-target") ||
		    !strcmp(a, "--format") || !strcmp(a, "--repeat") || !strcmp(a, "--prog")) {
			if (!next)
				return usage_err("option %s needs an argument", a);
			i++;
			if (!strcmp(a, "--input"))
				o.input = next;
			else if (!strcmp(a, "--format")) {
				if (!strcmp(next, "text"))
					o.fmt = FMT_TEXT;
				else if (!strcmp(next, "json"))
					o.fmt = FMT_JSON;
				else if (!strcmp(next, "csv"))
					o.fmt = FMT_CSV;
				else
					return usage_err("unknown format '%s' (text, json or csv)",
					                 next);
			} else if (!strcmp(a, "--repeat")) {
				char *e;
				long v = strtol(next, &e, 10);
				if (*e || v < 1 || v > 100000000)
					return usage_err("bad --repeat '%s' (1..100000000)", next);
				o.repeat = (int)v;
			} else if (!strcmp(a, "--prog"))
				o.only = next;
			else
				tname = next;
		} else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
			o.opt_level = a[2] - '0';
		} else if (!strcmp(a, "-O")) {
			if (!next || next[0] < '0' || next[0] > '3' || next[1])
				return usage_err("-O needs a level 0..3 (got '%s')",
				                 next ? next : "");
			o.opt_level = next[0] - '0';
			i++;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf(
			    "usage: bpf2native compare PROG.o [--input FILE] [--target T]\n"
			    "       [--format text|json|csv] [-O N] [--repeat N] [--prog "
			    "NAME]\n"
			    "Per program: BPF insns; bpf2native's native insns, code bytes, "
			    "frame,\n"
			    "spills/reloads; the kernel JIT's (this machine) jited insns and "
			    "bytes,\n"
			    "verifier stack depth; ns per run of both on the same input (packet\n"
			    "bytes, or ctx bytes for other types; default: a 64-byte UDP packet)\n"
			    "and whether the results agree.  --target other than the host gives\n"
			    "the static columns only, with a note on that target's kernel JIT.\n");
			return 0;
		} else if (a[0] == '-' && a[1]) {
			return usage_err("unknown option '%s' (see compare --help)", a);
		} else if (o.path) {
			return usage_err("one input only (got '%s' too)", a);
		} else {
			o.path = a;
		}
	}
	if (!o.path)
		return usage_err("%s", "no input file");
	o.t = tname ? b2n_target__find(tname) : b2n_target__default();
	if (!o.t)
		return usage_err("unknown target '%s' (see -target help)", tname);
	o.host = !strcmp(o.t->name, HOST_TARGET);

	/* The input run on both sides. */
	unsigned char *in = NULL;
	size_t inlen = 0;
	if (o.input) {
		int err = b2n_read_file(o.input, &in, &inlen);
		if (err)
			return 1; /* b2n_read_file printed the line */
		if (inlen > MAX_PKT) {
			b2n_err(o.input, "input of %zu bytes is too large (at most %d)", inlen,
			        MAX_PKT);
			free(in);
			return 1;
		}
	} else {
		in = b2n_xcalloc(MAX_PKT, 1);
		inlen = default_packet(in);
	}

	struct b2n_open_opts oo = {.sz = sizeof(oo)};
	struct b2n_input *obj = NULL;
	if (b2n_input__open(o.path, &oo, &obj)) {
		free(in);
		return 1;
	}
	int rc = 1;
	char dir[] = "/tmp/b2n-compare-XXXXXX";
	struct row *rows = NULL;
	size_t nrows = 0;
	struct b2n_native_stats *ns = NULL;
	if (obj->big_endian >= 0 && obj->big_endian != o.t->big_endian) {
		b2n_err(
		    obj->path,
		    "this is a %s-endian BPF object but target %s is %s-endian; rebuild it with "
		    "'clang -target %s'",
		    obj->big_endian ? "big" : "little", o.t->name,
		    o.t->big_endian ? "big" : "little", o.t->big_endian ? "bpfeb" : "bpfel");
		goto out;
	}
	if (!mkdtemp(dir)) {
		b2n_err("bpf2native", "cannot create a temporary directory: %s", strerror(errno));
		goto out;
	}
	char opath[4200], sopath[4200];
	snprintf(opath, sizeof(opath), "%s/prog.o", dir);
	snprintf(sopath, sizeof(sopath), "%s/prog.so", dir);
	struct b2n_compile_opts co = {.sz = sizeof(co), .target = o.t, .opt_level = o.opt_level};
	/* Empty programs (r0 = XDP_PASS or 0; exit), one per program type,
	 * compiled into the same object for our side's harness figure. */
	struct b2n_input *all[33] = {obj};
	size_t nall = 1;
	int has_empty[32] = {0};
	for (size_t pi = 0; o.host && pi < obj->nprogs; pi++) {
		uint32_t ty = obj->progs[pi].type & 31;
		if (has_empty[ty])
			continue;
		char ep[4200], en[64];
		snprintf(ep, sizeof(ep), "%s/empty.s", dir);
		snprintf(en, sizeof(en), "cmp_empty_%u", ty);
		FILE *ef = fopen(ep, "w");
		if (!ef)
			continue;
		fprintf(ef, "mov %%r0, %d\nexit\n", ty == BPF_PROG_TYPE_XDP ? XDP_PASS : 0);
		fclose(ef);
		struct b2n_open_opts eo = {.sz = sizeof(eo),
		                           .kind = B2N_IN_ASM,
		                           .object_name = en,
		                           .prog_name = "empty",
		                           .prog_type = ty};
		if (!b2n_input__open(ep, &eo, &all[nall]))
			has_empty[ty] = 1, nall++;
		unlink(ep);
	}
	int cerr = b2n_native__compile(all, nall, &co, &ns);
	for (size_t k = 1; k < nall; k++)
		b2n_input__free(all[k]);
	if (cerr)
		goto out_tmp;
	size_t olen;
	const void *ob = b2n_native__object(ns, &olen);
	FILE *of = fopen(opath, "wb");
	if (!of || fwrite(ob, 1, olen, of) != olen) {
		b2n_err(opath, "cannot write the native object: %s", strerror(errno));
		if (of)
			fclose(of);
		goto out_tmp;
	}
	fclose(of);

	klog = malloc(KLOG_SIZE);
	libbpf_set_print(quiet_libbpf);
	char kwhy[WHY] = "";
	int kernel_ok = 0;
	if (!o.host)
		whyf(kwhy, "kernel JIT columns only when --target is this machine (%s)",
		     *HOST_TARGET ? HOST_TARGET : "unknown");
	else
		kernel_ok = !bpf_probe(kwhy);
	char ours_run_why[WHY] = "";
	int can_run = o.host && !link_shared(opath, sopath, ours_run_why);

	rows = b2n_xcalloc(obj->nprogs ? obj->nprogs : 1, sizeof(*rows));
	for (size_t pi = 0; pi < obj->nprogs; pi++) {
		const struct b2n_prog *p = &obj->progs[pi];
		if (o.only && strcmp(o.only, p->name))
			continue;
		struct row *r = &rows[nrows++];
		r->p = p;
		r->bpf_insns = p->ninsns;
		enum bpf_prog_type pt = BPF_PROG_TYPE_UNSPEC;
		enum bpf_attach_type at;
		if (p->section && libbpf_prog_type_by_name(p->section, &pt, &at))
			pt = BPF_PROG_TYPE_UNSPEC;
		snprintf(r->type, sizeof(r->type), "%s", type_name(pt));
		r->packet = is_packet_type(pt);
		if (r->packet && inlen < 14) {
			b2n_err(
			    o.input ? o.input : "bpf2native",
			    "program %s (%s): a packet of %zu bytes is shorter than an Ethernet "
			    "header (14), which the kernel's test run requires",
			    p->name, r->type, inlen);
			goto out_tmp;
		}
		/* ours, static */
		r->fns = b2n_xcalloc(p->nfuncs + 1, sizeof(*r->fns));
		r->ours_ok = 1;
		size_t dl = 0;
		for (size_t k = 0; k <= p->nfuncs; k++) {
			struct func_row *fr = &r->fns[r->nfns++];
			if (k == 0)
				snprintf(fr->name, sizeof(fr->name), "%s", p->symbol);
			else
				snprintf(fr->name, sizeof(fr->name), "%s.%s", p->symbol,
				         p->funcs[k - 1].name);
			int e = b2n_native__func(ns, fr->name, &fr->st);
			fr->emitted = !e;
			if (e && e != -ENOENT) {
				whyf(r->ours_why, "cannot read %s back from the object (%s)",
				     fr->name, strerror(-e));
				r->ours_ok = 0;
			}
			if (k > 0) {
				fr->depth = p->funcs[k - 1].stack_depth;
				dl += (size_t)snprintf(r->depths + dl, sizeof(r->depths) - dl,
				                       "%s%u", k > 1 ? "+" : "", fr->depth);
				if (dl >= sizeof(r->depths))
					dl = sizeof(r->depths) - 1;
			}
		}
		/* A run executes the wrapper and what it reaches: LLVM may
		 * inline the entry function into the wrapper and keep a copy
		 * only for tail calls (the object descriptor refers to it). */
		r->fns[0].reached = r->fns[0].emitted;
		for (int changed = 1; changed;) {
			changed = 0;
			for (size_t a = 0; a < r->nfns; a++)
				for (size_t b = 0; r->fns[a].reached && b < r->nfns; b++)
					if (!r->fns[b].reached && r->fns[b].emitted &&
					    b2n_native__calls(ns, r->fns[a].name, r->fns[b].name))
						r->fns[b].reached = changed = 1;
		}
		for (size_t k = 0; k < r->nfns; k++) {
			struct func_row *fr = &r->fns[k];
			if (!fr->reached)
				continue;
			r->insns += fr->st.insns;
			r->bytes += fr->st.bytes;
			r->spills += fr->st.spills + fr->st.folded_spills;
			r->reloads += fr->st.reloads + fr->st.folded_reloads;
			/* The frame a run starts with: wrapper + entry function. */
			if (k <= 1 && fr->st.frame > 0)
				r->frame += fr->st.frame;
		}
		if (!p->nfuncs)
			snprintf(r->depths, sizeof(r->depths), "-");
		kernel_jit_note(o.t, r);
		/* the kernel here */
		if (kernel_ok && !p->section)
			whyf(r->k_why, "asm/raw input: no ELF object for libbpf to load");
		else if (kernel_ok && pt == BPF_PROG_TYPE_UNSPEC)
			whyf(r->k_why, "section '%s' names no kernel program type (libbpf)",
			     p->section);
		else if (kernel_ok)
			kernel_side(&o, r, in, inlen);
		else
			whyf(r->k_why, "%s", kwhy);
		/* ours, run */
		if (can_run) {
			char en[64];
			snprintf(en, sizeof(en), "cmp_empty_%u", p->type);
			ours_run(sopath, obj->name, has_empty[p->type & 31] ? en : NULL, r, in,
			         inlen, o.repeat);
		} else if (o.host)
			whyf(r->ours.why, "%s", ours_run_why);
		agreement(r);
	}
	if (o.only && !nrows) {
		b2n_err(obj->path, "no program named %s", o.only);
		goto out_tmp;
	}
	if (o.fmt == FMT_JSON)
		print_json(stdout, &o, rows, nrows);
	else if (o.fmt == FMT_CSV)
		print_csv(stdout, &o, rows, nrows);
	else
		print_text(stdout, &o, rows, nrows);
	rc = 0;
out_tmp:
	rm_tmp(dir);
out:
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].fns);
	free(rows);
	b2n_native__free(ns);
	free(klog);
	klog = NULL;
	b2n_input__free(obj);
	free(in);
	return rc;
}
