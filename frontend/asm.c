/*
 * asm.c - assembler for the bpf_conformance assembly dialect.
 *
 * The text is read line by line (only the "-- asm" section when the text is
 * a conformance .data file).  Each line is cut at '#', split into tokens at
 * blanks and commas (blanks inside "[...]" are dropped), and encoded at once
 * into struct b2n_insn.  Mnemonics are never listed here: they are matched
 * against the X-macro tables of <bpf2native/isa.h> (ALU, byte order,
 * conditional jumps, access sizes, atomics); only the handful of forms the
 * tables do not describe (ja, call, exit, lddw, lock) are spelled out.
 * Jumps to labels are recorded as fixups and resolved after the last line,
 * which is where the upstream rule "an undefined label 'exit' names the
 * first exit instruction" is applied.  Every error names path:line and
 * makes b2n_asm__parse return -EINVAL.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

#define ASM_MAX_TOKS 8

/* Opcodes of the forms that no isa.h table lists. */
#define ASM_OP_JA 0x00
#define ASM_OP_CALL 0x80
#define ASM_OP_EXIT 0x90
#define ASM_CODE_LDDW (B2N_CLS_LD | B2N_MODE_IMM | 0x18)

/* Names of the LDDW pseudo sources (src field), index = src. */
static const char *const asm_pseudo_names[] = {
    NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value",
};

enum fixup_field { FIX_OFF, FIX_IMM };

struct asm_label {
	char *name;
	size_t idx;
};

struct asm_fixup {
	char *name;
	size_t idx;
	int line;
	enum fixup_field field;
};

struct asm_ctx {
	const char *path;
	int line;
	struct b2n_insn *insns;
	size_t n, cap;
	struct asm_label *labels;
	size_t nlabels, caplabels;
	struct asm_fixup *fixups;
	size_t nfixups, capfixups;
	long first_exit;
};

static void asm_error_at(const struct asm_ctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void asm_error_at(const struct asm_ctx *c, int line, const char *fmt, ...)
{
	char where[512], msg[512];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%d", c->path ? c->path : "<asm>", line);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b2n_err(where, "%s", msg);
}

#define asm_error(c, ...) asm_error_at((c), (c)->line, __VA_ARGS__)

static int grow(void **p, size_t *cap, size_t need, size_t elsz)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elsz);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static struct b2n_insn *emit(struct asm_ctx *c)
{
	if (grow((void **)&c->insns, &c->cap, c->n + 1, sizeof(*c->insns))) {
		asm_error(c, "out of memory");
		return NULL;
	}
	memset(&c->insns[c->n], 0, sizeof(c->insns[0]));
	return &c->insns[c->n++];
}

/* ---- operands ----------------------------------------------------------- */

/* Parse [+-](0x hex | decimal) into the two's-complement bits of a value in
 * [-(2^63) or min, umax].  min is given as a magnitude (e.g. 1u << 31). */
static int parse_num(const char *s, uint64_t neg_max, uint64_t umax, uint64_t *out)
{
	int neg = 0, base = 10, digits = 0;
	uint64_t v = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		unsigned d;
		if (isdigit((unsigned char)*s))
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -2;
		v = v * (uint64_t)base + d;
	}
	if (!digits)
		return -1;
	if (neg) {
		if (v > neg_max)
			return -2;
		*out = (uint64_t)0 - v;
	} else {
		if (v > umax)
			return -2;
		*out = v;
	}
	return 0;
}

static int num_error(struct asm_ctx *c, int rc, const char *what, const char *tok)
{
	if (rc == -2)
		asm_error(c, "%s '%s' out of range", what, tok);
	else
		asm_error(c, "bad %s '%s'", what, tok);
	return -EINVAL;
}

/* 32-bit immediate: -2^31 .. 2^32-1 (unsigned spellings keep their bits). */
static int parse_imm32(struct asm_ctx *c, const char *tok, int32_t *imm)
{
	uint64_t v;
	int rc = parse_num(tok, (uint64_t)1 << 31, UINT32_MAX, &v);

	if (rc)
		return num_error(c, rc, "immediate", tok);
	*imm = (int32_t)(uint32_t)v;
	return 0;
}

static int parse_imm64(struct asm_ctx *c, const char *tok, uint64_t *imm)
{
	int rc = parse_num(tok, (uint64_t)1 << 63, UINT64_MAX, imm);

	return rc ? num_error(c, rc, "immediate", tok) : 0;
}

