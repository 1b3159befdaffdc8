/*
 * tailcall_test.c - driver of tests/tailcall on one target (ctest
 * tailcall-<target>; run_tailcall.sh builds it with the target's gcc,
 * -static, and runs it natively or under qemu-user).
 *
 * The native objects of chain.bpf.c (tc_chain), chainb.bpf.c (tc_chainb,
 * compiled separately), loop.bpf.c (tc_loop, --loop-limit 1000) and the
 * asm programs ll_bounded.s / ll_unbounded.s (--loop-limit 1000) are
 * linked in; their descriptors are weak references, so an object that
 * bpf2native refused shows up as a failed check instead of a link error.
 *
 * Every BPF step calls the application helper TC_HELPER_RECORD, which
 * logs the step's tag, its ctx pointer and the helper's own frame address.
 * A chain is then checked step by step: which programs ran in which order,
 * that each saw the caller's ctx, and that the frame address is the same
 * at every step (identical programs have identical frames, so a constant
 * address means each tail call reused its caller's frame instead of
 * nesting a new one).  Step 0 runs in the frame of the normal entry,
 * which may differ from the tail entry's by one small frame (see
 * check_stack).  Only the public API of libb2n.h is used.
 *
 * Output: one line per failed check, a summary per group, and the final
 * line "N passed, M failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/libb2n.h>

#include "tailcall_bpf.h"

extern const struct b2n_abi_object b2n_object_tc_chain __attribute__((weak));
extern const struct b2n_abi_object b2n_object_tc_chainb __attribute__((weak));
extern const struct b2n_abi_object b2n_object_tc_loop __attribute__((weak));
extern const struct b2n_abi_object b2n_object_ll_bounded __attribute__((weak));
extern const struct b2n_abi_object b2n_object_ll_unbounded __attribute__((weak));
extern const struct b2n_abi_object b2n_object_as_step __attribute__((weak));
extern const struct b2n_abi_object b2n_object_as_disp __attribute__((weak));
extern const struct b2n_abi_object b2n_object_as_ret __attribute__((weak));
extern const struct b2n_abi_object b2n_object_as_sub __attribute__((weak));

static int t_pass, t_fail, verbose; /* verbose: TC_VERBOSE=1 traces runs */
static const char *t_where = "";

#define CHECK(ok, ...)                                                                             \
	do {                                                                                       \
		if (ok) {                                                                          \
			t_pass++;                                                                  \
		} else {                                                                           \
			t_fail++;                                                                  \
			printf("FAIL [%s] line %d: ", t_where, __LINE__);                          \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			fflush(stdout);                                                            \
		}                                                                                  \
	} while (0)

/* ---- the recording helper ---------------------------------------------- */

#define MAXREC 256
struct rec {
	uint64_t tag;
	uintptr_t ctx;
	uintptr_t fa;
};
static struct rec rec[MAXREC];
static int nrec;

static __attribute__((noinline)) uint64_t h_record(uint64_t r1, uint64_t r2, uint64_t r3,
                                                   uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	if (nrec < MAXREC) {
		rec[nrec].tag = r2;
		rec[nrec].ctx = (uintptr_t)r1;
		rec[nrec].fa = (uintptr_t)__builtin_frame_address(0);
	}
	return (uint64_t)nrec++;
}

#if defined(__powerpc64__)
#define TRAMPOLINE 1 /* tail calls run from b2n_tail_run_pending */
#else
#define TRAMPOLINE 0
#endif

/* Largest spread of frame addresses seen among steps 1..n of a chain, and
 * largest distance between steps 0 and 1 (reported). */
static uintptr_t worst_spread, worst_entry;
static int stack_checks;

/* The recorded frame addresses of the last run (see above).  Two checks,
 * so that a failure says which property broke:
 *   growth: steps 1..n all at the same address (a tail call reuses the
 *           frame of the program it leaves);
 *   entry:  step 0 runs in the frame of the normal entry (the exported
 *           function, which zeroes the counter and may have the body
 *           inlined), steps 1..n in that of the tail entry; the two
 *           frames may differ in size, and where the normal entry's first
 *           tail call is an ordinary call (sparcv9: the musttail is lost
 *           when the body is inlined into the entry; ppc64le: the
 *           trampoline) step 1 runs one frame deeper.  Checked: at most
 *           one small frame (256 bytes) apart; the distance is reported. */
