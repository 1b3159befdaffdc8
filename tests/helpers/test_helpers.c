/*
 * test_helpers.c - unit tests of the runtime's built-in helpers, called
 * directly as b2n_h_<name>(r1..r5) the way compiled code calls them
 * through b2n_helper_table: clocks, jiffies, prandom, CPU id, process
 * information, bpf_loop, strncmp/strtol/strtoul, the checked reads (with
 * NULL, an unmapped page and reads crossing into it), trace_printk with a
 * capturing sink, and snprintf.  Expected values are the kernel's (see the
 * comments of runtime/helpers_*.c).  The ring buffer is in test_ringbuf.c.
 *
 * Built for the host and, statically, for every target (run under
 * qemu-user; "--emulated" scales the threaded ring-buffer tests down).
 * Prints "N passed, M failed" last; exit status 1 when anything failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/runtime_internal.h"
#include "check.h"

int t_pass, t_fail;

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t mono_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- time, random, cpu --------------------------------------------------- */

static void test_time(void)
{
	uint64_t a, t, b, prev, boot, coarse, j0, j1, hz = 250;
	const char *env = getenv("B2N_HZ");
	int mono_ok = 1;

	a = mono_ns(CLOCK_MONOTONIC);
	t = b2n_h_ktime_get_ns(0, 0, 0, 0, 0);
	b = mono_ns(CLOCK_MONOTONIC);
	CHECK(a <= t && t <= b);
	prev = t;
	for (int i = 0; i < 1000; i++) {
		uint64_t v = b2n_h_ktime_get_ns(0, 0, 0, 0, 0);
		if (v < prev)
			mono_ok = 0;
		prev = v;
	}
	CHECK(mono_ok);

	a = mono_ns(CLOCK_BOOTTIME);
	boot = b2n_h_ktime_get_boot_ns(0, 0, 0, 0, 0);
	b = mono_ns(CLOCK_BOOTTIME);
	CHECK(a <= boot && boot <= b);
	CHECK(boot >= b2n_h_ktime_get_ns(0, 0, 0, 0, 0) - 1000000000u); /* boot >= mono */

	a = mono_ns(CLOCK_MONOTONIC);
	coarse = b2n_h_ktime_get_coarse_ns(0, 0, 0, 0, 0);
	b = mono_ns(CLOCK_MONOTONIC);
	/* tick resolution: at most a few ticks behind, never ahead */
	CHECK(coarse <= b);
	CHECK(coarse + 100000000u >= a);

	if (env && *env)
		hz = strtoull(env, NULL, 10);
	a = mono_ns(CLOCK_MONOTONIC);
	j0 = b2n_h_jiffies64(0, 0, 0, 0, 0);
	b = mono_ns(CLOCK_MONOTONIC);
	{
		uint64_t initial = (uint32_t)(-(int64_t)300 * (int64_t)hz);
		uint64_t lo = initial + a / 1000000000u * hz + a % 1000000000u * hz / 1000000000u;
		uint64_t hi = initial + b / 1000000000u * hz + b % 1000000000u * hz / 1000000000u;
		CHECK(lo <= j0 && j0 <= hi);
	}
	usleep(40000);
	j1 = b2n_h_jiffies64(0, 0, 0, 0, 0);
	CHECK(j1 - j0 >= 40 * hz / 1000 - 1); /* 40 ms at HZ */
	CHECK(j1 - j0 <= 10 * hz);            /* and not absurdly more */
}

struct prng_res {
	uint32_t first[4];
};

static void *prng_thread(void *arg)
{
	struct prng_res *r = arg;
	for (int i = 0; i < 4; i++)
		r->first[i] = (uint32_t)b2n_h_get_prandom_u32(0, 0, 0, 0, 0);
	return NULL;
}