/* Signed 16-bit offset (memory displacement or jump offset). */
static int parse_off16(struct asm_ctx *c, const char *tok, int16_t *off)
{
	uint64_t v;
	int rc = parse_num(tok, 32768, 32767, &v);

	if (rc)
		return num_error(c, rc, "offset", tok);
	*off = (int16_t)(uint16_t)v;
	return 0;
}

static int parse_reg(struct asm_ctx *c, const char *tok, uint8_t *reg)
{
	const char *s = tok;
	unsigned v = 0;

	if (s[0] != '%' || s[1] != 'r' || !isdigit((unsigned char)s[2]))
		goto bad;
	s += 2;
	if (s[0] == '0' && s[1])
		goto bad;
	for (; isdigit((unsigned char)*s) && v < 100; s++)
		v = v * 10 + (unsigned)(*s - '0');
	if (*s || v > 15)
		goto bad;
	*reg = (uint8_t)v;
	return 0;
bad:
	asm_error(c, "bad register '%s'", tok);
	return -EINVAL;
}

/* "[%rN]", "[%rN+off]", "[%rN-off]" (blanks were already removed). */
static int parse_mem(struct asm_ctx *c, const char *tok, uint8_t *reg, int16_t *off)
{
	char buf[64];
	size_t len = strlen(tok);
	char *sign;

	if (len < 3 || len >= sizeof(buf) || tok[0] != '[' || tok[len - 1] != ']') {
		asm_error(c, "bad memory operand '%s'", tok);
		return -EINVAL;
	}
	memcpy(buf, tok + 1, len - 2);
	buf[len - 2] = 0;
	*off = 0;
	sign = strpbrk(buf, "+-");
	if (sign) {
		int rc;
		char save = *sign;
		if (parse_off16(c, sign, off))
			return -EINVAL;
		*sign = 0;
		rc = parse_reg(c, buf, reg);
		*sign = save;
		return rc;
	}
	return parse_reg(c, buf, reg);
}

static int is_label_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_' && *s != '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* A jump target: "+N"/"-N" (relative, stored now) or a label (fixup). */
static int parse_target(struct asm_ctx *c, const char *tok, size_t idx, enum fixup_field field)
{
	struct b2n_insn *in = &c->insns[idx];
	struct asm_fixup *f;

	if (tok[0] == '+' || tok[0] == '-') {
		if (field == FIX_OFF)
			return parse_off16(c, tok, &in->off);
		uint64_t v;
		int rc = parse_num(tok, (uint64_t)1 << 31, INT32_MAX, &v);
		if (rc)
			return num_error(c, rc, "offset", tok);
		in->imm = (int32_t)(uint32_t)v;
		return 0;
	}
	if (!is_label_name(tok)) {
		asm_error(c, "bad jump target '%s'", tok);
		return -EINVAL;
	}
	if (grow((void **)&c->fixups, &c->capfixups, c->nfixups + 1, sizeof(*c->fixups))) {
		asm_error(c, "out of memory");
		return -ENOMEM;
	}
	f = &c->fixups[c->nfixups];
	f->name = strdup(tok);
	if (!f->name) {
		asm_error(c, "out of memory");
		return -ENOMEM;
	}
	f->idx = idx;
	f->line = c->line;
	f->field = field;
	c->nfixups++;
	return 0;
}

static int want_ops(struct asm_ctx *c, const char *mnem, int nops, int want)
{
	if (nops == want)
		return 0;
	asm_error(c, "'%s' takes %d operand%s, got %d", mnem, want, want == 1 ? "" : "s", nops);
	return -EINVAL;
}

/* ---- mnemonic families -------------------------------------------------- */

/* Strip a trailing "32"; returns 1 if it was there. */
static int strip32(const char *m, char *base, size_t len)
{
	size_t l = strlen(m);

	if (l >= len)
		l = len - 1;
	memcpy(base, m, l);
	base[l] = 0;
	if (l > 2 && strcmp(base + l - 2, "32") == 0) {
		base[l - 2] = 0;
		return 1;
	}
	return 0;
}