static void check_stack(const char *what)
{
	if (nrec < 2)
		return;
	uintptr_t lo = rec[1].fa, hi = rec[1].fa;
	for (int i = 1; i < nrec && i < MAXREC; i++) {
		lo = rec[i].fa < lo ? rec[i].fa : lo;
		hi = rec[i].fa > hi ? rec[i].fa : hi;
	}
	stack_checks++;
	if (hi - lo > worst_spread)
		worst_spread = hi - lo;
	CHECK(hi == lo, "%s: stack growth: steps 1..%d at frame addresses %#lx..%#lx (%lu bytes)",
	      what, nrec - 1, (unsigned long)lo, (unsigned long)hi, (unsigned long)(hi - lo));
	uintptr_t d = rec[0].fa > rec[1].fa ? rec[0].fa - rec[1].fa : rec[1].fa - rec[0].fa;
	if (d > worst_entry)
		worst_entry = d;
	CHECK(d <= 256,
	      "%s: entry: step 0 at %#lx, step 1 at %#lx (the first tail call moved the stack "
	      "by %lu bytes)",
	      what, (unsigned long)rec[0].fa, (unsigned long)rec[1].fa, (unsigned long)d);
}

static void check_ctx(const char *what, const void *ctx)
{
	int bad = -1;
	for (int i = 0; i < nrec && i < MAXREC; i++)
		if (rec[i].ctx != (uintptr_t)ctx) {
			bad = i;
			break;
		}
	CHECK(bad < 0, "%s: step %d saw ctx %#lx, want %p", what, bad,
	      bad < 0 ? 0ul : (unsigned long)rec[bad].ctx, ctx);
}

/* ---- utilities ----------------------------------------------------------- */

static struct b2n_object *open_load(const struct b2n_abi_object *desc, const char *name)
{
	CHECK(desc != NULL, "object %s was not compiled (descriptor missing)", name);
	if (!desc)
		return NULL;
	struct b2n_object *o = b2n_object__open(desc, NULL);
	CHECK(o != NULL, "b2n_object__open(%s): errno %d", name, errno);
	if (!o)
		return NULL;
	int err = b2n_object__load(o);
	CHECK(err == 0, "b2n_object__load(%s): %d", name, err);
	if (err) {
		b2n_object__close(o);
		return NULL;
	}
	return o;
}

static struct b2n_program *prog(struct b2n_object *o, const char *name)
{
	struct b2n_program *p = b2n_object__find_program_by_name(o, name);
	CHECK(p != NULL, "program %s not found", name);
	return p;
}

static struct b2n_map *map(struct b2n_object *o, const char *name)
{
	struct b2n_map *m = b2n_object__find_map_by_name(o, name);
	CHECK(m != NULL, "map %s not found", name);
	return m;
}

/* A global of .bss (libbpf names the map "<obj>.bss"; match the suffix). */
static uint64_t *bss_u64(struct b2n_object *o)
{
	struct b2n_map *m;
	for (m = b2n_object__next_map(o, NULL); m; m = b2n_object__next_map(o, m)) {
		const char *n = b2n_map__name(m);
		size_t l = strlen(n);
		if (l >= 4 && !strcmp(n + l - 4, ".bss"))
			break;
	}
	CHECK(m != NULL, ".bss map not found");
	if (!m)
		return NULL;
	size_t sz = 0;
	uint64_t *d = b2n_map__data(m, &sz);
	CHECK(d != NULL && sz >= 8, ".bss data: %p, %zu bytes", (void *)d, sz);
	return sz >= 8 ? d : NULL;
}

static int set_slot(struct b2n_map *m, uint32_t idx, struct b2n_program *p)
{
	int fd = b2n_program__fd(p);
	int err = b2n_map__update_elem(m, &idx, 4, &fd, 4, 0);
	CHECK(err == 0, "update slot %u of %s with %s (fd %d): %d", idx, b2n_map__name(m),
	      b2n_program__name(p), fd, err);
	return err;
}

static void clear_slots(struct b2n_map *m)
{
	for (uint32_t i = 0; i < b2n_map__max_entries(m); i++)
		b2n_map__delete_elem(m, &i, 4, 0); /* -ENOENT for empty slots */
}

static uint64_t run(struct b2n_program *p, struct tctx *ctx)
{
	uint64_t r = 0xdeadbeef;
	nrec = 0;
	if (verbose)
		printf("[%s] run %s a0=%#llx\n", t_where, b2n_program__name(p),
		       (unsigned long long)ctx->a[0]);
	int err = b2n_program__run(p, ctx, &r);
	CHECK(err == 0, "b2n_program__run(%s): %d", b2n_program__name(p), err);
	return r;
}

/* ---- tc_chain ------------------------------------------------------------ */

static struct b2n_program *steps[TC_CHAIN_MAX];

