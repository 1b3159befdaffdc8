/*
 * compare_check.c - parse the JSON of `bpf2native compare --format json`
 * and check that its values are sane.
 *
 * Usage: compare_check FILE.json static|host TARGET
 *
 * A small recursive-descent JSON parser (objects, arrays, strings with
 * escapes, numbers, true/false/null) builds a tree; any syntax error is a
 * failure.  Then, for every program:
 *  - bpf_insns > 0; bpf2native: native_insns > 0, code_bytes > 0,
 *    frame_bytes >= 0, spills/reloads >= 0, a non-empty function list
 *    whose reached functions add up to the program's totals;
 *  - target_kernel_jit.note is present; for sparcv9 an estimate
 *    (native_insns_estimate > 0, frame_bytes_estimate >= 176);
 *  - host: kernel has either jited_insns > 0 and jited_bytes > 0 (and
 *    xlated_insns > 0, frame_bytes: -1 when the image is unreadable) or a
 *    non-empty skip reason; bpf2native has either
 *    ns_per_run > 0 and a retval or a run_skip reason; "agree" is "yes..."
 *    or "-" with a reason on one side, never "no...".
 *  - static (not the host): ns_per_run is null with a run_skip reason.
 * Prints one line per program and exits 1 on the first failure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	double num;
	char *str;
	struct jv **items; /* array items or object values */
	char **keys;       /* object keys */
	size_t n;
};

static const char *src, *cur;

static void fail(const char *fmt, const char *a)
{
	fprintf(stderr, "FAIL: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
	exit(1);
}

static void ws(void)
{
	while (*cur && isspace((unsigned char)*cur))
		cur++;
}

static char *parse_str(void)
{
	size_t cap = 64, n = 0;
	char *s = malloc(cap);
	if (*cur != '"')
		fail("expected a string at offset %s", "?");
	cur++;
	for (;;) {
		char c = *cur++;
		if (!c)
			fail("%s", "unterminated string");
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20)
			fail("%s", "control character in a string");
		if (c == '\\') {
			char e = *cur++;
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case '"':
			case '\\':
			case '/':
				c = e;
				break;
			case 'u':
				for (int i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)cur[i]))
						fail("%s", "bad \\u escape");
				c = '?';
				cur += 4;
				break;
			default:
				fail("%s", "bad escape");
			}
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		s[n++] = c;
	}
	s[n] = 0;
	return s;
}

static struct jv *parse_val(void);

static void push(struct jv *v, char *key, struct jv *item)
{
	v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
	v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	v->items[v->n] = item;
	v->keys[v->n] = key;
	v->n++;
}

static struct jv *parse_val(void)
{
	struct jv *v = calloc(1, sizeof(*v));
	ws();
	if (*cur == '{' || *cur == '[') {
		int obj = *cur == '{';
		char close = obj ? '}' : ']';
		v->t = obj ? J_OBJ : J_ARR;
		cur++;
		ws();
		if (*cur == close) {
			cur++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			ws();
			if (obj) {
				key = parse_str();
				ws();
				if (*cur++ != ':')
					fail("expected ':' after key %s", key);
			}
			push(v, key, parse_val());
			ws();
			if (*cur == ',') {
				cur++;
				continue;
			}
			if (*cur++ != close)
				fail("expected ',' or a closing bracket near: %.40s", cur - 1);
			return v;
		}
	}
	if (*cur == '"') {
		v->t = J_STR;
		v->str = parse_str();
		return v;
	}
	if (!strncmp(cur, "true", 4) || !strncmp(cur, "false", 5)) {
		v->t = J_BOOL;
		v->num = *cur == 't';
		cur += *cur == 't' ? 4 : 5;
		return v;
	}
	if (!strncmp(cur, "null", 4)) {
		cur += 4;
		return v;
	}
	char *end;
	v->t = J_NUM;
	v->num = strtod(cur, &end);
	if (end == cur)
		fail("not a JSON value: %.40s", cur);
	cur = end;
	return v;
}

