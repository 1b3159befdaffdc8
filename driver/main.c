/*
 * main.c - the bpf2native command line.
 *
 * Parses options in the style of clang (-target, -mcpu, -O2, -S,
 * -emit-llvm, -o), opens and checks every input through the frontend,
 * refuses a BPF object whose byte order does not match the target, and
 * hands everything to lower/ as one module.  Every user error is one line
 * on stderr and exit status 1; no output file is left behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "frontend/frontend.h"
#include "lower/lower.h"
#include "targets/targets.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: bpf2native [options] INPUT...\n"
	        "       bpf2native gen skeleton INPUT [-o FILE.h] [--object-name N]\n"
	        "       bpf2native compare PROG.o [--input FILE] [--target T] [--format F]\n"
	        "Compile eBPF programs (BPF ELF objects, raw bytecode, or assembly) into one\n"
	        "native object.  Each program becomes the function b2n_<object>__<program>.\n"
	        "\n"
	        "  -target T        target: x86_64 (default), aarch64, riscv64, sparcv9, s390x,\n"
	        "                   ppc64le, or a triple; '-target help' lists them\n"
	        "  -mcpu CPU        target CPU (default: the target's baseline); '-mcpu help'\n"
	        "                   lists the target's CPUs\n"
	        "  -O0 .. -O3       optimisation level (default -O2)\n"
	        "  -c               emit a native object (default)\n"
	        "  -S               emit native assembly\n"
	        "  -emit-llvm       emit LLVM IR (text)\n"
	        "  -o FILE          output file (default: first input's stem + .o/.s/.ll)\n"
	        "  -x asm|raw|elf   input kind (default: ELF by magic, .bin/.raw raw, else asm)\n"
	        "  --raw-big-endian raw input (and --emit-raw output) use the bpfeb encoding\n"
	        "  --object-name N  object name used in symbols (default: the input's stem)\n"
	        "  --name N         program name for asm/raw input (default: prog)\n"
	        "  --prog-type T    program type of asm/raw input: xdp, tc (sched_cls),\n"
	        "                   sched_act, socket (socket_filter) or none (default);\n"
	        "                   ELF programs take it from their section name\n"
	        "                   unless it is given (none: opaque ctx, no ctx rules)\n"
	        "  --dump-bpf       print the disassembly of every program and stop\n"
	        "  --emit-raw       write the raw bytecode of the (single) program to -o\n"
	        "  --allow-uninit   accept reads of registers never written (they are 0)\n"
	        "  --allow-unknown-helpers  accept helper ids the runtime does not know;\n"
	        "                   they must be registered before the object is loaded\n"
	        "  --stats          print, per function: derived stack depth, combined\n"
	        "                   depth of its deepest call chain, native frame size\n"
	        "  --loop-limit N   allow N back edges per run; then the program returns\n"
	        "                   B2N_LOOP_LIMIT_EXCEEDED ((uint64_t)-ELOOP)\n"
	        "  -v               verbose (implies --stats)\n"
	        "  --version        print the version\n"
	        "  --help           print this help\n");
}

/* The input list lives for the whole run; held at file scope so that the
 * early exits of option parsing need no clean-up ladder. */
static const char **inputs;

/* A usage error: one line, escaped like every diagnostic (b2n_err). */
__attribute__((format(printf, 1, 2))) static int fail_usage(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b2n_err(NULL, "%s", msg);
	return 1;
}

static char *default_output(const char *input, enum b2n_emit emit)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		n = (size_t)(dot - base);
	/* "prog.bpf.o" -> "prog.bpf.native.o" would be odd; use the stem. */
	const char *ext = emit == B2N_EMIT_ASM ? ".s" : emit == B2N_EMIT_LLVM ? ".ll" : ".o";
	char *out = b2n_xcalloc(n + 16, 1);
	memcpy(out, base, n);
	if (emit == B2N_EMIT_OBJ && dot && !strcmp(dot, ".o"))
		strcat(out, ".native");
	strcat(out, ext);
	return out;
}

static int emit_raw(const struct b2n_input *obj, const char *out, int big_endian)
{
	if (obj->nprogs != 1) {
		b2n_err(obj->path, "--emit-raw needs exactly one program, found %zu", obj->nprogs);
		return 1;
	}
	const struct b2n_prog *p = &obj->progs[0];
	unsigned char *buf = b2n_xcalloc(p->ninsns, 8);
	for (size_t i = 0; i < p->ninsns; i++)
		b2n_insn_encode(&p->insns[i], buf + 8 * i, big_endian);
	int err = b2n_write_output(out, buf, p->ninsns * 8);
	free(buf);
	return err ? 1 : 0;
}

/* The options: one table for parsing and for "did you mean".  A name
 * ending in '=' takes its value joined (-mcpu=v9); arg = 1 takes it as the
 * next argument or joined with '='. */