/* step0 with slots 1..n filled: min(n, 33) tail calls, in order. */
static void chain_of(struct b2n_object *o, struct b2n_map *jmp, uint64_t *hops, int n)
{
	char what[64];
	snprintf(what, sizeof(what), "chain of %d", n);
	clear_slots(jmp);
	for (int k = 1; k <= n; k++)
		set_slot(jmp, (uint32_t)k, steps[k]);
	int taken = n < 33 ? n : 33;
	for (int rep = 0; rep < 2; rep++) { /* the counter starts at 0 each run */
		struct tctx ctx = {{0}};
		*hops = 0;
		uint64_t r = run(steps[0], &ctx);
		CHECK(r == 1000u + (unsigned)taken, "%s: returned %" PRIu64 ", want %d", what, r,
		      1000 + taken);
		CHECK(*hops == (uint64_t)taken + 1, "%s: %" PRIu64 " programs entered, want %d",
		      what, *hops, taken + 1);
		CHECK(nrec == taken + 1, "%s: %d steps recorded, want %d", what, nrec, taken + 1);
		int order = 1;
		for (int i = 0; i < nrec && i < MAXREC; i++)
			order &= rec[i].tag == (uint64_t)(TAG_STEP + i);
		CHECK(order, "%s: steps out of order", what);
		check_ctx(what, &ctx);
		check_stack(what);
	}
	(void)o;
}

static void test_chain(struct b2n_object *o)
{
	t_where = "chain";
	struct b2n_map *jmp = map(o, "jmp");
	uint64_t *hops = bss_u64(o);
	char nm[16];
	for (int k = 0; k < TC_CHAIN_MAX; k++) {
		snprintf(nm, sizeof(nm), "step%d", k);
		steps[k] = prog(o, nm);
		if (!steps[k])
			return;
	}
	if (!jmp || !hops)
		return;
	for (int n = 0; n <= 40; n++)
		chain_of(o, jmp, hops, n);
	clear_slots(jmp);

	/* A chain with a gap: slot 20 empty ends it at step19, whatever
	 * the later slots hold. */
	for (int k = 1; k < TC_CHAIN_MAX; k++)
		if (k != 20)
			set_slot(jmp, (uint32_t)k, steps[k]);
	struct tctx ctx = {{0}};
	*hops = 0;
	uint64_t r = run(steps[0], &ctx);
	CHECK(r == 1019 && *hops == 20, "gap at slot 20: returned %" PRIu64 ", %" PRIu64 " entered",
	      r, *hops);
	/* Starting in the middle: step8 -> 9 .. 40 is 32 calls, below the limit. */
	*hops = 0;
	r = run(steps[8], &ctx);
	CHECK(r == 1019 && *hops == 12, "step8 to the gap: returned %" PRIu64 ", %" PRIu64, r,
	      *hops);
	set_slot(jmp, 20, steps[20]);
	*hops = 0;
	r = run(steps[8], &ctx);
	CHECK(r == 1040 && *hops == 33,
	      "step8 to step40 (32 calls): returned %" PRIu64 ", %" PRIu64 " entered", r, *hops);
	check_stack("step8..step40");
	*hops = 0;
	r = run(steps[7], &ctx);
	CHECK(r == 1040 && *hops == 34,
	      "step7 to step40 (33 calls): returned %" PRIu64 ", %" PRIu64 " entered", r, *hops);
	*hops = 0;
	r = run(steps[6], &ctx);
	CHECK(r == 1039 && *hops == 34,
	      "step6: the 34th call is refused: returned %" PRIu64 ", %" PRIu64 " entered", r,
	      *hops);
	clear_slots(jmp);
}

static void test_self_and_miss(struct b2n_object *o)
{
	t_where = "self/miss";
	struct b2n_map *jmp = map(o, "jmp");
	uint64_t *hops = bss_u64(o);
	struct b2n_program *self = prog(o, "self_loop"), *miss = prog(o, "miss");
	if (!jmp || !hops || !self || !miss)
		return;
	clear_slots(jmp);
	struct tctx ctx = {{1, 2, 3}};
	*hops = 0;
	uint64_t r = run(self, &ctx);
	CHECK(r == 2001 && nrec == 1, "self_loop, empty slot: %" PRIu64 ", %d steps", r, nrec);
	set_slot(jmp, TC_SELF_SLOT, self);
	for (int rep = 0; rep < 3; rep++) {
		*hops = 0;
		r = run(self, &ctx);
		CHECK(r == 2034, "self_loop run %d: returned %" PRIu64 ", want 2034", rep, r);
		CHECK(nrec == 34, "self_loop run %d: %d steps, want 34", rep, nrec);
		check_ctx("self_loop", &ctx);
		check_stack("self_loop");
	}
	*hops = 0;
	r = run(miss, &ctx);
	CHECK(r == 3001 && nrec == 1, "miss, empty slot: %" PRIu64 ", %d steps", r, nrec);
	set_slot(jmp, TC_MISS_SLOT, miss);
	*hops = 0;
	r = run(miss, &ctx);
	CHECK(r == 3034, "miss: returned %" PRIu64 ", want 3034 (failed calls must not count)", r);
	CHECK(nrec == 34, "miss: %d steps, want 34", nrec);
	check_ctx("miss", &ctx);
	check_stack("miss");
	clear_slots(jmp);
}