static void test_prandom(void)
{
	enum { N = 20000 };
	int bits[32] = {0}, high_ok = 1, bits_ok = 1, distinct = 0;
	uint32_t prev = 0;
	struct prng_res r1, r2;
	pthread_t t1, t2;

	for (int i = 0; i < N; i++) {
		uint64_t v = b2n_h_get_prandom_u32(0, 0, 0, 0, 0);
		if (v >> 32)
			high_ok = 0;
		if (i && (uint32_t)v != prev)
			distinct++;
		prev = (uint32_t)v;
		for (int b = 0; b < 32; b++)
			bits[b] += (int)((v >> b) & 1);
	}
	for (int b = 0; b < 32; b++)
		if (bits[b] < N * 45 / 100 || bits[b] > N * 55 / 100)
			bits_ok = 0;
	CHECK(high_ok);
	CHECK(bits_ok);
	CHECK(distinct >= N - 10);
	/* two threads get independent sequences */
	pthread_create(&t1, NULL, prng_thread, &r1);
	pthread_create(&t2, NULL, prng_thread, &r2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK(memcmp(r1.first, r2.first, sizeof(r1.first)) != 0);
}

struct cpu_res {
	uint64_t id[2];
};

static void *cpu_thread(void *arg)
{
	struct cpu_res *r = arg;
	r->id[0] = b2n_h_get_smp_processor_id(0, 0, 0, 0, 0);
	r->id[1] = b2n_h_get_smp_processor_id(0, 0, 0, 0, 0);
	return NULL;
}

static void test_cpu(void)
{
	enum { T = 6 };
	int n = b2n_rt_ncpus();
	uint64_t me = b2n_h_get_smp_processor_id(0, 0, 0, 0, 0);
	struct cpu_res r[T];
	pthread_t th[T];
	int ok = 1;

	const char *env = getenv("B2N_NR_CPUS");

	CHECK(n >= 1);
	if (env && *env)
		CHECK_EQ(n, atoi(env));
	CHECK(me < (uint64_t)n);
	CHECK_EQ(me, (uint64_t)b2n_rt_cpu());
	CHECK_EQ(b2n_h_get_smp_processor_id(0, 0, 0, 0, 0), me);
	for (int i = 0; i < T; i++)
		pthread_create(&th[i], NULL, cpu_thread, &r[i]);
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		if (r[i].id[0] >= (uint64_t)n || r[i].id[0] != r[i].id[1])
			ok = 0;
	}
	CHECK(ok);
	/* slots are handed out round-robin: T new threads cover all of them */
	if (n <= T) {
		int seen = 0;
		for (int s = 0; s < n; s++)
			for (int i = 0; i < T; i++)
				if (r[i].id[0] == (uint64_t)s) {
					seen++;
					break;
				}
		CHECK_EQ(seen, n);
	}
}

/* ---- process information --------------------------------------------------- */

struct pid_res {
	uint64_t pid_tgid;
	uint64_t tid;
	char comm[16];
	uint64_t comm_ret;
};

static void *pid_thread(void *arg)
{
	struct pid_res *r = arg;
	prctl(PR_SET_NAME, "b2n-worker", 0, 0, 0);
	r->pid_tgid = b2n_h_get_current_pid_tgid(0, 0, 0, 0, 0);
	r->tid = (uint64_t)syscall(SYS_gettid);
	r->comm_ret = b2n_h_get_current_comm(U(r->comm), sizeof(r->comm), 0, 0, 0);
	return NULL;
}

static void test_process(void)
{
	uint64_t v = b2n_h_get_current_pid_tgid(0, 0, 0, 0, 0);
	char buf[32], small[4], one[1];
	struct pid_res r;
	pthread_t th;
	int zero_ok = 1;

	CHECK_EQ(v >> 32, (uint64_t)getpid());
	CHECK_EQ(v & 0xffffffffu, (uint64_t)syscall(SYS_gettid));
	v = b2n_h_get_current_uid_gid(0, 0, 0, 0, 0);
	CHECK_EQ(v & 0xffffffffu, (uint64_t)getuid());
	CHECK_EQ(v >> 32, (uint64_t)getgid());

	prctl(PR_SET_NAME, "b2n-comm-test-xyz", 0, 0, 0); /* kernel keeps 15 chars */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(b2n_h_get_current_comm(U(buf), sizeof(buf), 0, 0, 0), 0);
	CHECK_STR(buf, "b2n-comm-test-x");
	for (size_t i = strlen(buf); i < sizeof(buf); i++)
		if (buf[i] != 0)
			zero_ok = 0;
	CHECK(zero_ok); /* strscpy_pad: the rest is zeroed */
	memset(small, 0xaa, sizeof(small));
	CHECK_EQ(b2n_h_get_current_comm(U(small), sizeof(small), 0, 0, 0), 0);
	CHECK(memcmp(small, "b2n", 4) == 0);
	one[0] = 'x';
	CHECK_EQ(b2n_h_get_current_comm(U(one), 1, 0, 0, 0), 0);
	CHECK_EQ(one[0], 0);
	one[0] = 'x';
	CHECK_EQ(b2n_h_get_current_comm(U(one), 0, 0, 0, 0), 0);
	CHECK_EQ(one[0], 'x');

	pthread_create(&th, NULL, pid_thread, &r);
	pthread_join(th, NULL);
	CHECK_EQ(r.pid_tgid >> 32, (uint64_t)getpid());
	CHECK_EQ(r.pid_tgid & 0xffffffffu, r.tid);
	CHECK(r.tid != (uint64_t)syscall(SYS_gettid));
	CHECK_EQ(r.comm_ret, 0);
	CHECK_STR(r.comm, "b2n-worker");
}

