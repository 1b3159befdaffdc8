/*
 * targets.c - the target table, built from targets.def by an X-macro.
 *
 * Lookup accepts the short name, any alias, or the exact LLVM triple.  The
 * LLVM ABI name is the one field targets.def does not carry, because it is
 * only needed where LLVM's default differs from the Debian toolchain's.
 */
#include <errno.h>
#include <string.h>

#include "frontend/frontend.h"
#include "targets.h"

/* The CPU names LLVM knows per target (cpus.inc, made by gen_cpus.c at
 * build time from LLVM's own tables). */
static const struct {
	const char *name, *cpus;
} cpu_table[] = {
#define X_CPUS(name, cpus) {name, cpus},
#include "cpus.inc"
#undef X_CPUS
};

static const struct b2n_target table[] = {
#define X(name, triple, cpu, feat, be, tc, gnu, qemu, aliases)                                   \
	{name, triple, cpu, feat, be, tc, gnu, qemu, aliases, ""},
#include "targets.def"
#undef X
};

#define NTARGETS (sizeof(table) / sizeof(table[0]))

/* Debian's riscv64 toolchain uses the hard-float lp64d ABI; LLVM's default
 * for a bare triple is lp64, which the linker refuses to mix. */
static const char *abi_of(const struct b2n_target *t)
{
	if (!strcmp(t->name, "riscv64"))
		return "lp64d";
	return "";
}

static struct b2n_target resolved[NTARGETS];

static void init(void)
{
	if (resolved[0].name)
		return;
	for (size_t i = 0; i < NTARGETS; i++) {
		resolved[i] = table[i];
		resolved[i].abi = abi_of(&table[i]);
	}
}

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

const struct b2n_target *b2n_target__find(const char *name)
{
	init();
	for (size_t i = 0; i < NTARGETS; i++) {
		const struct b2n_target *t = &resolved[i];
		if (!strcmp(t->name, name) || !strcmp(t->triple, name) || in_list(t->aliases, name))
			return t;
	}
	return NULL;
}

const struct b2n_target *b2n_target__default(void)
{
	init();
	return &resolved[0];
}

size_t b2n_target__count(void)
{
	return NTARGETS;
}

const struct b2n_target *b2n_target__at(size_t i)
{
	init();
	return i < NTARGETS ? &resolved[i] : NULL;
}

void b2n_target__list(FILE *out)
{
	static const char *tc_names[] = {"musttail", "musttail (checked)", "runtime loop"};
	init();
	fprintf(out, "%-9s %-31s %-13s %-6s %-19s %s\n", "target", "triple", "cpu", "endian",
	        "tail calls", "aliases");
	for (size_t i = 0; i < NTARGETS; i++) {
		const struct b2n_target *t = &resolved[i];
		fprintf(out, "%-9s %-31s %-13s %-6s %-19s %s\n", t->name, t->triple, t->cpu,
		        t->big_endian ? "big" : "little", tc_names[t->tailcall], t->aliases);
	}
}

static const char *cpus_of(const struct b2n_target *t)
{
	for (size_t i = 0; i < sizeof(cpu_table) / sizeof(cpu_table[0]); i++)
		if (!strcmp(cpu_table[i].name, t->name))
			return cpu_table[i].cpus;
	return "";
}

int b2n_target__has_cpu(const struct b2n_target *t, const char *cpu)
{
	return *cpu && in_list(cpus_of(t), cpu);
}

void b2n_target__list_cpus(const struct b2n_target *t, FILE *out)
{
	fprintf(out, "CPUs of target %s (%s; default %s):\n", t->name, t->triple, t->cpu);
	for (const char *p = cpus_of(t); *p;) {
		const char *e = strchr(p, ' ');
		int len = e ? (int)(e - p) : (int)strlen(p);
		fprintf(out, "  %.*s\n", len, p);
		p += len + (e != NULL);
	}
}

int b2n_target__check_cpu(const struct b2n_target *t, const char *cpu)
{
	char best[128] = "", word[128];
	size_t bestd = 4; /* suggest only close names */
	if (b2n_target__has_cpu(t, cpu))
		return 0;
	for (const char *p = cpus_of(t); *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		size_t d = b2n_edit_distance(cpu, word);
		if (d < bestd) {
			bestd = d;
			snprintf(best, sizeof(best), "%s", word);
		}
		p += len + (e != NULL);
	}
	if (best[0])
		b2n_err(NULL, "unknown target CPU '%s' for target %s; did you mean '%s'?", cpu,
		        t->name, best);
	else
		b2n_err(NULL, "unknown target CPU '%s' for target %s", cpu, t->name);
	b2n_pr(B2N_WARN, "bpf2native: note: '-mcpu help' lists the CPUs of %s\n", t->name);
	return -EINVAL;
}