static void test_dispatch(struct b2n_object *o)
{
	t_where = "index";
	struct b2n_map *tgt = map(o, "tgt");
	struct b2n_program *d64 = prog(o, "dispatch"), *d32 = prog(o, "dispatch32");
	struct b2n_program *r5 = prog(o, "ret5"), *r6 = prog(o, "ret6"), *r7 = prog(o, "ret7");
	if (!tgt || !d64 || !d32 || !r5 || !r6 || !r7)
		return;
	clear_slots(tgt);
	set_slot(tgt, 1, r5);
	set_slot(tgt, 2, r6);
	set_slot(tgt, 7, r7);
	static const struct {
		uint64_t idx;
		uint64_t want64, want32;
	} cases[] = {
	    {1, 105, 105},
	    {2, 106, 106},
	    {7, 107, 107},
	    {0, 4000, 4001},                   /* empty slot */
	    {3, 4000, 4001},                   /* empty slot */
	    {8, 4000, 4001},                   /* == max_entries */
	    {1000, 4000, 4001},                /* far out of range */
	    {(uint64_t)-1, 4000, 4001},        /* negative: u32 0xffffffff */
	    {(uint64_t)-7, 4000, 4001},        /* negative */
	    {0x80000001ull, 4000, 4001},       /* negative as s32 */
	    {0x100000001ull, 105, 105},        /* truncated to 1 */
	    {0xffffffff00000002ull, 106, 106}, /* truncated to 2 */
	    {0x7fffffff00000007ull, 107, 107}, /* truncated to 7 */
	    {0x100000008ull, 4000, 4001},      /* truncated to 8: out of range */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tctx ctx = {{cases[i].idx, 100}};
		uint64_t r = run(d64, &ctx);
		CHECK(r == cases[i].want64,
		      "dispatch index %#" PRIx64 ": %" PRIu64 ", want %" PRIu64, cases[i].idx, r,
		      cases[i].want64);
		check_ctx("dispatch", &ctx);
		r = run(d32, &ctx);
		CHECK(r == cases[i].want32,
		      "dispatch32 index %#" PRIx64 ": %" PRIu64 ", want %" PRIu64, cases[i].idx, r,
		      cases[i].want32);
		check_ctx("dispatch32", &ctx);
	}

	t_where = "slots";
	/* Slots changed by the application between runs. */
	struct tctx ctx = {{3, 100}};
	uint64_t r = run(d64, &ctx);
	CHECK(r == 4000, "slot 3 empty: %" PRIu64, r);
	set_slot(tgt, 3, r5);
	r = run(d64, &ctx);
	CHECK(r == 105, "slot 3 = ret5: %" PRIu64, r);
	set_slot(tgt, 3, r6);
	r = run(d64, &ctx);
	CHECK(r == 106, "slot 3 = ret6 (replaced): %" PRIu64, r);
	uint32_t k = 3;
	int err = b2n_map__delete_elem(tgt, &k, 4, 0);
	CHECK(err == 0, "delete slot 3: %d", err);
	r = run(d64, &ctx);
	CHECK(r == 4000, "slot 3 deleted: %" PRIu64, r);
	err = b2n_map__delete_elem(tgt, &k, 4, 0);
	CHECK(err == -ENOENT, "delete empty slot 3: %d, want -ENOENT", err);
	set_slot(tgt, 3, r7);
	r = run(d64, &ctx);
	CHECK(r == 107, "slot 3 = ret7: %" PRIu64, r);
	int bad = -1;
	err = b2n_map__update_elem(tgt, &k, 4, &bad, 4, 0);
	CHECK(err != 0, "slot 3 = fd -1 accepted");
	bad = 0x7ffffff;
	err = b2n_map__update_elem(tgt, &k, 4, &bad, 4, 0);
	CHECK(err != 0, "slot 3 = fd %d (no such program) accepted", bad);
	r = run(d64, &ctx);
	CHECK(r == 107, "slot 3 after refused updates: %" PRIu64 ", want 107", r);
	k = 8;
	int fd = b2n_program__fd(r5);
	err = b2n_map__update_elem(tgt, &k, 4, &fd, 4, 0);
	CHECK(err == -E2BIG, "update slot 8 (max_entries 8): %d, want -E2BIG", err);
	/* Ten rounds of rewiring the same slot. */
	struct b2n_program *rs[3] = {r5, r6, r7};
	int ok = 1;
	for (int i = 0; i < 30; i++) {
		set_slot(tgt, 3, rs[i % 3]);
		ok &= run(d64, &ctx) == (uint64_t)(105 + i % 3);
	}
	CHECK(ok, "rewiring slot 3 thirty times");
	clear_slots(tgt);
}

