/*
 * kernel_fmt_test.c - kernel agreement of bpf_snprintf's formatting and of
 * bpf_strtol, bpf_strtoul and bpf_strncmp (ctest helpers-kernel).  kernel_fmt.bpf.o (built by clang
 * for the host's byte order) is loaded with libbpf and run once with bpf_prog_test_run_opts; every
 * case of fmt_cases.h is then replayed on the runtime's b2n_h_snprintf with the same arguments
 * (pointers to the same strings and addresses in this process) and the return values and output
 * bytes, for the 96-byte and the 8-byte buffer and without a buffer, must be equal.
 * kernel_str.bpf.o does the same for the cases of str_cases.h (results
 * and *res values compared).  Exits 77 when the kernel refuses to load BPF
 * here (no CAP_BPF, no bpf()); a kernel that refuses the string helpers in
 * syscall programs only skips that part (printed).
 *
 * usage: kernel_fmt_test kernel_fmt.bpf.o [kernel_str.bpf.o]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../runtime/runtime_internal.h"
#include "fmt_cases.h"
#include "str_cases.h"

static char g_str[8] = "hello";
static char g_empty[1] = "";
static unsigned char g_ip4[4] = {192, 168, 1, 2};
static unsigned char g_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

#define S ((unsigned long long)(uintptr_t)g_str)
#define S2 ((unsigned long long)(uintptr_t)g_empty)
#define IP4 ((unsigned long long)(uintptr_t)g_ip4)
#define IP6 ((unsigned long long)(uintptr_t)g_ip6)

struct results {
	long long ret[FMT_NCASES];
	long long ret_short[FMT_NCASES];
	long long ret_zero[FMT_NCASES]; /* str = NULL, str_size = 0 */
	char out[FMT_NCASES][FMT_OUT_SIZE];
	char out_short[FMT_NCASES][8];
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void show(const char *what, const char *s, long long n)
{
	printf("    %s: ", what);
	for (long long i = 0; i < n; i++)
		putchar(s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?');
	printf("\n");
}

static int compare(const char *fmt, int i, long long kret, const char *kout, long long uret,
                   const char *uout, size_t size)
{
	long long n = kret > 0 ? (kret < (long long)size ? kret : (long long)size) : 0;
	if (kret == uret && memcmp(kout, uout, (size_t)n) == 0)
		return 0;
	printf("FAIL case %d \"%s\" (buffer %zu): kernel %lld, runtime %lld\n", i, fmt, size, kret,
	       uret);
	show("kernel ", kout, n);
	show("runtime", uout, uret > 0 ? (uret < (long long)size ? uret : (long long)size) : 0);
	return 1;
}

/* Load `path`, run its program `prog_name` once and copy its .bss into
 * out (size bytes).  Returns 0, 77 when bpf() is not permitted here, 2
 * when the kernel refused the object (printed), 1 on other errors. */
static int load_and_run(const char *path, const char *prog_name, void *out, size_t size)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map, *bss = NULL;
	void *buf;
	int err, ret = 1;
	uint32_t zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("FAIL: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("kernel refused %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return err == -EPERM || err == -ENOSYS || err == -EACCES ? 77 : 2;
	}
	prog = bpf_object__find_program_by_name(obj, prog_name);
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);
		if (len >= 4 && strcmp(name + len - 4, ".bss") == 0)
			bss = map;
	}
	if (!prog || !bss || bpf_map__value_size(bss) < size) {
		printf("FAIL: %s: program %s or .bss missing\n", path, prog_name);
		goto out;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
	if (err || topts.retval != 0) {
		printf("FAIL: %s: test run: %d, retval %u\n", path, err, topts.retval);
		goto out;
	}
	buf = calloc(1, bpf_map__value_size(bss));
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, buf)) {
		printf("FAIL: %s: reading .bss: %s\n", path, strerror(errno));
		free(buf);
		goto out;
	}
	memcpy(out, buf, size);
	free(buf);
	ret = 0;
out:
	bpf_object__close(obj);
	return ret;
}

