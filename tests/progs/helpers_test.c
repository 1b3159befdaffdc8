/*
 * helpers_test.c - driver of helpers.bpf.c: the facts time_rand and pidinfo
 * check inside the program, the comm, trace_printk output through the
 * application's sink and its return values, snprintf results (full,
 * truncated, bad format), strncmp/strtol/strtoul results and checked copies
 * (successful and failing reads, the destination zeroed on failure).  Also
 * an application helper overriding a built-in one by id.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "progs_bpf.h"
#include "progs_test.h"

extern const struct b2n_abi_object b2n_object_helpers __attribute__((weak));

#define E(x) (-(x))
static const struct prun runs[] = {
    {"time_rand", {ARG_NCPUS}, 0x3f},       {"pidinfo", {ARG_TGID, ARG_TID, ARG_UIDGID}, 7},
    {"printk_test", {(uint64_t)-5, 7}, 25}, {"snprintf_test", {42, 0xbeef}, 12},
    {"snprintf_bad", {1}, -EINVAL},         {"strings", {0}, 10},
    {"probe", {ARG_USERBUF, 0}, 14},
};

static uint64_t zero_rand(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

static void check(struct b2n_object *obj)
{
	size_t sz;
	struct hp_res *r = get_data(obj, ".bss", &sz);
	if (!r)
		return;
	CHECK_EQ(sz, sizeof(*r), ".bss size");
	char name[17] = {0};
	prctl(PR_GET_NAME, name);
	CHECK(!strncmp(r->comm, name, 16), "comm = '%.16s', want '%s'", r->comm, name);
	CHECK(!strncmp(r->comm_short, name, 3) && r->comm_short[3] == 0,
	      "comm_short = '%.4s' (truncated to 3 + NUL)", r->comm_short);
	CHECK_EQ(r->comm_rc, 0, "get_current_comm results");

	CHECK(strstr(trace_captured(), "b2n: -5 7\n") != NULL, "trace output '%s'",
	      trace_captured());
	CHECK(strstr(trace_captured(), "b2n: x=7 s=str\n") != NULL, "trace output '%s'",
	      trace_captured());
	CHECK(strstr(trace_captured(), "bad") == NULL, "bad format printed: '%s'",
	      trace_captured());
	CHECK_EQ(r->printk_rc[0], 10, "trace_printk return 0");
	CHECK_EQ(r->printk_rc[1], 15, "trace_printk return 1");
	CHECK_EQ(r->printk_rc[2], E(EINVAL), "trace_printk of %n");

	CHECK(!strcmp(r->snp_out, "42-str-beef"), "snprintf out '%.40s'", r->snp_out);
	CHECK(!strcmp(r->snp_short, "42-str-"), "snprintf truncated '%.8s'", r->snp_short);
	CHECK_EQ(r->snp_rc[0], 12, "snprintf return");
	CHECK_EQ(r->snp_rc[1], 12, "snprintf truncated return");

	static const int64_t want_rc[12] = {0,         -1,        1, -1,        6,         4,
	                                    E(EINVAL), E(EINVAL), 4, E(ERANGE), E(EINVAL), 3};
	/* On failure the kernel (6.12+) zeroes *res. */
	static const int64_t want_val[8] = {-123, 31, 0, 0, 511, 0, 0, 1};
	for (int i = 0; i < 12; i++)
		CHECK(r->str_rc[i] == want_rc[i], "str_rc[%d] = %lld, want %lld", i,
		      (long long)r->str_rc[i], (long long)want_rc[i]);
	for (int i = 0; i < 8; i++)
		CHECK(r->str_val[i] == want_val[i], "str_val[%d] = %lld, want %lld", i,
		      (long long)r->str_val[i], (long long)want_val[i]);

	static const int64_t want_prc[10] = {0, 9, 0, 5, E(EFAULT), E(EFAULT), E(EFAULT), 4, 0, 5};
	for (int i = 0; i < 10; i++) {
		/* probe_read_kernel of a user address: -EFAULT, or -ERANGE as the
		 * x86 kernel answers (copy_from_kernel_nofault_allowed); the
		 * kernel test compares with the actual kernel. */
		if (i == 4 && r->probe_rc[i] == E(ERANGE))
			continue;
		CHECK(r->probe_rc[i] == want_prc[i], "probe_rc[%d] = %lld, want %lld", i,
		      (long long)r->probe_rc[i], (long long)want_prc[i]);
	}
	CHECK(!memcmp(&r->probe_val[0], USERBUF_TEXT, 8), "probe_read_user value");
	CHECK_EQ(r->probe_val[1], 0x1122334455667788ULL, "probe_read_kernel value");
	CHECK_EQ(r->probe_val[2], 0, "failed probe_read_kernel zeroes the destination");
	CHECK_EQ(r->probe_val[3], 0x1122334455667788ULL, "probe_read value");
	CHECK(!strcmp(r->probe_str[0], USERBUF_TEXT), "probe_read_user_str '%.16s'",
	      r->probe_str[0]);
	CHECK(!strcmp(r->probe_str[1], "kern"), "probe_read_kernel_str '%.16s'", r->probe_str[1]);
	CHECK(!strcmp(r->probe_str[2], "kern"), "probe_read_str '%.16s'", r->probe_str[2]);
	CHECK(!strcmp(r->probe_str[3], "ker"), "truncated probe_read_kernel_str '%.16s'",
	      r->probe_str[3]);

	/* An application helper overrides get_prandom_u32 (id 7). */
	b2n_helper_fn old = b2n_helper__get(7);
	CHECK(old != NULL, "built-in helper 7 registered");
	CHECK_EQ(b2n_helper__register(7, zero_rand), 0, "register helper 7");
	uint64_t ret = 0;
	CHECK_EQ(run_prog(obj, "time_rand", (uint64_t[8]){ARG_NCPUS}, &ret), 0, "run time_rand");
	CHECK_EQ(ret, 0x2f, "time_rand with get_prandom_u32 returning 0");
	b2n_helper__register(7, old);
	CHECK_EQ(run_prog(obj, "time_rand", (uint64_t[8]){ARG_NCPUS}, &ret), 0, "run time_rand");
	CHECK_EQ(ret, 0x3f, "time_rand with the built-in helper restored");
	CHECK_EQ(b2n_helper__register(B2N_HELPER_TABLE_SIZE, zero_rand), -EINVAL,
	         "register helper id out of range");
}

static void start(const struct group *g)
{
	(void)g;
	trace_capture_start();
}

const struct group group_helpers = {
    .name = "helpers",
    .src = "helpers",
    .desc = &b2n_object_helpers,
    .runs = runs,
    .nruns = sizeof(runs) / sizeof(runs[0]),
    .check = check,
    .before = start,
};