/* ---- bpf_loop -------------------------------------------------------------- */

struct loop_ctx {
	uint64_t calls;
	uint64_t next_index;
	uint64_t stop_at;
	int order_ok;
};

static uint64_t loop_cb(uint64_t index, uint64_t ctx, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct loop_ctx *c = (struct loop_ctx *)(uintptr_t)ctx;
	if (index != c->next_index || r3 || r4 || r5)
		c->order_ok = 0;
	c->next_index = index + 1;
	c->calls++;
	return index == c->stop_at ? 1 : 0;
}

static void test_loop(void)
{
	struct loop_ctx c;
	uint64_t cb = (uint64_t)(uintptr_t)loop_cb;

	c = (struct loop_ctx){0, 0, UINT64_MAX, 1};
	CHECK_EQ(b2n_h_loop(10, cb, U(&c), 0, 0), 10);
	CHECK_EQ(c.calls, 10);
	CHECK(c.order_ok);

	c = (struct loop_ctx){0, 0, 4, 1};
	CHECK_EQ(b2n_h_loop(10, cb, U(&c), 0, 0), 5);
	CHECK_EQ(c.calls, 5);

	c = (struct loop_ctx){0, 0, UINT64_MAX, 1};
	CHECK_EQ(b2n_h_loop(0, cb, U(&c), 0, 0), 0);
	CHECK_EQ(c.calls, 0);
	CHECK_EQ(b2n_h_loop(3, cb, U(&c), 1, 0), NEG(EINVAL));
	/* the inlined kernel bpf_loop: -E2BIG through a 32-bit mov */
	CHECK_EQ(b2n_h_loop((1u << 23) + 1, cb, U(&c), 0, 0), (uint32_t)-E2BIG);
	CHECK_EQ(c.calls, 0);
	/* nr_loops is a u32 */
	CHECK_EQ(b2n_h_loop(UINT64_C(0x100000003), cb, U(&c), 0, 0), 3);
	c = (struct loop_ctx){0, 0, UINT64_MAX, 1};
	CHECK_EQ(b2n_h_loop(1u << 23, cb, U(&c), 0, 0), 1u << 23);
	CHECK_EQ(c.calls, 1u << 23);
	CHECK(c.order_ok);
}

/* ---- strncmp, strtol, strtoul ------------------------------------------------ */

static void test_strncmp(void)
{
	CHECK_EQ(b2n_h_strncmp(U("abc"), 3, U("abc"), 0, 0), 0);
	CHECK_EQ(b2n_h_strncmp(U("abd"), 3, U("abc"), 0, 0), 1);
	CHECK_EQ(b2n_h_strncmp(U("abc"), 3, U("abd"), 0, 0), NEG(1));
	CHECK_EQ(b2n_h_strncmp(U("abc"), 2, U("abx"), 0, 0), 0);
	CHECK_EQ(b2n_h_strncmp(U("abc"), 0, U("xyz"), 0, 0), 0);
	CHECK_EQ(b2n_h_strncmp(U("a"), 5, U("a"), 0, 0), 0);
	CHECK_EQ(b2n_h_strncmp(U("ab"), 5, U("a"), 0, 0), 1);
	CHECK_EQ(b2n_h_strncmp(U("\xff"), 1, U("a"), 0, 0), 1); /* unsigned */
	CHECK_EQ(b2n_h_strncmp(U("abcdefgh"), 8, U("abcdefgi"), 0, 0), NEG(1));
}

struct strtox_case {
	const char *buf;
	int len; /* -1: strlen */
	uint64_t flags;
	int64_t ret_l; /* strtol result (chars or -errno) */
	int64_t res_l;
	int64_t ret_ul; /* strtoul */
	uint64_t res_ul;
};

