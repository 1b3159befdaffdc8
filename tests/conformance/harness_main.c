/*
 * harness_main.c - the conformance runner that executes on the target.
 *
 * Linked (statically, with the target's cross gcc) with the case table that
 * gen_harness wrote, the one object into which bpf2native compiled all the
 * .data files for this target, and the target's runtime library.  For each
 * case, in a forked child (so that a crash or a hang fails one test, not
 * the run): the native program gets a fresh malloc'd copy of the memory
 * (NULL, 0 when there is none) with r2 = its length, and the reference
 * interpreter, in the target's own byte order, runs on another copy.
 *
 * A case passes iff native == interpreter and, on a little-endian target,
 * native == the file's result; on a big-endian target the file's result
 * must match only when the host interpreter found the case byte-order
 * independent.  Skips come only from skips.txt, each printed with its
 * reason.  Exit status 1 on any failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf2native/runtime.h>

#include "harness.h"

#ifndef B2N_CONF_TARGET
#error "compile with -DB2N_CONF_TARGET=\"<target name>\""
#endif

#define CASE_TIMEOUT_S 30

struct outcome {
	int have_native;
	uint64_t native;
	int interp_rc;
	uint64_t interp;
};

static uint64_t unwind_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return r1;
}

static unsigned char *copy_mem(const struct conf_case *c)
{
	if (!c->mem)
		return NULL;
	unsigned char *p = malloc(c->mem_len);
	if (!p) {
		perror("malloc");
		_exit(3);
	}
	memcpy(p, c->mem, c->mem_len);
	return p;
}

static void run_child(const struct conf_case *c, int fd)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	alarm(CASE_TIMEOUT_S);
	if (c->fn) {
		unsigned char *m = copy_mem(c);
		o.native = c->fn(m, c->mem_len);
		o.have_native = 1;
		free(m);
	}
	unsigned char *m = copy_mem(c);
	o.interp_rc = b2n_interp__run(c->insns, c->ninsns, m, c->mem_len, NULL, &o.interp);
	free(m);
	if (write(fd, &o, sizeof(o)) != (ssize_t)sizeof(o))
		_exit(4);
	_exit(0);
}

static const char *skip_reason(const char *test)
{
	for (size_t i = 0; i < conf_nskips; i++)
		if ((!strcmp(conf_skips[i].target, "*") ||
		     !strcmp(conf_skips[i].target, B2N_CONF_TARGET)) &&
		    !strcmp(conf_skips[i].test, test))
			return conf_skips[i].reason;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL; /* optional: run one test */
	int be = b2n_host_is_big_endian();
	size_t pass = 0, fail = 0, skipped = 0, vs_file = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (b2n_helper__register(5, unwind_helper)) {
		fprintf(stderr, "cannot register helper 5\n");
		return 2;
	}
	printf("conformance[%s]: %zu cases, %s-endian target\n", B2N_CONF_TARGET, conf_ncases,
	       be ? "big" : "little");
	for (size_t i = 0; i < conf_ncases; i++) {
		const struct conf_case *c = &conf_cases[i];
		if (only && strcmp(only, c->name))
			continue;
		const char *why = skip_reason(c->name);
		if (why) {
			printf("SKIP %s: %s\n", c->name, why);
			skipped++;
			continue;
		}
		int fds[2];
		if (pipe(fds)) {
			perror("pipe");
			return 2;
		}
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			close(fds[0]);
			run_child(c, fds[1]);
		}
		close(fds[1]);
		struct outcome o;
		ssize_t got = read(fds[0], &o, sizeof(o));
		close(fds[0]);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		char msg[256];
		msg[0] = 0;
		if (got != (ssize_t)sizeof(o)) {
			if (WIFSIGNALED(st))
				snprintf(msg, sizeof(msg), "crashed with signal %d (%s)%s", WTERMSIG(st),
				         strsignal(WTERMSIG(st)),
				         WTERMSIG(st) == SIGALRM ? ", timeout" : "");
			else
				snprintf(msg, sizeof(msg), "child exited with status %d",
				         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		} else if (!o.have_native) {
			snprintf(msg, sizeof(msg), "symbol b2n_%s__prog missing from the object",
			         c->name);
		} else if (o.interp_rc) {
			snprintf(msg, sizeof(msg), "native 0x%" PRIx64 ", interpreter error %d", o.native,
			         o.interp_rc);
		} else if (o.native != o.interp) {
			snprintf(msg, sizeof(msg),
			         "native 0x%" PRIx64 " != interpreter 0x%" PRIx64 " (file 0x%" PRIx64 ")",
			         o.native, o.interp, c->expected);
		} else if ((!be || c->order_independent) && o.native != c->expected) {
			snprintf(msg, sizeof(msg),
			         "native 0x%" PRIx64 " == interpreter, but the file expects 0x%" PRIx64
			         "%s",
			         o.native, c->expected, be ? " (byte-order independent case)" : "");
		}
		if (msg[0]) {
			printf("FAIL %s: %s\n", c->name, msg);
			fail++;
		} else {
			pass++;
			vs_file += !be || c->order_independent;
		}
	}
	if (be)
		printf("conformance[%s]: %zu passing cases also match the file's result (byte-order "
		       "independent); the other %zu match the interpreter on this target\n",
		       B2N_CONF_TARGET, vs_file, pass - vs_file);
	printf("conformance[%s]: %zu passed, %zu failed, %zu skipped\n", B2N_CONF_TARGET, pass, fail,
	       skipped);
	return fail ? 1 : 0;
}
