/*
 * fuzz_common.c - the diagnostics recorder and contract check of fuzz.h.
 *
 * Each call of the print callback is one message: its text is appended to
 * a buffer (bounded; the rest is counted) and the calls are counted, so
 * that "two error lines" (two calls) and "one message with a newline in
 * it" (an escaping bug) are told apart.  B2N_DEBUG messages are not part
 * of the contract and are dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static char text[8192];
static size_t len, calls;
static int lax = -1;
static unsigned long lax_hits, accepted, refused;

static int record(enum b2n_print_level level, const char *fmt, va_list ap)
{
	if (level == B2N_DEBUG)
		return 0;
	calls++;
	if (len < sizeof(text) - 1) {
		int n = vsnprintf(text + len, sizeof(text) - len, fmt, ap);
		if (n > 0)
			len += (size_t)n < sizeof(text) - len ? (size_t)n : sizeof(text) - 1 - len;
	}
	return 0;
}

static void report(void)
{
	fprintf(stderr, "fuzz: %lu inputs accepted, %lu refused (this process)\n", accepted,
	        refused);
	if (lax_hits)
		fprintf(stderr,
		        "fuzz: B2N_FUZZ_LAX_ESCAPES: %lu refused inputs had a message with "
		        "unescaped bytes\n",
		        lax_hits);
}

void fuzz_begin(void)
{
	if (lax < 0) {
		const char *e = getenv("B2N_FUZZ_LAX_ESCAPES");
		lax = e && atoi(e);
		atexit(report);
	}
	b2n_set_print(record);
	b2n_allow_unknown_helpers = 0;
	len = calls = 0;
	text[0] = 0;
}

static void breach(const char *why)
{
	fprintf(stderr, "fuzz: diagnostics contract broken: %s\n", why);
	fprintf(stderr, "fuzz: %zu message(s), text (C-escaped):\n\"", calls);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n')
			fputs("\\n\"\n\"", stderr);
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs("\"\n", stderr);
	abort();
}

void fuzz_check(int rc, const char *path)
{
	if (rc == 0) {
		accepted++;
		if (calls)
			breach("an accepted input printed a message");
		return;
	}
	refused++;
	if (rc > 0)
		breach("refused with a positive status, not a negative errno");
	if (calls != 1)
		breach(calls ? "a refused input printed more than one message"
		             : "a refused input printed no message");
	/* "PATH: error: ", or "PATH:LINE: error: " (asm text, as compilers do) */
	size_t plen = strlen(path);
	if (len > plen && !memcmp(text, path, plen) && text[plen] == ':')
		while (plen + 1 < len && text[plen + 1] >= '0' && text[plen + 1] <= '9') {
			plen++;
			while (plen + 1 < len && text[plen + 1] >= '0' && text[plen + 1] <= '9')
				plen++;
			if (text[plen + 1] != ':')
				breach("the message does not start with \"PATH[:LINE]: error: \"");
			plen++;
		}
	if (len < plen + 9 || memcmp(text, path, strlen(path)) ||
	    memcmp(text + plen, ": error: ", 9))
		breach("the message does not start with \"PATH[:LINE]: error: \"");
	if (len < plen + 11 || text[len - 1] != '\n')
		breach("the message is empty or does not end with a newline");
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (!lax)
			breach(c == '\n' ? "a newline inside the message"
			                 : "a non-printable byte in the message");
		lax_hits++;
		break;
	}
}

void fuzz_open_opts(uint8_t f, enum b2n_input_kind kind, struct b2n_open_opts *o)
{
	static const char *const types[] = {"none", "xdp", "tc", "socket"};
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->kind = kind;
	o->raw_big_endian = f & FUZZ_F_BIG_ENDIAN;
	o->allow_uninit = !!(f & FUZZ_F_ALLOW_UNINIT);
	unsigned t = (f >> FUZZ_F_TYPE_SHIFT) & 3;
	if (t && kind != B2N_IN_ELF) {
		/* as --prog-type T does */
		if (b2n_prog_type_by_name(types[t], &o->prog_type))
			abort();
		o->force_prog_type = 1;
	}
	b2n_allow_unknown_helpers = !!(f & FUZZ_F_UNKNOWN_HELPERS);
}
