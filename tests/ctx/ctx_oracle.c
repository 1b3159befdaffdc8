/*
 * ctx_oracle.c - the kernel as the oracle of the context pass.
 *
 * Usage: ctx_oracle FILE...  Each FILE is
 *  - an asm program of tests/ctx/asm ("# type: T" names its program type):
 *    ours is b2n_input__open with that type (check, verify, ctx pass); the
 *    kernel's is bpf_prog_load of the same instructions with that type;
 *  - a BPF ELF object: ours is b2n_input__open of the object; the
 *    kernel's is libbpf loading every program of it, one at a time, with
 *    the type libbpf derives from the section name.  The object counts as
 *    accepted when every program loads.
 * Both must accept, or both refuse.  An asm file may say "# kernel: skip
 * REASON" (printed) when the kernel cannot load it for reasons outside the
 * ctx rules.  Refusals print our diagnostic and the
 * kernel's last verifier line side by side.  A kernel that refuses what it
 * should not (e.g. a helper it lacks) would show up as a disagreement: the
 * corpus avoids such programs.
 * If bpf() is not permitted here, prints why and exits 77.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "frontend/frontend.h"

static char ourdiag[2048];
static size_t ourdiag_len;
static char klog[1 << 20];
static char kprog[128]; /* the program libbpf loaded last */

static int capture(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	int n = vsnprintf(ourdiag + ourdiag_len, sizeof(ourdiag) - ourdiag_len, fmt, ap);
	if (n > 0) {
		ourdiag_len += (size_t)n;
		if (ourdiag_len >= sizeof(ourdiag))
			ourdiag_len = sizeof(ourdiag) - 1;
	}
	return n;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int can_bpf(void)
{
	struct bpf_insn p[2];
	memset(p, 0, sizeof(p));
	p[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	p[1].code = BPF_JMP | BPF_EXIT;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", p, 2, NULL);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The last non-empty, non-statistics line of the verifier log. */
static const char *last_line(char *log)
{
	char *best = NULL;
	for (char *l = strtok(log, "\n"); l; l = strtok(NULL, "\n"))
		if (*l && strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17) &&
		    strncmp(l, "stack depth", 11))
			best = l;
	return best ? best : "(no log)";
}

static int ours(const char *path, uint32_t type)
{
	struct b2n_open_opts o = {.sz = sizeof(o), .prog_type = type};
	struct b2n_input *obj = NULL;
	ourdiag_len = 0;
	ourdiag[0] = 0;
	int err = b2n_input__open(path, &o, &obj);
	b2n_input__free(obj);
	char *nl = strchr(ourdiag, '\n');
	if (nl)
		*nl = 0;
	return err;
}

static int kernel_asm(const char *path, uint32_t type)
{
	unsigned char *buf;
	size_t len, n;
	struct b2n_insn *insns;
	if (b2n_read_file(path, &buf, &len))
		return -EIO;
	char *text = malloc(len + 1);
	memcpy(text, buf, len);
	text[len] = 0;
	free(buf);
	int err = b2n_asm__parse(path, text, &insns, &n);
	free(text);
	if (err)
		return err;
	struct bpf_insn *k = calloc(n, sizeof(*k));
	for (size_t i = 0; i < n; i++)
		b2n_insn_encode(&insns[i], (unsigned char *)&k[i], b2n_host_is_big_endian());
	free(insns);
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = klog, .log_size = sizeof(klog),
	            .log_level = 1);
	klog[0] = 0;
	int fd = bpf_prog_load((enum bpf_prog_type)type, "ctx", "GPL", k, (unsigned)n, &lo);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	free(k);
	return err;
}

static int kernel_obj(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p, *q;
	int n = 0, err = 0;
	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj) n++;
	bpf_object__close(obj);
	klog[0] = 0;
	for (int want = 0; want < n && !err; want++) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .kernel_log_buf = klog,
		            .kernel_log_size = sizeof(klog), .kernel_log_level = 1);
		obj = bpf_object__open_file(path, &oo);
		if (!obj)
			return -errno;
		int i = 0;
		bpf_object__for_each_program(q, obj)
		{
			bpf_program__set_autoload(q, i == want);
			if (i++ == want)
				snprintf(kprog, sizeof(kprog), "%s", bpf_program__name(q));
		}
		err = bpf_object__load(obj);
		bpf_object__close(obj);
	}
	return err;
}

int main(int argc, char **argv)
{
	int agree = 0, differ = 0, err;
	libbpf_set_print(quiet_libbpf);
	b2n_set_print(capture);
	if ((err = can_bpf())) {
		printf("SKIP: bpf() is not permitted here (%s): no kernel oracle\n", strerror(-err));
		return 77;
	}
	for (int a = 1; a < argc; a++) {
		const char *path = argv[a];
		size_t l = strlen(path);
		int is_asm = l > 4 && !strcmp(path + l - 4, ".asm");
		uint32_t type = 0;
		int o, k;
		if (is_asm) {
			unsigned char *buf;
			size_t len;
			char tname[32] = "";
			if (b2n_read_file(path, &buf, &len))
				return 1;
			const char *t = strstr((const char *)buf, "# type: ");
			if (t)
				sscanf(t + 8, "%31s", tname);
			const char *skip = strstr((const char *)buf, "# kernel: skip");
			if (skip) {
				const char *e = strchr(skip, '\n');
				printf("skip %-28s %.*s\n", strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
				       e ? (int)(e - skip - 15) : 0, skip + 15);
				free(buf);
				continue;
			}
			free(buf);
			if (b2n_prog_type_by_name(tname, &type) || !type) {
				printf("FAIL %s: no '# type:' line\n", path);
				differ++;
				continue;
			}
			o = ours(path, type);
			k = kernel_asm(path, type);
		} else {
			o = ours(path, 0);
			k = kernel_obj(path);
		}
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if (!o == !k) {
			agree++;
			if (o)
				printf("ok   %-28s both refuse: kernel: %s\n", base, last_line(klog));
			else
				printf("ok   %-28s both accept\n", base);
		} else {
			differ++;
			printf("FAIL %-28s ours: %s, kernel: %s\n", base, o ? "refused" : "accepted",
			       k ? "refused" : "accepted");
			if (o)
				printf("     ours: %s\n", ourdiag);
			if (k)
				printf("     kernel%s%s: %s\n", is_asm ? "" : ", program ",
				       is_asm ? "" : kprog, last_line(klog));
		}
	}
	printf("ctx-kernel: %d agree, %d differ\n", agree, differ);
	return differ ? 1 : 0;
}