/* Returns 1 if handled (ok), <0 on error, 0 if not an ALU mnemonic. */
static int asm_alu(struct asm_ctx *c, char **t, int nt)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_alu_table); i++) {
		const struct b2n_alu_desc *d = &b2n_alu_table[i];
		struct b2n_insn *in;
		int is64;

		if (d->m64 && strcmp(t[0], d->m64) == 0)
			is64 = 1;
		else if (d->m32 && strcmp(t[0], d->m32) == 0)
			is64 = 0;
		else
			continue;
		if (want_ops(c, t[0], nt - 1, (d->flags & B2N_ALUF_UNARY) ? 1 : 2))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = (uint8_t)(d->opnibble | (is64 ? B2N_CLS_ALU64 : B2N_CLS_ALU));
		in->off = d->off;
		if (parse_reg(c, t[1], &in->dst))
			return -EINVAL;
		if (d->flags & B2N_ALUF_UNARY)
			return 1;
		if (t[2][0] == '%') {
			if (!(d->flags & B2N_ALUF_X)) {
				asm_error(c, "'%s' takes no register source", t[0]);
				return -EINVAL;
			}
			in->code |= B2N_SRC_X;
			return parse_reg(c, t[2], &in->src) ? -EINVAL : 1;
		}
		if (!(d->flags & B2N_ALUF_K)) {
			asm_error(c, "'%s' needs a register source, got '%s'", t[0], t[2]);
			return -EINVAL;
		}
		return parse_imm32(c, t[2], &in->imm) ? -EINVAL : 1;
	}
	return 0;
}

static int asm_end(struct asm_ctx *c, char **t, int nt)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_end_table); i++) {
		const char *pfx = b2n_end_table[i].mnem;
		const char *alias = i == B2N_END_BSWAP ? "swap" : NULL;
		const char *w = NULL;
		struct b2n_insn *in;

		if (strncmp(t[0], pfx, strlen(pfx)) == 0)
			w = t[0] + strlen(pfx);
		else if (alias && strncmp(t[0], alias, strlen(alias)) == 0)
			w = t[0] + strlen(alias);
		if (!w || (strcmp(w, "16") && strcmp(w, "32") && strcmp(w, "64")))
			continue;
		if (want_ops(c, t[0], nt - 1, 1))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = b2n_end_table[i].code;
		in->imm = atoi(w);
		return parse_reg(c, t[1], &in->dst) ? -EINVAL : 1;
	}
	return 0;
}

static int asm_jcc(struct asm_ctx *c, char **t, int nt)
{
	char base[32];
	int is32 = strip32(t[0], base, sizeof(base));

	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_jcc_table); i++) {
		struct b2n_insn *in;
		size_t idx;

		if (strcmp(base, b2n_jcc_table[i].mnem))
			continue;
		if (want_ops(c, t[0], nt - 1, 3))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		idx = c->n - 1;
		in->code =
		    (uint8_t)(b2n_jcc_table[i].opnibble | (is32 ? B2N_CLS_JMP32 : B2N_CLS_JMP));
		if (parse_reg(c, t[1], &in->dst))
			return -EINVAL;
		if (t[2][0] == '%') {
			in->code |= B2N_SRC_X;
			if (parse_reg(c, t[2], &in->src))
				return -EINVAL;
		} else if (parse_imm32(c, t[2], &in->imm)) {
			return -EINVAL;
		}
		return parse_target(c, t[3], idx, FIX_OFF) ? -EINVAL : 1;
	}
	return 0;
}

/* ldx{b,h,w,dw}, ldxs{b,h,w}, st{b,h,w,dw}, stx{b,h,w,dw}. */
static int asm_mem(struct asm_ctx *c, char **t, int nt)
{
	static const struct {
		const char *prefix;
		uint8_t base;
	} kinds[] = {
	    {"ldxs", B2N_CLS_LDX | B2N_MODE_MEMSX},
	    {"ldx", B2N_CLS_LDX | B2N_MODE_MEM},
	    {"stx", B2N_CLS_STX | B2N_MODE_MEM},
	    {"st", B2N_CLS_ST | B2N_MODE_MEM},
	};

	for (size_t k = 0; k < B2N_ARRAY_LEN(kinds); k++) {
		size_t pl = strlen(kinds[k].prefix);
		if (strncmp(t[0], kinds[k].prefix, pl))
			continue;
		for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++) {
			struct b2n_insn *in;
			uint8_t cls = kinds[k].base & 7;

			if (strcmp(t[0] + pl, b2n_size_table[i].suffix))
				continue;
			if ((kinds[k].base & 0xe0) == B2N_MODE_MEMSX &&
			    b2n_size_table[i].bytes == 8)
				continue; /* no sign-extending 64-bit load */
			if (want_ops(c, t[0], nt - 1, 2))
				return -EINVAL;
			if (!(in = emit(c)))
				return -ENOMEM;
			in->code = (uint8_t)(kinds[k].base | b2n_size_table[i].bits);
			if (cls == B2N_CLS_LDX) {
				if (parse_reg(c, t[1], &in->dst) ||
				    parse_mem(c, t[2], &in->src, &in->off))
					return -EINVAL;
			} else if (cls == B2N_CLS_STX) {
				if (parse_mem(c, t[1], &in->dst, &in->off) ||
				    parse_reg(c, t[2], &in->src))
					return -EINVAL;
			} else {
				if (parse_mem(c, t[1], &in->dst, &in->off) ||
				    parse_imm32(c, t[2], &in->imm))
					return -EINVAL;
			}
			return 1;
		}
	}
	return 0;
}