enum opt_id {
	OPT_TARGET, OPT_MCPU, OPT_O, OPT_S, OPT_C, OPT_EMIT_LLVM, OPT_OUT, OPT_X, OPT_RAW_BE,
	OPT_OBJECT_NAME, OPT_NAME, OPT_PROG_TYPE, OPT_DUMP, OPT_EMIT_RAW, OPT_ALLOW_UNINIT,
	OPT_ALLOW_UNKNOWN, OPT_VERBOSE, OPT_LOOP_LIMIT, OPT_STATS, OPT_VERSION, OPT_HELP,
};

struct option {
	const char *name;
	int arg;
	enum opt_id id;
};

static const struct option options[] = {
    {"-target", 1, OPT_TARGET},
    {"--target", 1, OPT_TARGET},
    {"-mcpu", 1, OPT_MCPU},
    {"-O0", 0, OPT_O},
    {"-O1", 0, OPT_O},
    {"-O2", 0, OPT_O},
    {"-O3", 0, OPT_O},
    {"-S", 0, OPT_S},
    {"-c", 0, OPT_C},
    {"-emit-llvm", 0, OPT_EMIT_LLVM},
    {"-o", 1, OPT_OUT},
    {"-x", 1, OPT_X},
    {"--raw-big-endian", 0, OPT_RAW_BE},
    {"--object-name", 1, OPT_OBJECT_NAME},
    {"--name", 1, OPT_NAME},
    {"--prog-type", 1, OPT_PROG_TYPE},
    {"--dump-bpf", 0, OPT_DUMP},
    {"--emit-raw", 0, OPT_EMIT_RAW},
    {"--allow-uninit", 0, OPT_ALLOW_UNINIT},
    {"--allow-unknown-helpers", 0, OPT_ALLOW_UNKNOWN},
    {"-v", 0, OPT_VERBOSE},
    {"--verbose", 0, OPT_VERBOSE},
    {"--loop-limit", 1, OPT_LOOP_LIMIT},
    {"--stats", 0, OPT_STATS},
    {"--version", 0, OPT_VERSION},
    {"--help", 0, OPT_HELP},
    {"-h", 0, OPT_HELP},
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* The option argument a names; *val is set to a joined value
 * ("-mcpu=v9", "--target=s390x"). */
static const struct option *find_option(const char *a, const char **val)
{
	*val = NULL;
	for (size_t i = 0; i < NOPTIONS; i++) {
		size_t n = strlen(options[i].name);
		if (!strncmp(a, options[i].name, n)) {
			if (!a[n])
				return &options[i];
			if (options[i].arg && a[n] == '=') {
				*val = a + n + 1;
				return &options[i];
			}
		}
	}
	return NULL;
}

static const char *nearest_option(const char *a)
{
	char word[64];
	snprintf(word, sizeof(word), "%s", a);
	char *eq = strchr(word, '=');
	if (eq)
		*eq = 0;
	const char *best = NULL;
	size_t bestd = strlen(word) / 3 + 2;
	for (size_t i = 0; i < NOPTIONS; i++) {
		size_t d = b2n_edit_distance(word, options[i].name);
		if (d < bestd) {
			bestd = d;
			best = options[i].name;
		}
	}
	return best;
}


int main(int argc, char **argv)
{
	struct b2n_compile_opts copts = {.sz = sizeof(copts), .opt_level = 2};
	struct b2n_open_opts oopts = {.sz = sizeof(oopts)};
	const char *out = NULL, *target_name = NULL;
	inputs = b2n_xcalloc((size_t)argc, sizeof(*inputs));
	size_t ninputs = 0;
	int dump = 0, raw_out = 0, rc = 1;

	if (argc >= 2 && !strcmp(argv[1], "gen")) {
		free(inputs);
		return b2n_gen_main(argc - 1, argv + 1);
	}
	if (argc >= 2 && !strcmp(argv[1], "compare")) {
		free(inputs);
		return b2n_compare_main(argc - 1, argv + 1);
	}

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct option *op = find_option(a, &val);
		if (!op) {
			if (a[0] == '-' && a[1]) {
				const char *near = nearest_option(a);
				if (near)
					return fail_usage("unknown argument '%s'; did you mean '%s'?", a,
					                   near);
				return fail_usage("unknown argument '%s' (see --help)", a);
			}
			inputs[ninputs++] = a;
			continue;
		}
		if (op->arg && !val) {
			if (i + 1 >= argc)
				return fail_usage("option %s needs an argument", a);
			val = argv[++i];
		}
		switch (op->id) {
		case OPT_TARGET:
			target_name = val;
			break;
		case OPT_MCPU:
			copts.cpu = val;
			break;
		case OPT_O:
			copts.opt_level = a[2] - '0';
			break;
		case OPT_S:
			copts.emit = B2N_EMIT_ASM;
			break;
		case OPT_C:
			copts.emit = B2N_EMIT_OBJ;
			break;
		case OPT_EMIT_LLVM:
			copts.emit = B2N_EMIT_LLVM;
			break;
		case OPT_OUT:
			out = val;
			break;
		case OPT_X:
			if (!strcmp(val, "asm"))
				oopts.kind = B2N_IN_ASM;
			else if (!strcmp(val, "raw"))
				oopts.kind = B2N_IN_RAW;
			else if (!strcmp(val, "elf"))
				oopts.kind = B2N_IN_ELF;
			else
				return fail_usage("unknown input kind '%s' (asm, raw or elf)", val);
			break;
		case OPT_RAW_BE:
			oopts.raw_big_endian = 1;
			break;
		case OPT_OBJECT_NAME:
			oopts.object_name = val;
			break;
		case OPT_NAME:
			oopts.prog_name = val;
			break;
		case OPT_PROG_TYPE:
			if (b2n_prog_type_by_name(val, &oopts.prog_type))
				return fail_usage("unknown program type '%s' (xdp, tc, sched_act, "
				                  "socket or none)",
				                  val);
			oopts.force_prog_type = 1;
			break;
		case OPT_DUMP:
			dump = 1;
			break;
		case OPT_EMIT_RAW:
			raw_out = 1;
			break;
		case OPT_ALLOW_UNINIT:
			oopts.allow_uninit = 1;
			break;
		case OPT_ALLOW_UNKNOWN:
			b2n_allow_unknown_helpers = 1;
			break;
		case OPT_VERBOSE:
			copts.verbose = 1;
			copts.stats = 1;
			break;
		case OPT_LOOP_LIMIT: {
			char *end;
			copts.loop_limit = strtoull(val, &end, 0);
			if (*end || !copts.loop_limit)
				return fail_usage("bad --loop-limit '%s' (a positive count)", val);
			break;
		}
		case OPT_STATS:
			copts.stats = 1;
			break;
		case OPT_VERSION:
			printf("bpf2native %s (LLVM 19 C API)\n", B2N_VERSION);
			return 0;
		case OPT_HELP:
			usage(stdout);
			return 0;
		}
	}

	if (target_name && !strcmp(target_name, "help")) {
		b2n_target__list(stdout);
		return 0;
	}
	copts.target = target_name ? b2n_target__find(target_name) : b2n_target__default();
	if (!copts.target)
		return fail_usage("unknown target '%s' (see -target help)", target_name);
	if (copts.cpu && !strcmp(copts.cpu, "help")) {
		b2n_target__list_cpus(copts.target, stdout);
		return 0;
	}
	if (copts.cpu && b2n_target__check_cpu(copts.target, copts.cpu))
		return 1;
	if (ninputs == 0)
		return fail_usage("no input files");
	if (ninputs > 1 && (oopts.object_name || oopts.prog_name))
		return fail_usage("--object-name and --name need a single input");

	struct b2n_input **objs = b2n_xcalloc(ninputs, sizeof(*objs));
	size_t nobjs = 0;
	for (size_t i = 0; i < ninputs; i++) {
		if (b2n_input__open(inputs[i], &oopts, &objs[nobjs]))
			goto done;
		struct b2n_input *o = objs[nobjs++];
		if (o->big_endian >= 0 && o->big_endian != copts.target->big_endian && !dump) {
			b2n_err(o->path,
			        "this is a %s-endian BPF object but target %s is %s-endian; rebuild "
			        "it with 'clang -target %s' (or bpf-gcc %s)",
			        o->big_endian ? "big" : "little", copts.target->name,
			        copts.target->big_endian ? "big" : "little",
			        copts.target->big_endian ? "bpfeb" : "bpfel",
			        copts.target->big_endian ? "-mbig-endian" : "-mlittle-endian");
			goto done;
		}
	}
	/* Native symbols must be unique across all inputs. */
	for (size_t a = 0; a < nobjs; a++)
		for (size_t p = 0; p < objs[a]->nprogs; p++)
			for (size_t b = a; b < nobjs; b++)
				for (size_t q = (b == a ? p + 1 : 0); q < objs[b]->nprogs; q++)
					if (!strcmp(objs[a]->progs[p].symbol,
					            objs[b]->progs[q].symbol)) {
						b2n_err(objs[b]->path,
						        "program symbol %s is already defined by %s "
						        "(use --object-name)",
						        objs[b]->progs[q].symbol, objs[a]->path);
						goto done;
					}

	if (dump) {
		for (size_t a = 0; a < nobjs; a++)
			for (size_t p = 0; p < objs[a]->nprogs; p++) {
				const struct b2n_prog *pr = &objs[a]->progs[p];
				printf("# %s: program %s%s%s%s -> %s\n", objs[a]->path, pr->name,
				       pr->section ? " (" : "", pr->section ? pr->section : "",
				       pr->section ? ")" : "", pr->symbol);
				b2n_disasm__prog(pr->insns, pr->ninsns, stdout, 1);
			}
		rc = 0;
		goto done;
	}
	if (raw_out) {
		if (!out) {
			fail_usage("--emit-raw needs -o FILE");
			goto done;
		}
		rc = emit_raw(objs[0], out, oopts.raw_big_endian);
		goto done;
	}
	char *defout = out ? NULL : default_output(inputs[0], copts.emit);
	rc = b2n_compile(objs, nobjs, &copts, out ? out : defout) ? 1 : 0;
	free(defout);
done:
	for (size_t i = 0; i < nobjs; i++)
		b2n_input__free(objs[i]);
	free(objs);
	free(inputs);
	return rc;
}