static void jfree(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(v->items[i]);
		free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static struct jv *get(const struct jv *o, const char *key)
{
	if (!o || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

static double num(const struct jv *o, const char *key, const char *prog)
{
	struct jv *v = get(o, key);
	if (!v || v->t != J_NUM) {
		fprintf(stderr, "FAIL: program %s: %s is not a number\n", prog, key);
		exit(1);
	}
	return v->num;
}

static const char *str(const struct jv *o, const char *key)
{
	struct jv *v = get(o, key);
	return v && v->t == J_STR ? v->str : NULL;
}

#define CHECK(cond, prog, what)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL: program %s: %s\n", prog, what);                     \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: compare_check FILE.json static|host TARGET\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f)
		fail("cannot open %s", argv[1]);
	static char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	src = cur = buf;
	struct jv *root = parse_val();
	ws();
	if (*cur)
		fail("trailing text after the JSON value: %.40s", cur);
	int host = !strcmp(argv[2], "host");
	const char *target = argv[3];
	const char *t = str(root, "target");
	if (!t || strcmp(t, target))
		fail("target is not %s", target);
	struct jv *progs = get(root, "programs");
	if (!progs || progs->t != J_ARR || !progs->n)
		fail("%s", "no programs");
	for (size_t i = 0; i < progs->n; i++) {
		struct jv *p = progs->items[i];
		const char *name = str(p, "name");
		if (!name)
			fail("%s", "a program without a name");
		CHECK(num(p, "bpf_insns", name) > 0, name, "bpf_insns <= 0");
		struct jv *b = get(p, "bpf2native");
		CHECK(b && b->t == J_OBJ, name, "no bpf2native object");
		double ni = num(b, "native_insns", name), nb = num(b, "code_bytes", name);
		CHECK(ni > 0 && nb > 0, name, "native_insns or code_bytes <= 0");
		CHECK(nb >= ni, name, "fewer code bytes than instructions");
		CHECK(num(b, "frame_bytes", name) >= 0, name, "frame_bytes < 0");
		CHECK(num(b, "spills", name) >= 0 && num(b, "reloads", name) >= 0, name,
		      "negative spills/reloads");
		struct jv *fns = get(b, "functions");
		CHECK(fns && fns->t == J_ARR && fns->n >= 2, name, "no function rows");
		double si = 0, sb = 0;
		for (size_t k = 0; k < fns->n; k++) {
			struct jv *fr = fns->items[k];
			struct jv *reached = get(fr, "reached");
			if (reached && reached->num) {
				si += num(fr, "native_insns", name);
				sb += num(fr, "code_bytes", name);
			}
		}
		CHECK(si == ni && sb == nb, name, "function rows do not add up to the totals");
		struct jv *kj = get(p, "target_kernel_jit");
		const char *note = str(kj, "note");
		CHECK(note && *note, name, "no target_kernel_jit note");
		if (!strcmp(target, "sparcv9")) {
			CHECK(num(kj, "native_insns_estimate", name) > 0, name,
			      "no sparc estimate");
			CHECK(num(kj, "frame_bytes_estimate", name) >= 176, name,
			      "sparc frame estimate below the 176-byte base frame");
		}
		struct jv *k = get(p, "kernel");
		CHECK(k && k->t == J_OBJ, name, "no kernel object");
		const char *agree = str(p, "agree");
		CHECK(agree, name, "no agree column");
		if (!host) {
			const char *why = str(b, "run_skip");
			CHECK(why && *why, name, "no run_skip reason for a foreign target");
			CHECK(get(k, "skip") && *str(k, "skip"), name, "no kernel skip reason");
			printf("ok %s: %s: %.0f insns, %.0f bytes; %s\n", target, name, ni, nb,
			       note);
			continue;
		}
		const char *kskip = str(k, "skip");
		if (kskip) {
			CHECK(*kskip, name, "empty kernel skip reason");
		} else {
			CHECK(num(k, "xlated_insns", name) > 0, name, "kernel xlated_insns <= 0");
			CHECK(num(k, "jited_bytes", name) > 0, name, "kernel jited_bytes <= 0");
			CHECK(num(k, "frame_bytes", name) >= -1, name, "kernel frame_bytes < -1");
			const char *kn = str(k, "note");
			CHECK(num(k, "jited_insns", name) > 0 || (kn && *kn), name,
			      "kernel jited_insns <= 0 without a note");
		}
		const char *rs = str(b, "run_skip");
		struct jv *ns = get(b, "ns_per_run");
		if (!rs)
			CHECK(ns && ns->t == J_NUM && ns->num > 0, name, "ns_per_run not > 0");
		CHECK(strncmp(agree, "no", 2), name, agree);
		CHECK(!strncmp(agree, "yes", 3) || !strcmp(agree, "-"), name, "bad agree column");
		if (!strcmp(agree, "-"))
			CHECK(rs || kskip || str(k, "run_skip"), name,
			      "agree is '-' without a reason");
		printf("ok %s: %s: %.0f insns, %.0f bytes; kernel: %s; run: %s; agree: %s\n",
		       target, name, ni, nb, kskip ? kskip : "jited", rs ? rs : "ran", agree);
	}
	jfree(root);
	return 0;
}