/* Legacy packet loads: ldabs{b,h,w,dw} IMM, ldind{b,h,w,dw} %rS, IMM. */
static int asm_ldabs(struct asm_ctx *c, char **t, int nt)
{
	int ind;

	if (strncmp(t[0], "ldabs", 5) == 0)
		ind = 0;
	else if (strncmp(t[0], "ldind", 5) == 0)
		ind = 1;
	else
		return 0;
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++) {
		struct b2n_insn *in;

		if (strcmp(t[0] + 5, b2n_size_table[i].suffix))
			continue;
		if (want_ops(c, t[0], nt - 1, 1 + ind))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = (uint8_t)(B2N_CLS_LD | (ind ? B2N_MODE_IND : B2N_MODE_ABS) |
		                     b2n_size_table[i].bits);
		if (ind && parse_reg(c, t[1], &in->src))
			return -EINVAL;
		return parse_imm32(c, t[1 + ind], &in->imm) ? -EINVAL : 1;
	}
	return 0;
}

static uint8_t size_bits(int bytes)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++)
		if (b2n_size_table[i].bytes == bytes)
			return b2n_size_table[i].bits;
	return 0;
}

/* lock [fetch] OP[32] [%rD+off], %rS */
static int asm_lock(struct asm_ctx *c, char **t, int nt)
{
	int fetch = 0, k = 1, is32;
	char base[32];
	struct b2n_insn *in;

	if (nt > 1 && strcmp(t[1], "fetch") == 0) {
		fetch = 1;
		k = 2;
	}
	if (nt <= k) {
		asm_error(c, "'lock' needs an operation");
		return -EINVAL;
	}
	is32 = strip32(t[k], base, sizeof(base));
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_atomic_table); i++) {
		if (strcmp(base, b2n_atomic_table[i].mnem))
			continue;
		if (want_ops(c, t[k], nt - k - 1, 2))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = (uint8_t)(B2N_CLS_STX | B2N_MODE_ATOMIC | size_bits(is32 ? 4 : 8));
		in->imm = b2n_atomic_table[i].imm | (fetch ? B2N_ATOMIC_FETCH : 0);
		if (parse_mem(c, t[k + 1], &in->dst, &in->off) || parse_reg(c, t[k + 2], &in->src))
			return -EINVAL;
		return 1;
	}
	asm_error(c, "unknown atomic operation '%s'", t[k]);
	return -EINVAL;
}

/* call N | call helper N | call local TARGET | call %rN */
static int asm_call(struct asm_ctx *c, char **t, int nt)
{
	struct b2n_insn *in;
	const char *arg;

	if (nt == 3 && strcmp(t[1], "local") == 0) {
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = B2N_CLS_JMP | ASM_OP_CALL;
		in->src = B2N_CALL_LOCAL;
		return parse_target(c, t[2], c->n - 1, FIX_IMM) ? -EINVAL : 1;
	}
	if (nt == 3 && (strcmp(t[1], "helper") == 0 || strcmp(t[1], "runtime") == 0))
		arg = t[2];
	else if (nt == 2)
		arg = t[1];
	else {
		asm_error(c, "bad operands for 'call' (want N, helper N, local LABEL or %%rN)");
		return -EINVAL;
	}
	if (!(in = emit(c)))
		return -ENOMEM;
	in->code = B2N_CLS_JMP | ASM_OP_CALL;
	if (arg[0] == '%') { /* callx: the register is in dst */
		in->code |= B2N_SRC_X;
		return parse_reg(c, arg, &in->dst) ? -EINVAL : 1;
	}
	if (nt == 3 && strcmp(t[1], "runtime") == 0)
		in->src = B2N_CALL_KFUNC;
	return parse_imm32(c, arg, &in->imm) ? -EINVAL : 1;
}

