/*
 * fault_main.c - NULL accesses fault natively as in the interpreter
 * (ctest nullptr-<target>).
 *
 * Linked with the object bpf2native made from null_store.s and
 * null_load.s and with the target's runtime.  Each program runs in a
 * forked child, natively and in the reference interpreter (the same
 * instructions, written out below); both must die of SIGSEGV.  Under
 * qemu-user a guest's uncaught SIGSEGV kills the child qemu with the same
 * signal, so the check is the same on every target.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf2native/runtime.h>

uint64_t b2n_null_store__prog(void *ctx, uint64_t r2);
uint64_t b2n_null_load__prog(void *ctx, uint64_t r2);

/* the same programs, for the interpreter */
static const struct b2n_insn store_insns[] = {
    {0xb7, 6, 0, 0, 0}, /* mov %r6, 0 */
    {0x7b, 6, 1, 0, 0}, /* stxdw [%r6+0], %r1 */
    {0xb7, 0, 0, 0, 0}, /* mov %r0, 0 */
    {0x95, 0, 0, 0, 0}, /* exit */
};
static const struct b2n_insn load_insns[] = {
    {0xb7, 6, 0, 0, 0}, /* mov %r6, 0 */
    {0x79, 0, 6, 0, 0}, /* ldxdw %r0, [%r6+0] */
    {0x95, 0, 0, 0, 0}, /* exit */
};

struct prog {
	const char *name;
	uint64_t (*fn)(void *, uint64_t);
	const struct b2n_insn *insns;
	size_t n;
};

/* How a child running the program ended: "SIGSEGV", "returned N", ... */
static void run(const struct prog *p, int native, char *how, size_t len)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t r0 = 0;
		static unsigned char ctx[64];
		alarm(20);
		if (native)
			r0 = p->fn(ctx, 0);
		else if (b2n_interp__run(p->insns, p->n, ctx, 0, NULL, &r0))
			_exit(100); /* a fault the interpreter reports as an error */
		_exit(r0 == 0 ? 0 : 1);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		snprintf(how, len, "fork/wait failed");
	else if (WIFSIGNALED(st))
		snprintf(how, len, "%s", WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : strsignal(WTERMSIG(st)));
	else
		snprintf(how, len, "exit status %d", WEXITSTATUS(st));
}

int main(void)
{
	static const struct prog progs[] = {
	    {"null_store", b2n_null_store__prog, store_insns, 4},
	    {"null_load", b2n_null_load__prog, load_insns, 3},
	};
	int pass = 0, fail = 0;
	for (size_t i = 0; i < 2; i++) {
		char nat[64], interp[64];
		run(&progs[i], 1, nat, sizeof(nat));
		run(&progs[i], 0, interp, sizeof(interp));
		int ok = !strcmp(nat, "SIGSEGV") && !strcmp(interp, "SIGSEGV");
		printf("%s %s: native %s, interpreter %s\n", ok ? "ok  " : "FAIL", progs[i].name, nat,
		       interp);
		ok ? pass++ : fail++;
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