static const struct strtox_case strtox_cases[] = {
    {"123", -1, 0, 3, 123, 3, 123},
    {"123", 2, 10, 2, 12, 2, 12},
    {"  -42xyz", -1, 10, 5, -42, -EINVAL, 0},
    {"+5", -1, 10, -EINVAL, 0, -EINVAL, 0},
    {"\t\n\v\f\r 7", -1, 0, 7, 7, 7, 7},
    {"0x1f", -1, 0, 4, 31, 4, 31},
    {"0X1F", -1, 16, 4, 31, 4, 31},
    {"1f", -1, 16, 2, 31, 2, 31},
    {"0x", -1, 0, 1, 0, 1, 0},
    {"0xg", -1, 16, -EINVAL, 0, -EINVAL, 0},
    {"0xg", -1, 0, 1, 0, 1, 0},
    {"017", -1, 0, 3, 15, 3, 15},
    {"019", -1, 0, 2, 1, 2, 1},
    {"019", -1, 8, 2, 1, 2, 1},
    {"019", -1, 10, 3, 19, 3, 19},
    {"", 0, 0, -EINVAL, 0, -EINVAL, 0},
    {"   ", -1, 0, -EINVAL, 0, -EINVAL, 0},
    {"-", -1, 0, -EINVAL, 0, -EINVAL, 0},
    {"abc", -1, 10, -EINVAL, 0, -EINVAL, 0},
    {"12", -1, 2, -EINVAL, 0, -EINVAL, 0},
    {"12", -1, 0x20 | 10, -EINVAL, 0, -EINVAL, 0},
    {"-0", -1, 10, 2, 0, -EINVAL, 0},
    {"18446744073709551615", -1, 10, -ERANGE, 0, 20, UINT64_MAX},
    {"18446744073709551616", -1, 10, -ERANGE, 0, -ERANGE, 0},
    {"0xffffffffffffffff", -1, 0, -ERANGE, 0, 18, UINT64_MAX},
    {"9223372036854775807", -1, 10, 19, INT64_MAX, 19, INT64_MAX},
    {"9223372036854775808", -1, 10, -ERANGE, 0, 19, UINT64_C(9223372036854775808)},
    {"-9223372036854775808", -1, 10, 20, INT64_MIN, -EINVAL, 0},
    {"-9223372036854775809", -1, 10, -ERANGE, 0, -EINVAL, 0},
    {"-1", -1, 0, 2, -1, -EINVAL, 0},
};

static void test_strtox(void)
{
	for (size_t i = 0; i < sizeof(strtox_cases) / sizeof(strtox_cases[0]); i++) {
		const struct strtox_case *c = &strtox_cases[i];
		size_t len = c->len < 0 ? strlen(c->buf) : (size_t)c->len;
		int64_t rl = 0x5555;
		uint64_t rul = 0x5555;
		uint64_t ret;
		ret = b2n_h_strtol(U(c->buf), len, c->flags, U(&rl), 0);
		if (ret != (uint64_t)c->ret_l || rl != c->res_l)
			printf("  strtol case %zu \"%s\"\n", i, c->buf);
		CHECK_EQ(ret, c->ret_l);
		CHECK_EQ(rl, c->res_l);
		ret = b2n_h_strtoul(U(c->buf), len, c->flags, U(&rul), 0);
		if (ret != (uint64_t)c->ret_ul || rul != c->res_ul)
			printf("  strtoul case %zu \"%s\"\n", i, c->buf);
		CHECK_EQ(ret, c->ret_ul);
		CHECK_EQ(rul, c->res_ul);
	}
	/* at most 63 characters after the white space and sign are looked at */
	{
		char b[80];
		int64_t r = 0;
		uint64_t ur = 0;
		memset(b, '0', sizeof(b));
		strcpy(b + 70, "5");
		CHECK_EQ(b2n_h_strtol(U(b), 71, 10, U(&r), 0), 63);
		CHECK_EQ(r, 0);
		memset(b, '0', sizeof(b));
		b[0] = b[1] = ' ';
		b[2] = '-';
		strcpy(b + 3 + 61, "12"); /* 61 zeros and 12: 63 characters */
		CHECK_EQ(b2n_h_strtol(U(b), strlen(b), 10, U(&r), 0), 66);
		CHECK_EQ(r, -12);
		b[3 + 61] = '0';
		strcpy(b + 3 + 62, "12"); /* 62 zeros: only the 1 is seen */
		CHECK_EQ(b2n_h_strtol(U(b), strlen(b), 10, U(&r), 0), 66);
		CHECK_EQ(r, -1);
		CHECK_EQ(b2n_h_strtoul(U(b + 3), strlen(b + 3), 10, U(&ur), 0), 63);
		CHECK_EQ(ur, 1);
	}
	/* the buffer need not be NUL-terminated: buf_len bounds it */
	{
		char b[3] = {'4', '2', '7'};
		int64_t r = 0;
		CHECK_EQ(b2n_h_strtol(U(b), 2, 10, U(&r), 0), 2);
		CHECK_EQ(r, 42);
	}
}