/* lddw %rD, [KIND] IMM64 */
static int asm_lddw(struct asm_ctx *c, char **t, int nt)
{
	struct b2n_insn *in;
	uint64_t v;
	uint8_t dst, src = 0;
	const char *val;

	if (nt == 4) {
		for (size_t i = 1; i < B2N_ARRAY_LEN(asm_pseudo_names); i++)
			if (strcmp(t[2], asm_pseudo_names[i]) == 0)
				src = (uint8_t)i;
		if (!src) {
			asm_error(c, "unknown lddw source kind '%s'", t[2]);
			return -EINVAL;
		}
		val = t[3];
	} else {
		if (want_ops(c, t[0], nt - 1, 2))
			return -EINVAL;
		val = t[2];
	}
	if (parse_reg(c, t[1], &dst) || parse_imm64(c, val, &v))
		return -EINVAL;
	if (!(in = emit(c)))
		return -ENOMEM;
	in->code = ASM_CODE_LDDW;
	in->dst = dst;
	in->src = src;
	in->imm = (int32_t)(uint32_t)v;
	if (!(in = emit(c)))
		return -ENOMEM;
	in->imm = (int32_t)(uint32_t)(v >> 32);
	return 1;
}

static int asm_jump_misc(struct asm_ctx *c, char **t, int nt)
{
	struct b2n_insn *in;

	if (strcmp(t[0], "exit") == 0) {
		if (want_ops(c, t[0], nt - 1, 0))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = B2N_CLS_JMP | ASM_OP_EXIT;
		if (c->first_exit < 0)
			c->first_exit = (long)(c->n - 1);
		return 1;
	}
	if (strcmp(t[0], "ja") == 0 || strcmp(t[0], "ja32") == 0) {
		int is32 = t[0][2] != 0;
		if (want_ops(c, t[0], nt - 1, 1))
			return -EINVAL;
		if (!(in = emit(c)))
			return -ENOMEM;
		in->code = (uint8_t)(ASM_OP_JA | (is32 ? B2N_CLS_JMP32 : B2N_CLS_JMP));
		return parse_target(c, t[1], c->n - 1, is32 ? FIX_IMM : FIX_OFF) ? -EINVAL : 1;
	}
	if (strcmp(t[0], "call") == 0)
		return asm_call(c, t, nt);
	if (strcmp(t[0], "lddw") == 0)
		return asm_lddw(c, t, nt);
	if (strcmp(t[0], "lock") == 0)
		return asm_lock(c, t, nt);
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

static int add_label(struct asm_ctx *c, const char *name)
{
	if (!is_label_name(name)) {
		asm_error(c, "bad label name '%s'", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < c->nlabels; i++)
		if (strcmp(c->labels[i].name, name) == 0) {
			asm_error(c, "duplicate label '%s'", name);
			return -EINVAL;
		}
	if (grow((void **)&c->labels, &c->caplabels, c->nlabels + 1, sizeof(*c->labels)))
		goto oom;
	c->labels[c->nlabels].name = strdup(name);
	if (!c->labels[c->nlabels].name)
		goto oom;
	c->labels[c->nlabels++].idx = c->n;
	return 0;
oom:
	asm_error(c, "out of memory");
	return -ENOMEM;
}

/* Split in place at blanks and commas; blanks inside [...] are squeezed. */
static int tokenize(char *s, char **t, int max)
{
	int nt = 0;

	while (*s) {
		char *w, *r;
		int depth = 0;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (!*s)
			break;
		if (nt == max)
			return max + 1;
		t[nt++] = w = r = s;
		for (; *r; r++) {
			if (*r == '[')
				depth++;
			else if (*r == ']')
				depth--;
			if ((*r == ' ' || *r == '\t' || *r == ',') && depth <= 0)
				break;
			if ((*r == ' ' || *r == '\t') && depth > 0)
				continue;
			*w++ = *r;
		}
		s = *r ? r + 1 : r;
		*w = 0;
	}
	return nt;
}

static int asm_insn(struct asm_ctx *c, char **t, int nt)
{
	int rc;

	if ((rc = asm_alu(c, t, nt)) || (rc = asm_end(c, t, nt)) || (rc = asm_jcc(c, t, nt)) ||
	    (rc = asm_mem(c, t, nt)) || (rc = asm_ldabs(c, t, nt)) ||
	    (rc = asm_jump_misc(c, t, nt)))
		return rc < 0 ? rc : 0;
	asm_error(c, "unknown mnemonic '%s'", t[0]);
	return -EINVAL;
}

static int asm_line(struct asm_ctx *c, char *s)
{
	char *t[ASM_MAX_TOKS];
	int nt, rc;
	size_t l;
	char *hash = strchr(s, '#');

	if (hash)
		*hash = 0;
	nt = tokenize(s, t, ASM_MAX_TOKS);
	if (nt > ASM_MAX_TOKS) {
		asm_error(c, "too many operands");
		return -EINVAL;
	}
	if (nt == 0)
		return 0;
	l = strlen(t[0]);
	if (l > 1 && t[0][l - 1] == ':') { /* a label, maybe followed by an insn */
		t[0][l - 1] = 0;
		if ((rc = add_label(c, t[0])))
			return rc;
		return nt == 1 ? 0 : asm_insn(c, t + 1, nt - 1);
	}
	return asm_insn(c, t, nt);
}

static int resolve(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nfixups; i++) {
		const struct asm_fixup *f = &c->fixups[i];
		long target = -1;
		long long delta;

		for (size_t j = 0; j < c->nlabels; j++)
			if (strcmp(c->labels[j].name, f->name) == 0)
				target = (long)c->labels[j].idx;
		if (target < 0 && strcmp(f->name, "exit") == 0)
			target = c->first_exit;
		if (target < 0) {
			asm_error_at(c, f->line, "undefined label '%s'", f->name);
			return -EINVAL;
		}
		delta = (long long)target - (long long)f->idx - 1;
		if (f->field == FIX_OFF) {
			if (delta < INT16_MIN || delta > INT16_MAX) {
				asm_error_at(c, f->line, "jump to '%s' out of range", f->name);
				return -EINVAL;
			}
			c->insns[f->idx].off = (int16_t)delta;
		} else {
			if (delta < INT32_MIN || delta > INT32_MAX) {
				asm_error_at(c, f->line, "jump to '%s' out of range", f->name);
				return -EINVAL;
			}
			c->insns[f->idx].imm = (int32_t)delta;
		}
	}
	return 0;
}

/* Does the text hold "-- section" markers (a conformance .data file)? */
static int has_sections(const char *text)
{
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, "-- ", 3) == 0)
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