static void test_sub(struct b2n_object *o)
{
	t_where = "subprogram";
	struct b2n_map *tgt = map(o, "tgt");
	uint64_t *hops = bss_u64(o);
	struct b2n_program *fs = prog(o, "from_sub"), *r5 = prog(o, "ret5");
	struct b2n_program *r6 = prog(o, "ret6"), *hop = prog(o, "hop");
	if (!tgt || !hops || !fs || !r5 || !r6 || !hop)
		return;
	clear_slots(tgt);
	set_slot(tgt, 1, r5);
	set_slot(tgt, 2, r6);
	set_slot(tgt, 4, hop);
	set_slot(tgt, 5, hop);
	struct tctx ctx = {{1, 0, 0, 50}};
	uint64_t r = run(fs, &ctx);
	CHECK(r == 5006, "from_sub -> ret5: %" PRIu64 ", want 5006", r);
	CHECK(nrec == 2 && rec[0].tag == TAG_SUB && rec[1].tag == TAG_RET,
	      "from_sub -> ret5: %d steps", nrec);
	check_ctx("from_sub", &ctx);
	ctx.a[0] = 0;
	r = run(fs, &ctx);
	CHECK(r == 70006, "from_sub, empty slot: %" PRIu64 ", want 70006", r);
	ctx.a[0] = 0x500000000ull + 2; /* truncated to 2 */
	r = run(fs, &ctx);
	CHECK(r == 6006, "from_sub -> ret6 (index truncated): %" PRIu64 ", want 6006", r);
	ctx.a[0] = 4, ctx.a[2] = 2;
	r = run(fs, &ctx);
	CHECK(r == 6006, "from_sub -> hop -> ret6: %" PRIu64 ", want 6006", r);
	ctx.a[2] = 0;
	r = run(fs, &ctx);
	CHECK(r == 9006, "from_sub -> hop -> (empty): %" PRIu64 ", want 9006", r);
	/* sub -> hop -> hop ...: 33 calls from the subprogram's chain. */
	ctx.a[0] = 5, ctx.a[2] = 5;
	*hops = 0;
	r = run(fs, &ctx);
	CHECK(r == 9006, "from_sub -> hop x33: %" PRIu64 ", want 9006", r);
	CHECK(*hops == 33, "from_sub -> hop x33: %" PRIu64 " entered, want 33", *hops);
	CHECK(nrec == 34, "from_sub -> hop x33: %d steps, want 34", nrec);
	check_ctx("from_sub -> hop", &ctx);
	/* The counter is per run: a second run goes as far. */
	*hops = 0;
	r = run(fs, &ctx);
	CHECK(r == 9006 && *hops == 33, "from_sub -> hop x33, again: %" PRIu64 ", %" PRIu64, r,
	      *hops);
	clear_slots(tgt);
}

static void test_init(struct b2n_object *o)
{
	t_where = "init-values";
	struct b2n_program *d = prog(o, "dispatch_init");
	if (!d)
		return;
	static const uint64_t want[5] = {33, 11, 33, 22, 33};
	for (int i = 0; i < 5; i++) {
		struct tctx ctx = {{(uint64_t)i}};
		uint64_t r = run(d, &ctx);
		CHECK(r == want[i], "dispatch_init slot %d: %" PRIu64 ", want %" PRIu64, i, r,
		      want[i]);
	}
}

/* ---- tc_chain + tc_chainb ------------------------------------------------ */

