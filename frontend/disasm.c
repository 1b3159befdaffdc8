/*
 * disasm.c - disassembler for the bpf_conformance assembly dialect.
 *
 * Each instruction is classified by b2n_isa_classify and printed from the
 * mnemonics of the isa.h tables, in the spelling that asm.c accepts, so
 * that the output re-assembles to identical bytes: jump and call targets
 * are relative ("+3", "-1"), immediates keep their 32-bit pattern (small
 * values in decimal, others as unsigned hex), byte swaps are "bswapNN".
 * b2n_disasm__prog can instead name targets with labels "L<idx>:"; a target
 * that cannot carry a label (outside [0, n] or on the second slot of an
 * lddw) stays relative.  Anything classify rejects prints as ".invalid
 * code=.. dst=.. src=.. off=.. imm=.."; an lddw missing its second slot
 * prints as a truncated lddw.  Neither re-assembles; both exist for
 * diagnostics.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

/* Names of the LDDW pseudo sources (src field), index = src; asm.c accepts
 * the same words. */
static const char *const dis_pseudo_names[] = {
    NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value",
};

/* snprintf into a cursor that never overruns and counts the full length. */
struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
	              o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->pos += (size_t)r;
}

static void put_imm(struct out *o, int64_t v, int is64)
{
	if (v > -65536 && v < 65536)
		put(o, "%" PRId64, v);
	else if (is64)
		put(o, "0x%" PRIx64, (uint64_t)v);
	else
		put(o, "0x%" PRIx32, (uint32_t)v);
}

static void put_mem(struct out *o, uint8_t reg, int16_t off)
{
	if (off)
		put(o, "[%%r%u%+d]", reg, off);
	else
		put(o, "[%%r%u]", reg);
}

/* Target of a jump at idx with relative offset rel. */
static void put_target(struct out *o, size_t n, size_t idx, int64_t rel, const uint8_t *labels)
{
	int64_t t = (int64_t)idx + 1 + rel;

	if (labels && t >= 0 && (uint64_t)t <= n && labels[t])
		put(o, "L%" PRId64, t);
	else
		put(o, "%+" PRId64, rel);
}

static const char *size_suffix(uint8_t code)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++)
		if (b2n_size_table[i].bits == (code & 0x18))
			return b2n_size_table[i].suffix;
	return "?";
}

static void put_invalid(struct out *o, const struct b2n_insn *in)
{
	put(o, ".invalid code=0x%02x dst=%u src=%u off=%d imm=%" PRId32, in->code, in->dst, in->src,
	    in->off, in->imm);
}

static void dis_lddw(struct out *o, const struct b2n_insn *insns, size_t n, size_t idx)
{
	const struct b2n_insn *in = &insns[idx], *hi;
	const char *kind =
	    in->src < B2N_ARRAY_LEN(dis_pseudo_names) ? dis_pseudo_names[in->src] : NULL;
	uint64_t v;

	put(o, "lddw %%r%u, ", in->dst);
	if (kind)
		put(o, "%s ", kind);
	if (idx + 1 >= n) {
		put(o, "0x%" PRIx32 " <truncated: second slot missing>", (uint32_t)in->imm);
		return;
	}
	hi = &insns[idx + 1];
	v = (uint32_t)in->imm | ((uint64_t)(uint32_t)hi->imm << 32);
	put_imm(o, (int64_t)v, 1);
	if (hi->code || hi->dst || hi->src || hi->off)
		put(o, " # bad second slot: code=0x%02x dst=%u src=%u off=%d", hi->code, hi->dst,
		    hi->src, hi->off);
}