int b2n_asm__parse(const char *path, const char *text, struct b2n_insn **insns, size_t *ninsns)
{
	struct asm_ctx c = {.path = path, .first_exit = -1};
	int sections = has_sections(text), in_asm = !sections, rc = 0;
	const char *p = text;
	char *buf = NULL;
	size_t bufcap = 0;

	*insns = NULL;
	*ninsns = 0;
	while (*p && !rc) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		c.line++;
		if (len + 1 > bufcap) {
			char *nb = realloc(buf, len + 1);
			if (!nb) {
				asm_error(&c, "out of memory");
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			bufcap = len + 1;
		}
		memcpy(buf, p, len);
		buf[len] = 0;
		if (len && buf[len - 1] == '\r')
			buf[len - 1] = 0;
		p = e ? e + 1 : p + len;
		if (sections && strncmp(buf, "-- ", 3) == 0) {
			char *name = buf + 3;
			size_t l = strlen(name);
			while (l && (name[l - 1] == ' ' || name[l - 1] == '\t'))
				name[--l] = 0;
			in_asm = strcmp(name, "asm") == 0;
			continue;
		}
		if (in_asm)
			rc = asm_line(&c, buf);
	}
	if (!rc)
		rc = resolve(&c);
	if (!rc && c.n == 0) {
		asm_error_at(&c, c.line ? c.line : 1, "no instructions");
		rc = -EINVAL;
	}
	free(buf);
	for (size_t i = 0; i < c.nlabels; i++)
		free(c.labels[i].name);
	for (size_t i = 0; i < c.nfixups; i++)
		free(c.fixups[i].name);
	free(c.labels);
	free(c.fixups);
	if (rc) {
		free(c.insns);
		return rc;
	}
	*insns = c.insns;
	*ninsns = c.n;
	return 0;
}
