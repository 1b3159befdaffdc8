/*
 * diff_main.c - the differential harness that runs on the target.
 *
 *   diff-<t> DIR
 * Linked statically with the target's cross gcc against DIR's fns.c (the
 * table of b2n_p<pos>__prog symbols), the one object into which bpf2native
 * compiled every DIR/p<pos>.bin, and the target's runtime.  For every
 * program of DIR/meta.txt, in this one process (qemu starts once per
 * batch): the native function and the reference interpreter (in the
 * target's byte order) each run on a fresh copy of the context holding the
 * program's inputs, and both must equal the host interpreter's result for
 * this byte order (recorded in meta.txt by difftest gen).  Programs are
 * valid and loop-free, so none should fault; if one does, a signal handler
 * names the batch and the program before exiting.  Prints a MISMATCH line
 * per disagreement and a closing summary; exit 1 on any mismatch.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf2native/runtime.h>

#ifndef B2N_DIFF_TARGET
#error "compile with -DB2N_DIFF_TARGET=\"<target name>\""
#endif

#define NINPUTS 5
#define IN_OFF 48
#define CTX_SIZE 128

extern uint64_t (*const dt_fns[])(void *, uint64_t);
extern const size_t dt_nfns;

static volatile uint64_t cur_index, cur_seed;
static volatile int cur_phase; /* 0 native, 1 interpreter */
static const char *cur_dir;

static void on_fault(int sig)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
	                 "CRASH target=" B2N_DIFF_TARGET " seed=%" PRIu64 " index=%" PRIu64
	                 " batch=%s: signal %d in the %s\n",
	                 (uint64_t)cur_seed, (uint64_t)cur_index, cur_dir, sig,
	                 cur_phase ? "interpreter" : "native code");
	if (n > 0 && write(1, msg, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BATCH-DIR\n", argv[0]);
		return 2;
	}
	cur_dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	int be = b2n_host_is_big_endian();
	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	signal(SIGILL, on_fault);
	signal(SIGFPE, on_fault);
	signal(SIGALRM, on_fault);
	signal(SIGTRAP, on_fault);

	char path[4096], meta_path[4096];
	snprintf(meta_path, sizeof(meta_path), "%s/meta.txt", cur_dir);
	FILE *meta = fopen(meta_path, "r");
	uint64_t seed, count;
	if (!meta || fscanf(meta, "seed %" SCNu64 " count %" SCNu64, &seed, &count) != 2) {
		fprintf(stderr, "%s: cannot read\n", meta_path);
		return 2;
	}
	if (count != dt_nfns) {
		fprintf(stderr, "%s: %" PRIu64 " programs, but fns.c has %zu\n", meta_path, count,
		        dt_nfns);
		return 2;
	}
	cur_seed = seed;
	uint64_t agree = 0, mismatch = 0;
	struct b2n_insn *insns = NULL;
	size_t cap = 0;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t pos, index, host[2];
		uint32_t in[NINPUTS];
		if (fscanf(meta, "%" SCNu64 " %" SCNu64, &pos, &index) != 2)
			goto bad_meta;
		for (int i = 0; i < NINPUTS; i++)
			if (fscanf(meta, "%" SCNx32, &in[i]) != 1)
				goto bad_meta;
		if (fscanf(meta, "%" SCNx64 " %" SCNx64, &host[0], &host[1]) != 2 || pos != k)
			goto bad_meta;
		cur_index = index;

		snprintf(path, sizeof(path), "%s/p%" PRIu64 ".bin", cur_dir, pos);
		size_t len;
		unsigned char *raw = read_file(path, &len);
		if (!raw) {
			fprintf(stderr, "%s: cannot read\n", path);
			return 2;
		}
		size_t n = len / 8;
		if (n > cap) {
			free(insns);
			insns = malloc((cap = n) * sizeof(*insns));
			if (!insns)
				return 2;
		}
		for (size_t i = 0; i < n; i++)
			insns[i] = b2n_insn_decode(raw + 8 * i, 0);
		free(raw);

		uint32_t ctx[CTX_SIZE / 4];
		memset(ctx, 0, sizeof(ctx));
		for (int i = 0; i < NINPUTS; i++)
			ctx[IN_OFF / 4 + i] = in[i];
		uint32_t copy[CTX_SIZE / 4];
		memcpy(copy, ctx, sizeof(ctx));

		alarm(60);
		cur_phase = 0;
		uint64_t native = 0, interp = 0;
		int have_native = dt_fns[pos] != NULL;
		if (have_native)
			native = dt_fns[pos](copy, 0);
		cur_phase = 1;
		memcpy(copy, ctx, sizeof(ctx));
		int rc = b2n_interp__run(insns, n, copy, 0, NULL, &interp);
		alarm(0);
		uint64_t want = host[be];
		if (have_native && !rc && native == want && interp == want) {
			agree++;
			continue;
		}
		mismatch++;
		printf("MISMATCH target=" B2N_DIFF_TARGET " seed=%" PRIu64 " index=%" PRIu64
		       " native=%s0x%016" PRIx64 " interp=0x%016" PRIx64
		       "%s host-interp=0x%016" PRIx64 "\n",
		       seed, index, have_native ? "" : "(symbol missing) ", native, interp,
		       rc ? " (fault)" : "", want);
	}
	fclose(meta);
	free(insns);
	printf("differential[" B2N_DIFF_TARGET "]: batch %s: %" PRIu64 " programs, %" PRIu64
	       " agree, %" PRIu64 " mismatches\n",
	       cur_dir, count, agree, mismatch);
	return mismatch ? 1 : 0;
bad_meta:
	fprintf(stderr, "%s: malformed\n", meta_path);
	return 2;
}