static void test_cross(struct b2n_object *a, struct b2n_object *b)
{
	t_where = "cross-object";
	struct b2n_map *jmp = map(a, "jmp"), *jmpb = map(b, "jmpb");
	uint64_t *hops = bss_u64(a), *hopsb = bss_u64(b);
	struct b2n_program *bs[TC_CHAIN_MAX];
	char nm[16];
	for (int k = 0; k < TC_CHAIN_MAX; k++) {
		snprintf(nm, sizeof(nm), "step%d", k);
		steps[k] = prog(a, nm);
		snprintf(nm, sizeof(nm), "bstep%d", k);
		bs[k] = prog(b, nm);
		if (!bs[k] || !steps[k])
			return;
	}
	if (!jmp || !jmpb || !hops || !hopsb)
		return;
	for (int start = 0; start < 2; start++) {
		/* start 0: step0 -> bstep1 -> step2 ...; start 1: bstep0 -> step1 .. */
		clear_slots(jmp);
		clear_slots(jmpb);
		for (int k = 1; k < TC_CHAIN_MAX; k++) {
			int in_a = (k + start) % 2 == 0; /* program k lives in a */
			/* program k-1 lives in the other object and calls its own map */
			set_slot(in_a ? jmpb : jmp, (uint32_t)k, in_a ? steps[k] : bs[k]);
		}
		struct tctx ctx = {{42}};
		*hops = *hopsb = 0;
		uint64_t r = run(start ? bs[0] : steps[0], &ctx);
		/* 33 calls: the last program is number 33 */
		int last_in_a = (33 + start) % 2 == 0;
		uint64_t want = (last_in_a ? 1000 : 5000) + 33;
		CHECK(r == want, "start %d: returned %" PRIu64 ", want %" PRIu64, start, r, want);
		CHECK(*hops + *hopsb == 34, "start %d: %" PRIu64 " + %" PRIu64 " entered, want 34",
		      start, *hops, *hopsb);
		CHECK(*hops == 17 && *hopsb == 17, "start %d: %" PRIu64 " in a, %" PRIu64 " in b",
		      start, *hops, *hopsb);
		int order = nrec == 34;
		for (int i = 0; i < nrec && i < MAXREC; i++) {
			int in_a = (i + start) % 2 == 0;
			order &= rec[i].tag == (uint64_t)((in_a ? TAG_STEP : TAG_BSTEP) + i);
		}
		CHECK(order, "start %d: %d steps, out of order", start, nrec);
		check_ctx("cross-object", &ctx);
		check_stack("cross-object");
	}
	/* A short cross chain that ends on an empty slot of b's map. */
	clear_slots(jmp);
	clear_slots(jmpb);
	set_slot(jmp, 1, bs[1]);
	struct tctx ctx = {{0}};
	uint64_t r = run(steps[0], &ctx);
	CHECK(r == 5001 && nrec == 2, "step0 -> bstep1 -> (empty): %" PRIu64 ", %d steps", r, nrec);
	clear_slots(jmp);
	clear_slots(jmpb);
}

/* ---- asm programs, prog_array from a hand-made descriptor ---------------- */

/* The asm programs (as_*.s, each its own object) take the prog_array
 * handle from ctx[1]; the map comes from this descriptor, as compiled code
 * would read it from its map slot. */
static const struct b2n_abi_map as_maps[1] = {
    {"as_jmp", 3 /* BPF_MAP_TYPE_PROG_ARRAY */, 4, 4, TC_SLOTS, 0, -1, 0, 0, NULL, NULL, 0, -1},
};
static void *as_map_slots[1], *as_value_slots[1];
static const struct b2n_abi_object as_desc = {B2N_ABI_VERSION,
                                              __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
                                              "as_maps",
                                              "GPL",
                                              as_maps,
                                              1,
                                              0,
                                              NULL,
                                              as_map_slots,
                                              as_value_slots,
                                              NULL,
                                              0,
                                              0};