/* ---- checked reads ----------------------------------------------------------- */

typedef uint64_t (*helper5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static int all_bytes(const void *p, int v, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i] != (unsigned char)v)
			return 0;
	return 1;
}

static void test_probe_read(void)
{
	static const helper5 rd[] = {b2n_h_probe_read, b2n_h_probe_read_user,
	                             b2n_h_probe_read_kernel};
	static const helper5 rs[] = {b2n_h_probe_read_str, b2n_h_probe_read_user_str,
	                             b2n_h_probe_read_kernel_str};
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *map, *hole, *big;
	unsigned char dst[64];
	char sdst[64];
	size_t bigsz = 20000;

	map =
	    mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	hole = map + pg;
	munmap(hole, (size_t)pg);
	memset(map, 'm', (size_t)pg);
	big = malloc(bigsz);
	for (size_t i = 0; i < bigsz; i++)
		big[i] = (unsigned char)(i * 7 + 3);

	for (int k = 0; k < 3; k++) {
		unsigned char *bd = malloc(bigsz);
		memset(dst, 0xaa, sizeof(dst));
		CHECK_EQ(rd[k](U(dst), 16, U("0123456789abcdef"), 0, 0), 0);
		CHECK(memcmp(dst, "0123456789abcdef", 16) == 0);
		CHECK_EQ(dst[16], 0xaa);
		memset(dst, 0xaa, sizeof(dst));
		/* NULL: the _kernel form refuses a user-range address with -ERANGE
		 * (as x86-64's kernel does), the others fault */
		CHECK_EQ(rd[k](U(dst), 16, 0, 0, 0), k == 2 ? NEG(ERANGE) : NEG(EFAULT));
		CHECK(all_bytes(dst, 0, 16));
		CHECK_EQ(dst[16], 0xaa);
		memset(dst, 0xaa, sizeof(dst));
		CHECK_EQ(rd[k](U(dst), 16, U(hole), 0, 0), NEG(EFAULT));
		CHECK(all_bytes(dst, 0, 16));
		/* 8 readable bytes then the hole: fails entirely, zeroed */
		memset(dst, 0xaa, sizeof(dst));
		CHECK_EQ(rd[k](U(dst), 16, U(hole - 8), 0, 0), NEG(EFAULT));
		CHECK(all_bytes(dst, 0, 16));
		/* exactly up to the hole: fine */
		CHECK_EQ(rd[k](U(dst), 16, U(hole - 16), 0, 0), 0);
		CHECK(all_bytes(dst, 'm', 16));
		CHECK_EQ(rd[k](U(dst), 0, 0, 0, 0), 0);
		/* several pages */
		CHECK_EQ(rd[k](U(bd), bigsz, U(big), 0, 0), 0);
		CHECK(memcmp(bd, big, bigsz) == 0);
		free(bd);

		/* strings */
		memset(sdst, 0x55, sizeof(sdst));
		CHECK_EQ(rs[k](U(sdst), 16, U("hello"), 0, 0), 6);
		CHECK_STR(sdst, "hello");
		CHECK_EQ(sdst[6], 0x55); /* nothing written after the NUL */
		memset(sdst, 0x55, sizeof(sdst));
		CHECK_EQ(rs[k](U(sdst), 6, U("hello world"), 0, 0), 6);
		CHECK_STR(sdst, "hello");
		CHECK_EQ(rs[k](U(sdst), 1, U("hello"), 0, 0), 1);
		CHECK_EQ(sdst[0], 0);
		sdst[0] = 'q';
		CHECK_EQ(rs[k](U(sdst), 0, U("hello"), 0, 0), 0);
		CHECK_EQ(sdst[0], 'q');
		memset(sdst, 0x55, sizeof(sdst));
		CHECK_EQ(rs[k](U(sdst), 32, 0, 0, 0), k == 2 ? NEG(ERANGE) : NEG(EFAULT));
		CHECK(all_bytes(sdst, 0, 32));
		CHECK_EQ(sdst[32], 0x55);
		/* string running into the hole without a NUL: fault */
		memset(sdst, 0x55, sizeof(sdst));
		CHECK_EQ(rs[k](U(sdst), 32, U(hole - 10), 0, 0), NEG(EFAULT));
		CHECK(all_bytes(sdst, 0, 32));
		/* ... but the size stops before the hole: truncated, no fault */
		CHECK_EQ(rs[k](U(sdst), 10, U(hole - 10), 0, 0), 10);
		CHECK(all_bytes(sdst, 'm', 9));
		CHECK_EQ(sdst[9], 0);
		/* NUL right before the hole */
		map[pg - 1] = 0;
		CHECK_EQ(rs[k](U(sdst), 32, U(hole - 5), 0, 0), 5);
		CHECK_STR(sdst, "mmmm");
		map[pg - 1] = 'm';
	}
	/* a long string across 4096-byte blocks */
	{
		char *s = malloc(9001), *d = malloc(9100);
		memset(s, 'x', 9000);
		s[9000] = 0;
		CHECK_EQ(b2n_h_probe_read_str(U(d), 9100, U(s), 0, 0), 9001);
		CHECK(strcmp(s, d) == 0);
		CHECK_EQ(b2n_h_probe_read_str(U(d), 5000, U(s + 3), 0, 0), 5000);
		CHECK_EQ(strlen(d), 4999);
		free(s);
		free(d);
	}
	/* reads from many threads at once (the pipe fallback is shared) */
	free(big);
	munmap(map, (size_t)pg);
}