static void dis_one(struct out *o, const struct b2n_insn *insns, size_t n, size_t idx,
                    const uint8_t *labels)
{
	const struct b2n_insn *in = &insns[idx];
	struct b2n_form f;

	if (b2n_isa_classify(in, &f)) {
		put_invalid(o, in);
		return;
	}
	switch (f.family) {
	case B2N_F_ALU: {
		const struct b2n_alu_desc *d = &b2n_alu_table[f.op];
		put(o, "%s %%r%u", f.is64 ? d->m64 : d->m32, in->dst);
		if (d->flags & B2N_ALUF_UNARY) {
			if (in->imm) /* reserved; classify lets it through */
				put(o, " # reserved imm=%" PRId32, in->imm);
			break;
		}
		if (f.src_reg)
			put(o, ", %%r%u", in->src);
		else {
			put(o, ", ");
			put_imm(o, in->imm, 0);
		}
		break;
	}
	case B2N_F_END:
		put(o, "%s%d %%r%u", b2n_end_table[f.op].mnem, f.size, in->dst);
		break;
	case B2N_F_JA:
		put(o, f.is64 ? "ja " : "ja32 ");
		put_target(o, n, idx, f.is64 ? in->off : in->imm, labels);
		break;
	case B2N_F_JCC:
		put(o, "%s%s %%r%u, ", b2n_jcc_table[f.op].mnem, f.is64 ? "" : "32", in->dst);
		if (f.src_reg)
			put(o, "%%r%u", in->src);
		else
			put_imm(o, in->imm, 0);
		put(o, ", ");
		put_target(o, n, idx, in->off, labels);
		break;
	case B2N_F_CALL:
		put(o, "call %" PRId32, in->imm);
		break;
	case B2N_F_CALL_LOCAL:
		put(o, "call local ");
		put_target(o, n, idx, in->imm, labels);
		break;
	case B2N_F_CALLX:
		put(o, "call %%r%u", in->dst);
		break;
	case B2N_F_EXIT:
		put(o, "exit");
		break;
	case B2N_F_LDX:
	case B2N_F_LDXSX:
		put(o, "%s%s %%r%u, ", f.family == B2N_F_LDX ? "ldx" : "ldxs",
		    size_suffix(in->code), in->dst);
		put_mem(o, in->src, in->off);
		break;
	case B2N_F_ST:
		put(o, "st%s ", size_suffix(in->code));
		put_mem(o, in->dst, in->off);
		put(o, ", ");
		put_imm(o, in->imm, 0);
		break;
	case B2N_F_STX:
		put(o, "stx%s ", size_suffix(in->code));
		put_mem(o, in->dst, in->off);
		put(o, ", %%r%u", in->src);
		break;
	case B2N_F_ATOMIC: {
		const struct b2n_atomic_desc *d = &b2n_atomic_table[f.op];
		int implied = (d->imm & B2N_ATOMIC_FETCH) != 0;
		put(o, "lock %s%s%s ", f.fetch && !implied ? "fetch " : "", d->mnem,
		    f.is64 ? "" : "32");
		put_mem(o, in->dst, in->off);
		put(o, ", %%r%u", in->src);
		break;
	}
	case B2N_F_LDDW:
		dis_lddw(o, insns, n, idx);
		break;
	case B2N_F_LDABS:
		if ((in->code & 0xe0) == B2N_MODE_IND)
			put(o, "ldind%s %%r%u, ", size_suffix(in->code), in->src);
		else
			put(o, "ldabs%s ", size_suffix(in->code));
		put_imm(o, in->imm, 0);
		break;
	default:
		put_invalid(o, in);
		break;
	}
}

int b2n_disasm__insn(const struct b2n_insn *insns, size_t n, size_t idx, char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	if (len)
		buf[0] = 0;
	if (idx >= n)
		put(&o, ".invalid <no instruction %zu>", idx);
	else
		dis_one(&o, insns, n, idx, NULL);
	return (int)o.pos;
}

/* Slot width of insns[i] (2 for a complete lddw). */
static size_t slots(const struct b2n_insn *insns, size_t n, size_t i)
{
	struct b2n_form f;

	if (!b2n_isa_classify(&insns[i], &f) && f.slots == 2 && i + 1 < n)
		return 2;
	return 1;
}

static void mark_targets(const struct b2n_insn *insns, size_t n, uint8_t *labels)
{
	uint8_t *second = calloc(n + 1, 1);

	if (!second)
		return;
	for (size_t i = 0; i < n; i += slots(insns, n, i))
		if (slots(insns, n, i) == 2)
			second[i + 1] = 1;
	for (size_t i = 0; i < n; i += slots(insns, n, i)) {
		struct b2n_form f;
		int64_t rel, t;

		if (b2n_isa_classify(&insns[i], &f))
			continue;
		if (f.family == B2N_F_JCC || (f.family == B2N_F_JA && f.is64))
			rel = insns[i].off;
		else if (f.family == B2N_F_CALL_LOCAL || f.family == B2N_F_JA)
			rel = insns[i].imm;
		else
			continue;
		t = (int64_t)i + 1 + rel;
		if (t >= 0 && (uint64_t)t <= n && !second[t])
			labels[t] = 1;
	}
	free(second);
}

void b2n_disasm__prog(const struct b2n_insn *insns, size_t n, FILE *out, int with_labels)
{
	uint8_t *labels = with_labels ? calloc(n + 1, 1) : NULL;
	char small[160];

	if (labels)
		mark_targets(insns, n, labels);
	for (size_t i = 0; i <= n;) {
		struct out o = {small, sizeof(small), 0};

		if (labels && labels[i])
			fprintf(out, "L%zu:\n", i);
		if (i == n)
			break;
		dis_one(&o, insns, n, i, labels);
		if (o.pos < sizeof(small)) {
			fprintf(out, "%s\n", small);
		} else {
			char *big = malloc(o.pos + 1);
			struct out o2 = {big, o.pos + 1, 0};
			if (big) {
				dis_one(&o2, insns, n, i, labels);
				fprintf(out, "%s\n", big);
				free(big);
			}
		}
		i += slots(insns, n, i);
	}
	free(labels);
}
