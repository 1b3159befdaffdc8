/*
 * helpers_str.c - checked memory reads, string helpers and the printf-like
 * helpers (bpf_trace_printk, bpf_snprintf).
 *
 * Checked reads (probe_read, probe_read_user/kernel and their _str forms)
 * must fail with -EFAULT instead of crashing on a bad address.  The runtime
 * asks the kernel to do the copy: process_vm_readv() on its own pid when a
 * self-test at first use shows that it works and reads the right bytes;
 * otherwise (seccomp, or qemu-user, which does not translate that call's
 * guest addresses) it writes the source into a private pipe and reads it
 * back, in chunks of at most 4096 bytes (write() checks the source and
 * fails with EFAULT).  The pipe is shared under a mutex and re-created in a
 * forked child.  All user memory counts as both "user" and "kernel" memory.
 * Failure zeroes the whole destination, as the kernel does.  _str forms
 * have strncpy_from_user_nofault's result: the length including the NUL,
 * or size when the string was truncated (the last byte becomes NUL); bytes
 * after the NUL are left untouched.
 *
 * strncmp, strtol and strtoul follow kernel/bpf/helpers.c and lib/kstrtox.c
 * exactly: strncmp returns -1/0/1; strtox skip leading white space, take
 * one '-', look at most 63 characters, base 0 (auto: 0x -> 16, 0 -> 8),
 * 8, 10 or 16 from flags (other flag bits -> -EINVAL), and return the
 * number of characters consumed, -EINVAL (no digits) or -ERANGE.
 *
 * Printf family: bp_prepare() is the kernel's bpf_bprintf_prepare(): the
 * format must be NUL-terminated within fmt_size, contain only printable
 * ASCII or white space, and use only %[flags 0+- ][width] followed by d i u
 * x X with optional l/ll, c, s, p, pK px ps pS pB pks pus pi4 pI4 pi6 pI6,
 * with at most num_args conversions; string and IP arguments are copied
 * (checked) into a 512-byte argument area whose exhaustion gives -ENOSPC.
 * The area is laid out byte for byte as the kernel's (values 4-byte
 * aligned, strings inline), and bp_format() reads it back like the kernel's
 * bstr_printf, quirks included: the pre-formatted %pks %pus %pB %pI4 %pi4
 * %pI6 %pi6 ignore the width and, once the output buffer is full, are
 * neither counted in the result nor skipped.  Plain %p, %pK and
 * %px print the pointer as 16 zero-padded hex digits (the kernel hashes
 * plain %p; there is no secret to protect in user space), %ps/%pS/%pB the
 * address as "0x%lx" (what the kernel prints for an address that is no
 * kernel symbol), a bad %s
 * pointer prints as the empty string, and alphanumerics after a %p
 * extension are skipped.  trace_printk formats into 1024 bytes and hands
 * the text (up to its first NUL) to the sink under a lock (one message at a
 * time; a sink may itself call trace_printk); it returns the untruncated
 * length.  snprintf returns the length including the NUL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime_internal.h"

#define EFAULT_RET ((uint64_t)(int64_t)-EFAULT)
#define RET(e) ((uint64_t)(int64_t)(e))

/* ====================================================================== */
/* Checked reads                                                          */
/* ====================================================================== */

#define SR_CHUNK 4096u

enum { SR_VM = 1, SR_PIPE = 2 };
static pthread_once_t sr_once = PTHREAD_ONCE_INIT;
static int sr_mode;
static pthread_mutex_t sr_lock = PTHREAD_MUTEX_INITIALIZER;
static int sr_pipe[2] = {-1, -1};
static pid_t sr_pipe_pid;

static ssize_t sr_vm_read(void *dst, const void *src, size_t n)
{
	struct iovec l = {dst, n}, r = {(void *)(uintptr_t)src, n};
	return process_vm_readv(getpid(), &l, 1, &r, 1, 0);
}

static void sr_init(void)
{
	unsigned char pattern[64], out[64];
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)(((uintptr_t)pattern >> (i % 8)) * 31u + i * 7u + 1u);
	memset(out, 0, sizeof(out));
	if (sr_vm_read(out, pattern, sizeof(out)) == (ssize_t)sizeof(out) &&
	    memcmp(out, pattern, sizeof(out)) == 0 && sr_vm_read(out, NULL, 8) < 0) {
		sr_mode = SR_VM;
		return;
	}
	sr_mode = SR_PIPE;
}