static void test_asm(void)
{
	t_where = "asm";
	struct b2n_object *mo = open_load(&as_desc, "as_maps");
	struct b2n_object *os = open_load(&b2n_object_as_step, "as_step");
	struct b2n_object *od = open_load(&b2n_object_as_disp, "as_disp");
	struct b2n_object *orr = open_load(&b2n_object_as_ret, "as_ret");
	struct b2n_object *ob = open_load(&b2n_object_as_sub, "as_sub");
	struct b2n_map *m = mo ? map(mo, "as_jmp") : NULL;
	struct b2n_program *ps = os ? prog(os, "prog") : NULL, *pd = od ? prog(od, "prog") : NULL;
	struct b2n_program *pr = orr ? prog(orr, "prog") : NULL, *pb = ob ? prog(ob, "prog") : NULL;
	uint64_t h = (uint64_t)(uintptr_t)as_map_slots[0];
	CHECK(!m || h, "as_jmp: map slot not filled by the loader");
	if (m && h && ps) {
		for (int n = 0; n <= 40; n++) {
			char what[64];
			snprintf(what, sizeof(what), "asm chain of %d", n);
			clear_slots(m);
			for (int k = 1; k <= n; k++)
				set_slot(m, (uint32_t)k, ps);
			int taken = n < 33 ? n : 33;
			struct tctx ctx = {{0, h, 0}};
			uint64_t r = run(ps, &ctx);
			CHECK(r == 1001u + (unsigned)taken, "%s: returned %" PRIu64 ", want %d",
			      what, r, 1001 + taken);
			CHECK(nrec == taken + 1 && ctx.a[2] == (uint64_t)taken + 1,
			      "%s: %d steps, counter %llu, want %d", what, nrec,
			      (unsigned long long)ctx.a[2], taken + 1);
			check_ctx(what, &ctx);
			check_stack(what);
		}
		clear_slots(m);
	}
	if (m && h && pd && pr) {
		set_slot(m, 1, pr);
		set_slot(m, 7, pr);
		static const struct {
			uint64_t idx, want;
		} cases[] = {
		    {1, 105},
		    {7, 105},
		    {0, 4000},
		    {2, 4000},
		    {TC_SLOTS, 4000},
		    {(uint64_t)-1, 4000},
		    {(uint64_t)-63, 4000},
		    {0x80000001ull, 4000},
		    {0x100000001ull, 105},
		    {0xffffffff00000007ull, 105},
		    {0x100000000ull + TC_SLOTS, 4000},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct tctx ctx = {{cases[i].idx, h, 0, 100}};
			uint64_t r = run(pd, &ctx);
			CHECK(r == cases[i].want,
			      "asm dispatch index %#" PRIx64 ": %" PRIu64 ", want %" PRIu64,
			      cases[i].idx, r, cases[i].want);
			check_ctx("asm dispatch", &ctx);
		}
		/* slots changed by the application between runs */
		struct tctx ctx = {{2, h, 0, 10}};
		uint64_t r = run(pd, &ctx);
		CHECK(r == 4000, "asm slot 2 empty: %" PRIu64, r);
		set_slot(m, 2, pr);
		r = run(pd, &ctx);
		CHECK(r == 15, "asm slot 2 = as_ret: %" PRIu64, r);
		if (ps) {
			set_slot(m, 2, ps); /* as_step: n = 1, slot 1 = as_ret */
			r = run(pd, &ctx);
			CHECK(r == 15 && nrec == 3,
			      "asm slot 2 = as_step -> as_ret: %" PRIu64 ", %d", r, nrec);
		}
		uint32_t k = 2;
		CHECK(b2n_map__delete_elem(m, &k, 4, 0) == 0, "asm delete slot 2");
		r = run(pd, &ctx);
		CHECK(r == 4000, "asm slot 2 deleted: %" PRIu64, r);
		clear_slots(m);
	}
	if (m && h && pb && pr) {
		set_slot(m, 3, pr);
		struct tctx ctx = {{3, h, 0, 1}};
		uint64_t r = run(pb, &ctx);
		CHECK(r == 61, "asm tail call from a subprogram: %" PRIu64 ", want 61", r);
		ctx.a[0] = 0x300000003ull;
		r = run(pb, &ctx);
		CHECK(r == 61, "asm tail call from a subprogram (index truncated): %" PRIu64, r);
		ctx.a[0] = 4;
		r = run(pb, &ctx);
		CHECK(r == 71, "asm subprogram, empty slot: %" PRIu64 ", want 71", r);
		if (pd) { /* sub -> as_disp (slot 4) -> as_ret (slot 4? no: ctx[0] = 4) */
			set_slot(m, 4, pd);
			r = run(pb, &ctx); /* as_disp tail-calls slot 4 = itself, 32 more times */
			CHECK(r == 40001 && nrec == 33,
			      "asm sub -> as_disp x33: %" PRIu64 ", %d steps, want 40001, 33", r,
			      nrec);
		}
		clear_slots(m);
	}
	b2n_object__close(ob);
	b2n_object__close(orr);
	b2n_object__close(od);
	b2n_object__close(os);
	b2n_object__close(mo);
}

/* ---- --loop-limit -------------------------------------------------------- */