struct pr_thread_arg {
	int ok;
};

static void *probe_thread(void *arg)
{
	struct pr_thread_arg *a = arg;
	char src[200], dst[200];
	a->ok = 1;
	for (int i = 0; i < 300; i++) {
		for (int j = 0; j < 200; j++)
			src[j] = (char)('a' + (i + j) % 26);
		src[150] = 0;
		if (b2n_h_probe_read(U(dst), 200, U(src), 0, 0) != 0 || memcmp(dst, src, 200))
			a->ok = 0;
		if (b2n_h_probe_read_str(U(dst), 200, U(src), 0, 0) != 151 || strcmp(dst, src))
			a->ok = 0;
		if (b2n_h_probe_read(U(dst), 8, 8, 0, 0) != NEG(EFAULT))
			a->ok = 0;
	}
	return NULL;
}

static void test_probe_read_threads(void)
{
	enum { T = 4 };
	pthread_t th[T];
	struct pr_thread_arg a[T];
	for (int i = 0; i < T; i++)
		pthread_create(&th[i], NULL, probe_thread, &a[i]);
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK(a[i].ok);
	}
}

/* ---- trace_printk -------------------------------------------------------------- */

static char sink_buf[4096];
static size_t sink_len;
static int sink_calls;

static void capture_sink(void *ctx, const char *msg, size_t len)
{
	CHECK(ctx == (void *)&sink_calls);
	sink_calls++;
	if (len >= sizeof(sink_buf))
		len = sizeof(sink_buf) - 1;
	memcpy(sink_buf, msg, len);
	sink_buf[len] = 0;
	sink_len = len;
}

static char nested_out[64];

static void nested_sink(void *ctx, const char *msg, size_t len)
{
	size_t n = strlen(nested_out);
	(void)ctx;
	snprintf(nested_out + n, sizeof(nested_out) - n, "[%.*s]", (int)len, msg);
	if (strncmp(msg, "outer", 5) == 0)
		b2n_h_trace_printk(U("inner %d"), 9, 2, 0, 0);
}

/* trace_printk(fmt, sizeof fmt, a1, a2, a3): returns the helper's result
 * and leaves the sink's text in sink_buf ("<none>" when not called). */
static uint64_t tp(const char *fmt, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int before = sink_calls;
	uint64_t r = b2n_h_trace_printk(U(fmt), strlen(fmt) + 1, a1, a2, a3);
	if (sink_calls == before)
		strcpy(sink_buf, "<none>");
	return r;
}

#define TP(fmt, a1, a2, a3, want)                                                                  \
	do {                                                                                       \
		uint64_t r_ = tp(fmt, a1, a2, a3);                                                 \
		CHECK_STR(sink_buf, want);                                                         \
		CHECK_EQ(r_, strlen(want));                                                        \
	} while (0)

#define TP_ERR(fmt, a1, a2, a3, err)                                                               \
	do {                                                                                       \
		uint64_t r_ = tp(fmt, a1, a2, a3);                                                 \
		CHECK_EQ(r_, NEG(err));                                                            \
		CHECK_STR(sink_buf, "<none>");                                                     \
	} while (0)