struct str_results {
	long long l_ret[STRTOX_NCASES], l_res[STRTOX_NCASES];
	long long u_ret[STRTOX_NCASES], u_res[STRTOX_NCASES];
	long long c_ret[STRNCMP_NCASES];
};

#define CMP(what, i, kv, uv)                                                                       \
	do {                                                                                       \
		if ((long long)(kv) == (long long)(uv)) {                                          \
			pass++;                                                                    \
		} else {                                                                           \
			fail++;                                                                    \
			printf("FAIL %s case %d: kernel %lld, runtime %lld\n", what, i,            \
			       (long long)(kv), (long long)(uv));                                  \
		}                                                                                  \
	} while (0)

int main(int argc, char **argv)
{
	static struct results k;
	static struct str_results ks;
	int err, pass = 0, fail = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s kernel_fmt.bpf.o [kernel_str.bpf.o]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet_print);
	err = load_and_run(argv[1], "run", &k, sizeof(k));
	if (err == 77) {
		printf("SKIPPED helpers-kernel: no permission to load BPF programs here\n");
		return 77;
	}
	if (err)
		return 1;

#define X(i, fmt, ...)                                                                             \
	{                                                                                          \
		unsigned long long a[] = {__VA_ARGS__};                                            \
		char out[FMT_OUT_SIZE], out_short[8];                                              \
		long long r, rs, rz;                                                               \
		memset(out, 0, sizeof(out));                                                       \
		memset(out_short, 0, sizeof(out_short));                                           \
		r = (long long)b2n_h_snprintf((uintptr_t)out, FMT_OUT_SIZE, (uintptr_t)fmt,        \
		                              (uintptr_t)a, sizeof(a));                            \
		rs = (long long)b2n_h_snprintf((uintptr_t)out_short, 8, (uintptr_t)fmt,            \
		                               (uintptr_t)a, sizeof(a));                           \
		if (compare(fmt, i, k.ret[i], k.out[i], r, out, FMT_OUT_SIZE))                     \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
		if (compare(fmt, i, k.ret_short[i], k.out_short[i], rs, out_short, 8))             \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
		rz = (long long)b2n_h_snprintf(0, 0, (uintptr_t)fmt, (uintptr_t)a, sizeof(a));     \
		if (compare(fmt, i, k.ret_zero[i], "", rz, "", 0))                                 \
			fail++;                                                                    \
		else                                                                               \
			pass++;                                                                    \
	}
	FMT_CASES(X)
#undef X
	printf("kernel agreement of bpf_snprintf: %d formats\n", FMT_NCASES);

	if (argc == 3) {
		err = load_and_run(argv[2], "run_str", &ks, sizeof(ks));
		if (err == 0) {
#define X(i, buf, len, flags)                                                                      \
	{                                                                                          \
		static const char b[] = buf;                                                       \
		int64_t v = 0x5555;                                                                \
		uint64_t u = 0x5555;                                                               \
		CMP("strtol ret", i, ks.l_ret[i],                                                  \
		    b2n_h_strtol((uintptr_t)b, len, flags, (uintptr_t)&v, 0));                     \
		CMP("strtol res", i, ks.l_res[i], v);                                              \
		CMP("strtoul ret", i, ks.u_ret[i],                                                 \
		    b2n_h_strtoul((uintptr_t)b, len, flags, (uintptr_t)&u, 0));                    \
		CMP("strtoul res", i, ks.u_res[i], u);                                             \
	}
			STRTOX_CASES(X)
#undef X
#define X(i, s1, n, s2)                                                                            \
	{                                                                                          \
		static const char a[] = s1;                                                        \
		CMP("strncmp", i, ks.c_ret[i],                                                     \
		    b2n_h_strncmp((uintptr_t)a, n, (uintptr_t)s2, 0, 0));                          \
	}
			STRNCMP_CASES(X)
#undef X
			printf("kernel agreement of bpf_strtol/strtoul: %d cases, bpf_strncmp: %d "
			       "cases\n",
			       STRTOX_NCASES, STRNCMP_NCASES);
		} else if (err == 2) {
			printf("strtol/strncmp part skipped: the kernel refused the program\n");
		} else {
			fail++;
		}
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