/* Under sr_lock: a pipe of this process. */
static int sr_pipe_ready(void)
{
	pid_t me = getpid();
	if (sr_pipe[0] >= 0 && sr_pipe_pid == me)
		return 1;
	if (sr_pipe[0] >= 0) {
		close(sr_pipe[0]);
		close(sr_pipe[1]);
		sr_pipe[0] = sr_pipe[1] = -1;
	}
	if (pipe2(sr_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		sr_pipe[0] = sr_pipe[1] = -1;
		return 0;
	}
	sr_pipe_pid = me;
	return 1;
}

/* Copy up to n <= SR_CHUNK bytes that lie within one 4096-byte block.
 * Returns the number of bytes copied (n, or fewer on a fault part way),
 * or -1 when nothing could be read. */
static ssize_t sr_chunk(void *dst, const void *src, size_t n)
{
	ssize_t w, got = 0;
	if (sr_mode == SR_VM) {
		w = sr_vm_read(dst, src, n);
		return w < 0 ? -1 : w;
	}
	pthread_mutex_lock(&sr_lock);
	if (!sr_pipe_ready()) {
		pthread_mutex_unlock(&sr_lock);
		return -1;
	}
	w = write(sr_pipe[1], src, n);
	while (w > 0 && got < w) {
		ssize_t r = read(sr_pipe[0], (char *)dst + got, (size_t)(w - got));
		if (r <= 0)
			break;
		got += r;
	}
	pthread_mutex_unlock(&sr_lock);
	if (w <= 0)
		return -1;
	return got;
}

/* Read exactly n bytes; 0 or -EFAULT. */
static int b2n_safe_read(void *dst, const void *src, size_t n)
{
	size_t done = 0;
	if (n == 0)
		return 0;
	pthread_once(&sr_once, sr_init);
	if (sr_mode == SR_VM)
		return sr_vm_read(dst, src, n) == (ssize_t)n ? 0 : -EFAULT;
	while (done < n) {
		uintptr_t a = (uintptr_t)src + done;
		size_t k = SR_CHUNK - (a & (SR_CHUNK - 1));
		if (k > n - done)
			k = n - done;
		if (sr_chunk((char *)dst + done, (const void *)a, k) != (ssize_t)k)
			return -EFAULT;
		done += k;
	}
	return 0;
}

/* strncpy_from_user_nofault: count > 0; returns the length including the
 * NUL, count when truncated (dst[count-1] = 0), or -EFAULT. */
static long b2n_safe_read_str(char *dst, const void *src, long count)
{
	unsigned char tmp[SR_CHUNK];
	long done = 0;
	if (count <= 0)
		return 0;
	pthread_once(&sr_once, sr_init);
	while (done < count) {
		uintptr_t a = (uintptr_t)src + (uintptr_t)done;
		size_t k = SR_CHUNK - (a & (SR_CHUNK - 1));
		ssize_t got;
		unsigned char *nul;
		if ((long)k > count - done)
			k = (size_t)(count - done);
		got = sr_chunk(tmp, (const void *)a, k);
		if (got <= 0)
			return -EFAULT;
		nul = memchr(tmp, 0, (size_t)got);
		if (nul) {
			size_t m = (size_t)(nul - tmp) + 1;
			memcpy(dst + done, tmp, m);
			return done + (long)m;
		}
		memcpy(dst + done, tmp, (size_t)got);
		done += got;
		if ((size_t)got < k)
			return -EFAULT;
	}
	dst[count - 1] = '\0';
	return count;
}

static uint64_t probe_read_common(uint64_t dst, uint64_t size, uint64_t src)
{
	uint32_t n = (uint32_t)size;
	void *d = (void *)(uintptr_t)dst;
	if (b2n_safe_read(d, (const void *)(uintptr_t)src, n) < 0) {
		memset(d, 0, n);
		return EFAULT_RET;
	}
	return 0;
}

static uint64_t probe_read_str_common(uint64_t dst, uint64_t size, uint64_t src)
{
	uint32_t n = (uint32_t)size;
	char *d = (char *)(uintptr_t)dst;
	long r = b2n_safe_read_str(d, (const void *)(uintptr_t)src, (long)n);
	if (r < 0) {
		memset(d, 0, n);
		return RET(r);
	}
	return (uint64_t)r;
}

/* The _kernel forms: an address in the first page can never be kernel
 * memory; x86-64's kernel refuses such (user-range) addresses with -ERANGE
 * before trying the copy, and so do we, zeroing dst as it does. */
#define B2N_LOW_PAGE 4096u
static uint64_t probe_read_kernel_common(uint64_t dst, uint64_t size, uint64_t src)
{
	if ((uint32_t)size && src < B2N_LOW_PAGE) {
		memset((void *)(uintptr_t)dst, 0, (uint32_t)size);
		return (uint64_t)(int64_t)-ERANGE;
	}
	return probe_read_common(dst, size, src);
}

static uint64_t probe_read_kernel_str_common(uint64_t dst, uint64_t size, uint64_t src)
{
	if ((uint32_t)size && src < B2N_LOW_PAGE) {
		memset((void *)(uintptr_t)dst, 0, (uint32_t)size);
		return (uint64_t)(int64_t)-ERANGE;
	}
	return probe_read_str_common(dst, size, src);
}

#define PROBE_HELPER(name, common)                                                                 \
	uint64_t b2n_h_##name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)     \
	{                                                                                          \
		(void)r4, (void)r5;                                                                \
		return common(r1, r2, r3);                                                         \
	}
PROBE_HELPER(probe_read, probe_read_common)
PROBE_HELPER(probe_read_user, probe_read_common)
PROBE_HELPER(probe_read_kernel, probe_read_kernel_common)
PROBE_HELPER(probe_read_str, probe_read_str_common)
PROBE_HELPER(probe_read_user_str, probe_read_str_common)
PROBE_HELPER(probe_read_kernel_str, probe_read_kernel_str_common)
#undef PROBE_HELPER

/* ====================================================================== */
/* strncmp, strtol, strtoul                                               */
/* ====================================================================== */

/* ASCII classes of the kernel's lib/ctype.c (0xa0 is a space there). */
static int k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}
static int k_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}
static int k_isalnum(unsigned char c)
{
	return k_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int k_ispunct(unsigned char c)
{
	return c > ' ' && c < 0x7f && !k_isalnum(c);
}
static int k_isxdigit(unsigned char c)
{
	return k_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

uint64_t b2n_h_strncmp(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const unsigned char *s1 = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *s2 = (const unsigned char *)(uintptr_t)r3;
	uint32_t count = (uint32_t)r2;
	(void)r4, (void)r5;
	while (count) {
		unsigned char c1 = *s1++, c2 = *s2++;
		if (c1 != c2)
			return RET(c1 < c2 ? -1 : 1);
		if (!c1)
			break;
		count--;
	}
	return 0;
}

#define STRTOX_BASE_MASK 0x1fu

static long strtoull_k(const char *buf, size_t buf_len, uint64_t flags, uint64_t *res, int *neg)
{
	unsigned base = (unsigned)(flags & STRTOX_BASE_MASK);
	const char *cur = buf, *end = buf + buf_len;
	char str[64];
	size_t len, consumed, digits = 0;
	const char *s;
	uint64_t v = 0;
	int overflow = 0;

	if (!buf || !buf_len || !res || !neg)
		return -EINVAL;
	if (base != 0 && base != 8 && base != 10 && base != 16)
		return -EINVAL;
	if (flags & ~(uint64_t)STRTOX_BASE_MASK)
		return -EINVAL;
	while (cur < end && k_isspace((unsigned char)*cur))
		cur++;
	*neg = cur < end && *cur == '-';
	if (*neg)
		cur++;
	consumed = (size_t)(cur - buf);
	len = buf_len - consumed;
	if (!len)
		return -EINVAL;
	if (len > sizeof(str) - 1)
		len = sizeof(str) - 1;
	memcpy(str, cur, len);
	str[len] = '\0';
	s = str;
	/* _parse_integer_fixup_radix */
	if (base == 0) {
		if (s[0] == '0') {
			if ((s[1] | 0x20) == 'x' && k_isxdigit((unsigned char)s[2]))
				base = 16;
			else
				base = 8;
		} else {
			base = 10;
		}
	}
	if (base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	/* _parse_integer */
	for (;; s++, digits++) {
		unsigned char c = (unsigned char)*s, lc = c | 0x20;
		unsigned d;
		if (k_isdigit(c))
			d = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			d = lc - 'a' + 10u;
		else
			break;
		if (d >= base)
			break;
		if (v & (~UINT64_C(0) << 60)) {
			if (v > (UINT64_MAX - d) / base)
				overflow = 1;
		}
		v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	if (digits == 0)
		return -EINVAL;
	*res = v;
	return (long)(consumed + (size_t)(s - str));
}

uint64_t b2n_h_strtol(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	int64_t *res = (int64_t *)(uintptr_t)r4;
	uint64_t v = 0;
	int neg = 0;
	long err;
	(void)r5;
	*res = 0;
	err = strtoull_k((const char *)(uintptr_t)r1, (size_t)r2, r3, &v, &neg);
	if (err < 0)
		return RET(err);
	if (neg) {
		if ((int64_t)(0 - v) > 0)
			return RET(-ERANGE);
		*res = (int64_t)(0 - v);
	} else {
		if ((int64_t)v < 0)
			return RET(-ERANGE);
		*res = (int64_t)v;
	}
	return RET(err);
}

uint64_t b2n_h_strtoul(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t *res = (uint64_t *)(uintptr_t)r4;
	uint64_t v = 0;
	int neg = 0;
	long err;
	(void)r5;
	*res = 0;
	err = strtoull_k((const char *)(uintptr_t)r1, (size_t)r2, r3, &v, &neg);
	if (err < 0)
		return RET(err);
	if (neg)
		return RET(-EINVAL);
	*res = v;
	return RET(err);
}

/* ====================================================================== */
/* bpf_bprintf_prepare / bstr_printf                                      */
/* ====================================================================== */

#define BP_MAX_ARGS 12
#define BP_BIN_ARGS 512
#define BP_BUF 1024
#define BP_WIDTH_MAX ((1 << 23) - 1)

/* The kernel's binary argument area (bpf_bprintf_prepare's bin_args):
 * 4- and 8-byte values 4-byte aligned, chars unaligned, strings (%s and the
 * pre-formatted %pks %pus %pB %pI4...) inline with their NUL.  16 zero
 * bytes of slack keep reads of a malformed area inside the buffer. */
struct bp_data {
	unsigned char tmp[BP_BIN_ARGS + 16];
};

static int bp_format_ip(char *out, size_t cap, char kind, char ver, const unsigned char *ip)
{
	char s[48];
	int n = 0;
	if (ver == '4') {
		const char *f = kind == 'i' ? "%03u.%03u.%03u.%03u" : "%u.%u.%u.%u";
		n = snprintf(s, sizeof(s), f, ip[0], ip[1], ip[2], ip[3]);
	} else {
		for (int i = 0; i < 16; i += 2) {
			if (kind == 'I' && i)
				s[n++] = ':';
			n += snprintf(s + n, sizeof(s) - (size_t)n, "%02x%02x", ip[i], ip[i + 1]);
		}
	}
	if (cap)
		snprintf(out, cap, "%s", s);
	return n;
}

/* Validate fmt and build the argument area (the kernel's
 * bpf_bprintf_prepare with get_bin_args). */
static int bp_prepare(const char *fmt, uint32_t fmt_size, const uint64_t *raw, uint32_t num_args,
                      struct bp_data *d)
{
	size_t used = 0, n, i;
	uint32_t num_spec = 0;
	int have_buf = num_args > 0;

	memset(d->tmp, 0, sizeof(d->tmp));
	if (!fmt)
		return -EINVAL;
	if (fmt_size == UINT32_MAX) { /* bpf_snprintf: a constant string */
		n = strlen(fmt);
	} else {
		const char *fmt_end = memchr(fmt, 0, fmt_size);
		if (!fmt_end)
			return -EINVAL;
		n = (size_t)(fmt_end - fmt);
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)fmt[i];
		size_t argsz;
		uint64_t cur = 0;
		if (c >= 0x80 || (!(c >= 0x20 && c < 0x7f) && !k_isspace(c)))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (num_spec >= num_args)
			return -EINVAL;
		i++;
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			i++;
			while (k_isdigit((unsigned char)fmt[i]))
				i++;
		}
		if (fmt[i] == 'p') {
			unsigned char e = (unsigned char)fmt[i + 1];
			argsz = 8;
			if (have_buf)
				cur = raw[num_spec];
			if (e == 0 || k_isspace(e) || k_ispunct(e))
				goto nocopy;
			if ((e == 'k' || e == 'u') && fmt[i + 2] == 's') {
				i += 2;
				goto copy_str;
			}
			if (e == 'K' || e == 'x' || e == 's' || e == 'S') {
				i++;
				goto nocopy;
			}
			if (e == 'B') {
				if (have_buf) {
					size_t cap = BP_BIN_ARGS - used;
					int w;
					if (cap == 0)
						return -ENOSPC;
					w = snprintf((char *)d->tmp + used, cap, "0x%llx",
					             (unsigned long long)raw[num_spec]);
					used += (size_t)w + 1 > cap ? cap : (size_t)w + 1;
				}
				i++;
				num_spec++;
				continue;
			}
			if ((e != 'i' && e != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
				return -EINVAL;
			i += 2;
			if (have_buf) {
				unsigned char ip[16];
				size_t ipsz = fmt[i] == '4' ? 4 : 16, cap = BP_BIN_ARGS - used;
				int w;
				if (cap < ipsz)
					return -ENOSPC;
				if (b2n_safe_read(ip, (const void *)(uintptr_t)raw[num_spec], ipsz))
					memset(ip, 0, ipsz);
				w = bp_format_ip((char *)d->tmp + used, cap, fmt[i - 1], fmt[i],
				                 ip);
				used += (size_t)w + 1 > cap ? cap : (size_t)w + 1;
			}
			num_spec++;
			continue;
		} else if (fmt[i] == 's') {
		copy_str:
			if (fmt[i + 1] != 0 && !k_isspace((unsigned char)fmt[i + 1]) &&
			    !k_ispunct((unsigned char)fmt[i + 1]))
				return -EINVAL;
			if (have_buf) {
				char *dst = (char *)d->tmp + used;
				long w;
				if (used == BP_BIN_ARGS)
					return -ENOSPC;
				w = b2n_safe_read_str(dst, (const void *)(uintptr_t)raw[num_spec],
				                      (long)(BP_BIN_ARGS - used));
				if (w < 0) {
					dst[0] = '\0';
					w = 1;
				}
				used += (size_t)w;
			}
			num_spec++;
			continue;
		} else if (fmt[i] == 'c') {
			if (have_buf) {
				if (used == BP_BIN_ARGS)
					return -ENOSPC;
				d->tmp[used++] = (unsigned char)raw[num_spec];
			}
			num_spec++;
			continue;
		}
		argsz = 4;
		if (fmt[i] == 'l') {
			argsz = 8;
			i++;
		}
		if (fmt[i] == 'l')
			i++;
		if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' &&
		    fmt[i] != 'X')
			return -EINVAL;
		if (have_buf)
			cur = raw[num_spec];
	nocopy:
		if (have_buf) {
			used = (used + 3) & ~(size_t)3;
			if (used > BP_BIN_ARGS || BP_BIN_ARGS - used < argsz)
				return -ENOSPC;
			if (argsz == 8) {
				memcpy(d->tmp + used, &cur, 8);
			} else {
				uint32_t v32 = (uint32_t)cur;
				memcpy(d->tmp + used, &v32, 4);
			}
			used += argsz;
		}
		num_spec++;
	}
	return 0;
}

struct bp_out {
	char *buf;
	size_t size;
	size_t len; /* would-be length */
};

static void bp_putc(struct bp_out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void bp_pad(struct bp_out *o, int n, char c)
{
	while (n-- > 0)
		bp_putc(o, c);
}

enum { BPF_LEFT = 1, BPF_PLUS = 2, BPF_SPACE = 4, BPF_ZEROPAD = 8, BPF_SIGN = 16, BPF_SMALL = 32 };

/* lib/vsprintf.c number() without precision and '#'. */
static void bp_number(struct bp_out *o, uint64_t num, unsigned base, int flags, int width)
{
	static const char digits[] = "0123456789ABCDEF";
	char tmp[24], sign = 0;
	int n = 0;
	char lower = (flags & BPF_SMALL) ? 0x20 : 0;
	if (flags & BPF_LEFT)
		flags &= ~BPF_ZEROPAD;
	if (flags & BPF_SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = 0 - num;
		} else if (flags & BPF_PLUS) {
			sign = '+';
		} else if (flags & BPF_SPACE) {
			sign = ' ';
		}
		if (sign)
			width--;
	}
	do {
		tmp[n++] = (char)(digits[num % base] | lower);
		num /= base;
	} while (num);
	width -= n;
	if (!(flags & (BPF_LEFT | BPF_ZEROPAD))) {
		bp_pad(o, width, ' ');
		width = 0;
	}
	if (sign)
		bp_putc(o, sign);
	if (!(flags & BPF_LEFT)) {
		bp_pad(o, width, (flags & BPF_ZEROPAD) ? '0' : ' ');
		width = 0;
	}
	while (n > 0)
		bp_putc(o, tmp[--n]);
	bp_pad(o, width, ' ');
}

static void bp_string(struct bp_out *o, const char *s, int flags, int width)
{
	int len = (int)strlen(s);
	if (!(flags & BPF_LEFT))
		bp_pad(o, width - len, ' ');
	while (*s)
		bp_putc(o, *s++);
	if (flags & BPF_LEFT)
		bp_pad(o, width - len, ' ');
}

/* bstr_printf's get_arg over the argument area. */
static uint64_t bp_get(const struct bp_data *d, size_t *ap, size_t sz)
{
	uint64_t v64 = 0;
	uint32_t v32 = 0;
	if (sz > 1)
		*ap = (*ap + 3) & ~(size_t)3;
	if (*ap + sz > sizeof(d->tmp)) {
		*ap = sizeof(d->tmp) - 1;
		return 0;
	}
	if (sz == 8)
		memcpy(&v64, d->tmp + *ap, 8);
	else if (sz == 4)
		memcpy(&v32, d->tmp + *ap, 4), v64 = v32;
	else
		v64 = d->tmp[*ap];
	*ap += sz;
	return v64;
}

static const char *bp_get_str(const struct bp_data *d, size_t *ap)
{
	const char *s = (const char *)d->tmp + *ap;
	*ap += strlen(s) + 1; /* the slack keeps this NUL-terminated */
	if (*ap > sizeof(d->tmp) - 1)
		*ap = sizeof(d->tmp) - 1;
	return s;
}

/* bstr_printf over a prepared format; returns the would-be length. */
static int bp_format(char *buf, size_t size, const char *fmt, const struct bp_data *d)
{
	struct bp_out o = {buf, size, 0};
	size_t ap = 0;
	const char *p = fmt;

	while (*p) {
		int flags = 0, width = -1;
		if (*p != '%') {
			bp_putc(&o, *p++);
			continue;
		}
		p++;
		if (*p == '%') {
			bp_putc(&o, *p++);
			continue;
		}
		for (;; p++) {
			if (*p == '0')
				flags |= BPF_ZEROPAD;
			else if (*p == '+')
				flags |= BPF_PLUS;
			else if (*p == '-')
				flags |= BPF_LEFT;
			else if (*p == ' ')
				flags |= BPF_SPACE;
			else
				break;
		}
		if (k_isdigit((unsigned char)*p)) {
			width = 0;
			while (k_isdigit((unsigned char)*p)) {
				if (width <= BP_WIDTH_MAX)
					width = width * 10 + (*p - '0');
				p++;
			}
			if (width > BP_WIDTH_MAX)
				width = BP_WIDTH_MAX;
		}
		if (*p == 'p') {
			char e = *++p;
			if (e == 's' || e == 'S') {
				char sym[24];
				snprintf(sym, sizeof(sym), "0x%llx",
				         (unsigned long long)bp_get(d, &ap, 8));
				bp_string(&o, sym, flags, width);
			} else if (e == 'x' || e == 'K' || !k_isalnum((unsigned char)e)) {
				if (width < 0) {
					width = 16;
					flags |= BPF_ZEROPAD;
				}
				bp_number(&o, bp_get(d, &ap, 8), 16, flags | BPF_SMALL, width);
			} else if (o.len < o.size) {
				/* pre-formatted (%pks %pus %pB %pI4 ...): copied
				 * without width; the kernel neither counts nor
				 * skips it once the buffer is full */
				const char *s = bp_get_str(d, &ap);
				while (*s)
					bp_putc(&o, *s++);
			}
			while (k_isalnum((unsigned char)*p))
				p++;
			continue;
		}
		if (*p == 's') {
			bp_string(&o, bp_get_str(d, &ap), flags, width);
			p++;
			continue;
		}
		if (*p == 'c') {
			if (!(flags & BPF_LEFT))
				bp_pad(&o, width - 1, ' ');
			bp_putc(&o, (char)bp_get(d, &ap, 1));
			if (flags & BPF_LEFT)
				bp_pad(&o, width - 1, ' ');
			p++;
			continue;
		}
		{
			int is64 = 0;
			uint64_t v;
			if (*p == 'l') {
				is64 = 1;
				p++;
				if (*p == 'l')
					p++;
			}
			v = bp_get(d, &ap, is64 ? 8 : 4);
			switch (*p) {
			case 'd':
			case 'i':
				if (!is64)
					v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
				bp_number(&o, v, 10, flags | BPF_SIGN, width);
				break;
			case 'u':
				bp_number(&o, v, 10, flags, width);
				break;
			case 'x':
				bp_number(&o, v, 16, flags | BPF_SMALL, width);
				break;
			default: /* 'X' (bp_prepare allows nothing else) */
				bp_number(&o, v, 16, flags, width);
				break;
			}
			p++;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

/* ---- trace_printk and its sink ------------------------------------------ */

static void b2n_default_trace_sink(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	fwrite(msg, 1, len, stderr);
	fflush(stderr);
}

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static b2n_trace_sink_fn trace_sink = b2n_default_trace_sink;
static void *trace_sink_ctx;
static _Thread_local int trace_depth; /* > 0 inside the sink */

B2N_API void b2n_set_trace_printk_sink(b2n_trace_sink_fn fn, void *ctx)
{
	if (!trace_depth)
		pthread_mutex_lock(&trace_lock);
	trace_sink = fn ? fn : b2n_default_trace_sink;
	trace_sink_ctx = fn ? ctx : NULL;
	if (!trace_depth)
		pthread_mutex_unlock(&trace_lock);
}

uint64_t b2n_h_trace_printk(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const char *fmt = (const char *)(uintptr_t)r1;
	uint64_t args[3] = {r3, r4, r5};
	struct bp_data d;
	char buf[BP_BUF];
	int err, ret;

	err = bp_prepare(fmt, (uint32_t)r2, args, 3, &d);
	if (err < 0)
		return RET(err);
	ret = bp_format(buf, sizeof(buf), fmt, &d);
	if (trace_depth) { /* a sink that calls trace_printk: already locked */
		trace_sink(trace_sink_ctx, buf, strlen(buf));
		return RET(ret);
	}
	pthread_mutex_lock(&trace_lock);
	trace_depth++;
	trace_sink(trace_sink_ctx, buf, strlen(buf));
	trace_depth--;
	pthread_mutex_unlock(&trace_lock);
	return RET(ret);
}

uint64_t b2n_h_snprintf(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	char *str = (char *)(uintptr_t)r1;
	uint32_t str_size = (uint32_t)r2;
	const char *fmt = (const char *)(uintptr_t)r3;
	const uint64_t *args = (const uint64_t *)(uintptr_t)r4;
	uint32_t data_len = (uint32_t)r5;
	uint64_t raw[BP_MAX_ARGS];
	struct bp_data d;
	int err;

	if (data_len % 8 || data_len > BP_MAX_ARGS * 8 || (data_len && !args))
		return RET(-EINVAL);
	if (data_len)
		memcpy(raw, args, data_len);
	err = bp_prepare(fmt, UINT32_MAX, raw, data_len / 8, &d);
	if (err < 0)
		return RET(err);
	return RET(bp_format(str_size ? str : NULL, str_size, fmt, &d) + 1);
}