static void test_loop_limit(void)
{
	t_where = "loop-limit";
	struct b2n_object *ub = open_load(&b2n_object_ll_unbounded, "ll_unbounded");
	struct b2n_object *bd = open_load(&b2n_object_ll_bounded, "ll_bounded");
	if (ub) {
		struct b2n_program *p = prog(ub, "prog");
		struct tctx ctx = {{1}};
		for (int rep = 0; p && rep < 2; rep++) {
			uint64_t r = run(p, &ctx);
			CHECK(r == B2N_LOOP_LIMIT_EXCEEDED,
			      "unbounded loop: %#" PRIx64 ", want B2N_LOOP_LIMIT_EXCEEDED", r);
		}
		b2n_object__close(ub);
	}
	if (bd) {
		struct b2n_program *p = prog(bd, "prog");
		static const struct {
			uint64_t k, want;
		} cases[] = {
		    {1, 1},
		    {10, 10},
		    {500, 500},
		    {1001, 1001}, /* 1000 back edges */
		    {1002, B2N_LOOP_LIMIT_EXCEEDED},
		    {100000, B2N_LOOP_LIMIT_EXCEEDED},
		    {1001, 1001}, /* the budget is per run */
		};
		for (size_t i = 0; p && i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct tctx ctx = {{cases[i].k}};
			uint64_t r = run(p, &ctx);
			CHECK(r == cases[i].want,
			      "bounded loop of %" PRIu64 ": %#" PRIx64 ", want %#" PRIx64,
			      cases[i].k, r, cases[i].want);
		}
		b2n_object__close(bd);
	}

	struct b2n_object *lo = open_load(&b2n_object_tc_loop, "tc_loop");
	if (!lo)
		return;
	struct b2n_program *pl = prog(lo, "loop_plain"), *ps = prog(lo, "loop_sub");
	struct b2n_program *pt = prog(lo, "loop_tail");
	struct b2n_map *lj = map(lo, "ljmp");
	uint64_t *lruns = bss_u64(lo);
	if (!pl || !ps || !pt || !lj || !lruns) {
		b2n_object__close(lo);
		return;
	}
	struct tctx ctx = {{100}};
	uint64_t r = run(pl, &ctx);
	CHECK(r == 4950, "C loop of 100: %" PRIu64 ", want 4950", r);
	ctx.a[0] = 5000;
	r = run(pl, &ctx);
	CHECK(r == B2N_LOOP_LIMIT_EXCEEDED, "C loop of 5000: %#" PRIx64 ", want exceeded", r);
	ctx.a[0] = 100;
	r = run(ps, &ctx);
	CHECK(r == 4951, "C loop of 100 in a subprogram: %" PRIu64 ", want 4951", r);
	ctx.a[0] = 5000;
	r = run(ps, &ctx);
	CHECK(r == B2N_LOOP_LIMIT_EXCEEDED,
	      "C loop of 5000 in a subprogram: %#" PRIx64 ", want exceeded", r);
	/* loop_tail: a[0] iterations, then itself again (34 runs in all). */
	uint32_t k0 = 0;
	int fd = b2n_program__fd(pt);
	int err = b2n_map__update_elem(lj, &k0, 4, &fd, 4, 0);
	CHECK(err == 0, "ljmp[0] = loop_tail: %d", err);
	ctx.a[0] = 20; /* 34 x 20 iterations: under the budget */
	*lruns = 0;
	r = run(pt, &ctx);
	CHECK(r == 34, "loop_tail 34 x 20: %" PRIu64 ", want 34", r);
	ctx.a[0] = 40; /* 34 x 40 iterations > 1000: the chain shares one budget */
	*lruns = 0;
	r = run(pt, &ctx);
	CHECK(r == B2N_LOOP_LIMIT_EXCEEDED, "loop_tail 34 x 40: %#" PRIx64 ", want exceeded", r);
	CHECK(*lruns > 20 && *lruns < 34, "loop_tail 34 x 40: stopped in run %" PRIu64, *lruns);
	ctx.a[0] = 20;
	*lruns = 0;
	r = run(pt, &ctx);
	CHECK(r == 34, "loop_tail 34 x 20 again: %" PRIu64 ", want 34", r);
	b2n_object__close(lo);
}

/* usage: tailcall [GROUP]: one group (run_tailcall.sh runs each in its own
 * process, so that a crash costs one group), or all of them. */
static const char *only;

static int want(const char *g)
{
	return !only || !strcmp(only, g);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	verbose = getenv("TC_VERBOSE") != NULL;
	only = argc > 1 ? argv[1] : NULL;
	int err = b2n_helper__register(TC_HELPER_RECORD, h_record);
	CHECK(err == 0, "b2n_helper__register(%d): %d", TC_HELPER_RECORD, err);

	int p0 = 0, f0 = 0;
#define GROUP_END(name)                                                                            \
	do {                                                                                       \
		printf("%-14s %d passed, %d failed\n", name, t_pass - p0, t_fail - f0);            \
		p0 = t_pass, f0 = t_fail;                                                          \
	} while (0)

	if (want("asm")) {
		test_asm();
		GROUP_END("asm");
	}
	t_where = "open";
	struct b2n_object *a = NULL, *b = NULL;
	if (want("chain") || want("self") || want("index") || want("sub") || want("init") ||
	    want("cross")) {
		a = open_load(&b2n_object_tc_chain, "tc_chain");
		b = open_load(&b2n_object_tc_chainb, "tc_chainb");
	}
	if (a) {
		if (want("chain")) {
			test_chain(a);
			GROUP_END("chain");
		}
		if (want("self")) {
			test_self_and_miss(a);
			GROUP_END("self/miss");
		}
		if (want("index")) {
			test_dispatch(a);
			GROUP_END("index/slots");
		}
		if (want("sub")) {
			test_sub(a);
			GROUP_END("subprogram");
		}
		if (want("init")) {
			test_init(a);
			GROUP_END("init-values");
		}
		if (b && want("cross")) {
			test_cross(a, b);
			GROUP_END("cross-object");
		}
	}
	if (stack_checks)
		printf("stack: %d chains checked; frame-address spread over steps 1..n: %lu bytes; "
		       "step 0 vs step 1: %lu bytes%s\n",
		       stack_checks, (unsigned long)worst_spread, (unsigned long)worst_entry,
		       TRAMPOLINE ? " (trampoline target)" : "");
	if (b)
		b2n_object__close(b);
	if (a)
		b2n_object__close(a);
	if (want("loop")) {
		test_loop_limit();
		GROUP_END("loop-limit");
	}
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