static void test_trace_printk(void)
{
	static const unsigned char ip4[4] = {192, 168, 1, 2};
	static const unsigned char ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                                      0,    0,    0,    0,    0, 0, 0, 1};
	char long_s[700];
	uint64_t r;

	b2n_set_trace_printk_sink(capture_sink, &sink_calls);
	TP("hello %d\n", 42, 0, 0, "hello 42\n");
	TP("no args", 0, 0, 0, "no args");
	TP("%d %u %x", UINT64_MAX, UINT64_MAX, UINT64_MAX, "-1 4294967295 ffffffff");
	TP("%X|%i", 0xabcdef, (uint64_t)-7, 0, "ABCDEF|-7");
	TP("%ld %lu %lx", UINT64_MAX, UINT64_MAX, UINT64_C(0x123456789a),
	   "-1 18446744073709551615 123456789a");
	TP("%lld %llu %llX", (uint64_t)INT64_MIN, UINT64_C(1) << 40, UINT64_C(0xdeadbeefcafe),
	   "-9223372036854775808 1099511627776 DEADBEEFCAFE");
	TP("%d", UINT64_C(0x100000005), 0, 0, "5"); /* int conversions use the low 32 bits */
	TP("%5d|%-5d|%05d", 42, 42, 42, "   42|42   |00042");
	TP("%+d|% d|%+u", 5, 5, 5, "+5| 5|5");
	TP("%-+6d|%06d|%-06d", 7, (uint64_t)-7, 7, "+7    |-00007|7     ");
	TP("%c%c%c", 'a', 'b', 'c' + 0x100, "abc");
	TP("%3c|%-3c|", 'x', 'y', 0, "  x|y  |");
	TP("%s=%s.", U("key"), U("value"), 0, "key=value.");
	TP("[%8s][%-8s]", U("ab"), U("cd"), 0, "[      ab][cd      ]");
	TP("[%s]", 0, 0, 0, "[]"); /* unreadable string: empty */
	TP("%pks|%pus", U("k"), U("u"), 0, "k|u");
	TP("%p %px %pK", 0x1234, 0xabc, 0, "0000000000001234 0000000000000abc 0000000000000000");
	TP("%20p|", 0xff, 0, 0, "                  ff|");
	TP("%ps|%8pS|", 0x1000, 0xab, 0, "0x1000|    0xab|");
	TP("%pB", 0x2000, 0, 0, "0x2000");
	TP("%pxabc.", 0x1, 0, 0, "0000000000000001."); /* alphanumerics after %p ext skipped */
	TP("%pI4 %pi4", U(ip4), U(ip4), 0, "192.168.1.2 192.168.001.002");
	TP("%pI6", U(ip6), 0, 0, "2001:0db8:0000:0000:0000:0000:0000:0001");
	TP("%pi6", U(ip6), 0, 0, "20010db8000000000000000000000001");
	TP("%pI4", 0, 0, 0, "0.0.0.0"); /* unreadable address: zeros */
	TP("100%% %d%%", 3, 0, 0, "100% 3%");
	TP("tab\tnl\n", 0, 0, 0, "tab\tnl\n");
	TP("%d %d", 1, 2, 3, "1 2"); /* fewer conversions than arguments */

	TP_ERR("%d %d %d %d", 1, 2, 3, EINVAL); /* at most 3 */
	TP_ERR("%f", 1, 0, 0, EINVAL);
	TP_ERR("%hd", 1, 0, 0, EINVAL);
	TP_ERR("%5.2d", 1, 0, 0, EINVAL);
	TP_ERR("%*d", 1, 0, 0, EINVAL);
	TP_ERR("%#x", 1, 0, 0, EINVAL);
	TP_ERR("%lf", 1, 0, 0, EINVAL);
	TP_ERR("%ls", 1, 0, 0, EINVAL);
	TP_ERR("%sx", U("a"), 0, 0, EINVAL); /* %s followed by an alphanumeric */
	TP_ERR("%pZ", 1, 0, 0, EINVAL);
	TP_ERR("%pI5", 1, 0, 0, EINVAL);
	TP_ERR("%", 1, 0, 0, EINVAL);
	TP_ERR("bell\a", 0, 0, 0, EINVAL);
	TP_ERR("caf\xc3\xa9", 0, 0, 0, EINVAL);
	/* fmt not NUL-terminated within fmt_size */
	sink_calls = 0;
	r = b2n_h_trace_printk(U("abcdef"), 6, 0, 0, 0);
	CHECK_EQ(r, NEG(EINVAL));
	CHECK_EQ(sink_calls, 0);
	r = b2n_h_trace_printk(U("abc\0def"), 4, 0, 0, 0);
	CHECK_EQ(r, 3);
	CHECK_STR(sink_buf, "abc");
	/* output limited to 1023 bytes; the result is the full length */
	r = tp("%1000d%100d", 1, 2, 0);
	CHECK_EQ(r, 1100);
	CHECK_EQ(sink_len, 1023);
	/* the 512-byte argument area: a 600-char string fills it */
	memset(long_s, 'L', sizeof(long_s) - 1);
	long_s[sizeof(long_s) - 1] = 0;
	r = tp("%s", U(long_s), 0, 0);
	CHECK_EQ(r, 511);
	CHECK_EQ(sink_len, 511);
	TP_ERR("%s%d", U(long_s), 1, 0, ENOSPC);
	TP_ERR("%s%s", U(long_s), U("x"), 0, ENOSPC);
	TP_ERR("%s%c", U(long_s), 'c', 0, ENOSPC);

	/* a sink may call trace_printk itself (no deadlock) */
	b2n_set_trace_printk_sink(nested_sink, NULL);
	nested_out[0] = 0;
	r = b2n_h_trace_printk(U("outer %d"), 9, 1, 0, 0);
	CHECK_EQ(r, 7);
	CHECK_STR(nested_out, "[outer 1][inner 2]");

	b2n_set_trace_printk_sink(NULL, NULL); /* default: stderr */
	r = b2n_h_trace_printk(U("trace_printk default sink: %d\n"), 31, 7, 0, 0);
	CHECK_EQ(r, 29);
}

/* ---- snprintf ----------------------------------------------------------------- */

static void test_snprintf(void)
{
	char buf[64];
	uint64_t args[13];
	uint64_t r;

	args[0] = 42;
	args[1] = U("ab");
	memset(buf, 0x55, sizeof(buf));
	r = b2n_h_snprintf(U(buf), sizeof(buf), U("%d-%s"), U(args), 16);
	CHECK_EQ(r, 6);
	CHECK_STR(buf, "42-ab");
	memset(buf, 0x55, sizeof(buf));
	r = b2n_h_snprintf(U(buf), 3, U("%d-%s"), U(args), 16);
	CHECK_EQ(r, 6);
	CHECK_STR(buf, "42");
	CHECK_EQ((unsigned char)buf[3], 0x55);
	r = b2n_h_snprintf(0, 0, U("%d-%s"), U(args), 16);
	CHECK_EQ(r, 6);
	r = b2n_h_snprintf(U(buf), sizeof(buf), U("plain"), 0, 0);
	CHECK_EQ(r, 6);
	CHECK_STR(buf, "plain");
	r = b2n_h_snprintf(U(buf), 1, U("plain"), 0, 0);
	CHECK_EQ(r, 6);
	CHECK_STR(buf, "");
	for (int i = 0; i < 13; i++)
		args[i] = (uint64_t)i;
	r = b2n_h_snprintf(U(buf), sizeof(buf), U("%d%d%d%d%d%d%d%d%d%d%d%d"), U(args), 96);
	CHECK_EQ(r, 15);
	CHECK_STR(buf, "01234567891011");
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%d"), U(args), 104), NEG(EINVAL));
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%d"), U(args), 12), NEG(EINVAL));
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%d"), 0, 8), NEG(EINVAL));
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%d %d"), U(args), 8), NEG(EINVAL));
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%d"), 0, 0), NEG(EINVAL));
	CHECK_EQ(b2n_h_snprintf(U(buf), sizeof(buf), U("%q"), U(args), 8), NEG(EINVAL));
	r = b2n_h_snprintf(U(buf), sizeof(buf), U("%d"), U(args + 5), 24); /* extra args ok */
	CHECK_EQ(r, 2);
	CHECK_STR(buf, "5");
	args[0] = (uint64_t)-3;
	args[1] = U("str");
	args[2] = 'z';
	args[3] = UINT64_C(0xfedcba9876543210);
	r = b2n_h_snprintf(U(buf), sizeof(buf), U("%03d|%-4s|%c|%llx"), U(args), 32);
	CHECK_STR(buf, "-03|str |z|fedcba9876543210");
	CHECK_EQ(r, strlen(buf) + 1);
}

int main(int argc, char **argv)
{
	int emulated = argc > 1 && strcmp(argv[1], "--emulated") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_time();
	test_prandom();
	test_cpu();
	test_process();
	test_loop();
	test_strncmp();
	test_strtox();
	test_probe_read();
	test_probe_read_threads();
	test_trace_printk();
	test_snprintf();
	test_ringbuf(emulated);
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
