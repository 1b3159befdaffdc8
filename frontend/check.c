/*
 * check.c - structural checks of one program, and discovery of functions.
 *
 * One linear pass classifies every instruction through the ISA table and
 * checks registers and lddw pairing; a second pass checks every jump and
 * local-call target.  Function starts are the entry and every local-call
 * target (the kernel's subprogram rule); each function runs to the next
 * start, jumps may not leave it, and its last instruction must be an exit
 * or an unconditional jump so that control cannot fall off its end.
 * Each problem is reported once, at the first offending instruction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/runtime.h>

#include <linux/bpf.h>

#include "frontend.h"

int b2n_allow_unknown_helpers;

/* The kernel's helper names by id, from the UAPI header's own list
 * (__BPF_FUNC_MAPPER of Debian 12's linux/bpf.h, whose entries are
 * separated by commas). */
#define B2N_HELPER_NAME(name, ...) [BPF_FUNC_##name] = #name
static const char *const kernel_helpers[] = {__BPF_FUNC_MAPPER(B2N_HELPER_NAME)};
#undef B2N_HELPER_NAME

const char *b2n_helper_desc(int32_t id, char *buf, size_t len)
{
	if (id > 0 && (size_t)id < sizeof(kernel_helpers) / sizeof(kernel_helpers[0]))
		snprintf(buf, len, "bpf_%s#%d", kernel_helpers[id], id);
	else
		snprintf(buf, len, "unknown#%d", id);
	return buf;
}

int b2n_helper_known(int32_t id)
{
	switch (id) {
	case 12: /* bpf_tail_call: compiled inline (lower/tailcall.c) */
#define X(n, name) case n:
#include <bpf2native/helpers.def>
#undef X
		return 1;
	default:
		return 0;
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Jump target of instruction i, or -1 if it is not a jump. */
static long jump_target(const struct b2n_insn *in, const struct b2n_form *f, size_t i)
{
	if (f->family == B2N_F_JA)
		return (long)i + 1 + (f->is64 ? in->off : in->imm);
	if (f->family == B2N_F_JCC)
		return (long)i + 1 + in->off;
	return -1;
}

int b2n_prog__check(const struct b2n_input *obj, struct b2n_prog *prog)
{
	const struct b2n_insn *insns = prog->insns;
	size_t n = prog->ninsns, nstarts = 1;
	unsigned char *second = NULL; /* second slots of lddw */
	size_t *starts = NULL;
	int err = -EINVAL;

	if (n == 0) {
		b2n_diag(obj, prog, 0, "program has no instructions");
		return -EINVAL;
	}
	second = b2n_xcalloc(n, 1);
	starts = b2n_xcalloc(n + 1, sizeof(*starts));
	starts[0] = 0;

	for (size_t i = 0; i < n; i++) {
		const struct b2n_insn *in = &insns[i];
		struct b2n_form f;
		if (b2n_isa_classify(in, &f)) {
			b2n_diag(obj, prog, i, "unknown opcode 0x%02x", in->code);
			goto out;
		}
		if (in->dst > 10 || in->src > 10) {
			b2n_diag(obj, prog, i, "invalid register r%d", in->dst > 10 ? in->dst : in->src);
			goto out;
		}
		switch (f.family) {
		case B2N_F_ALU:
		case B2N_F_END:
		case B2N_F_LDX:
		case B2N_F_LDXSX:
		case B2N_F_LDDW:
			if (in->dst == 10) {
				b2n_diag(obj, prog, i, "frame pointer r10 is read-only");
				goto out;
			}
			break;
		case B2N_F_ATOMIC:
			if (b2n_atomic_table[f.op].imm == 0xf1 /* cmpxchg writes r0 */ ||
			    f.fetch) {
				if (in->src == 10) {
					b2n_diag(obj, prog, i, "frame pointer r10 is read-only");
					goto out;
				}
			}
			break;
		case B2N_F_LDABS:
			if (!b2n_prog_type_has_skb(prog->type)) {
				b2n_diag(obj, prog, i,
				         "BPF_LD_[ABS|IND] instructions not allowed for this program "
				         "type (only socket filters and tc programs: section "
				         "\"socket\", \"tc\", \"action\"%s)",
				         obj->kind == B2N_IN_ELF ? "" : " or --prog-type socket|tc");
				goto out;
			}
			if (in->dst != 0 || in->off != 0 ||
			    ((in->code & 0xe0) == B2N_MODE_ABS && in->src != 0)) {
				b2n_diag(obj, prog, i, "BPF_LD_[ABS|IND] uses reserved fields");
				goto out;
			}
			break;
		case B2N_F_CALL:
			if (in->imm < 0 || in->imm >= B2N_HELPER_TABLE_SIZE ||
			    (!b2n_helper_known(in->imm) && !b2n_allow_unknown_helpers)) {
				char h[64];
				b2n_diag(obj, prog, i,
				         "unknown helper %s (not implemented by the bpf2native "
				         "runtime; --allow-unknown-helpers defers this to load time)",
				         b2n_helper_desc(in->imm, h, sizeof(h)));
				goto out;
			}
			break;
		default:
			break;
		}
		if (f.family == B2N_F_LDDW) {
			if (i + 1 >= n) {
				b2n_diag(obj, prog, i, "truncated lddw: the second slot is missing");
				goto out;
			}
			const struct b2n_insn *hi = &insns[i + 1];
			if (hi->code || hi->dst || hi->src || hi->off) {
				b2n_diag(obj, prog, i, "malformed lddw: bad second slot");
				goto out;
			}
			if (in->src == B2N_PSEUDO_MAP_IDX || in->src == B2N_PSEUDO_MAP_IDX_VALUE) {
				if (in->imm < 0 || (size_t)in->imm >= obj->nmaps) {
					b2n_diag(obj, prog, i, "reference to missing map #%d",
					         in->imm);
					goto out;
				}
				const struct b2n_map_def *m = &obj->maps[in->imm];
				if (in->src == B2N_PSEUDO_MAP_IDX_VALUE &&
				    (hi->imm < 0 || (uint32_t)hi->imm >= m->value_size ||
				     m->max_entries < 1)) {
					b2n_diag(obj, prog, i,
					         "offset %d is outside the value of map %s (%u bytes)",
					         hi->imm, m->name, m->value_size);
					goto out;
				}
			} else if (in->src != 0 && in->src != B2N_PSEUDO_FUNC) {
				b2n_diag(obj, prog, i,
				         "lddw with pseudo source %d (map or data reference) has no "
				         "relocation",
				         in->src);
				goto out;
			}
			second[++i] = 1;
		}
	}

	for (size_t i = 0; i < n; i++) {
		const struct b2n_insn *in = &insns[i];
		struct b2n_form f;
		if (second[i])
			continue;
		b2n_isa_classify(in, &f);
		long t = jump_target(in, &f, i);
		if (f.family == B2N_F_CALL_LOCAL ||
		    (f.family == B2N_F_LDDW && in->src == B2N_PSEUDO_FUNC)) {
			t = (long)i + 1 + in->imm;
			if (t < 0 || t >= (long)n || second[t]) {
				b2n_diag(obj, prog, i, "local call to nowhere (target %ld)", t);
				goto out;
			}
			starts[nstarts++] = (size_t)t;
			continue;
		}
		if (t < 0 && f.family != B2N_F_JA && f.family != B2N_F_JCC)
			continue;
		if (t < 0 || t >= (long)n) {
			b2n_diag(obj, prog, i, "jump out of the program (target %ld of %zu)", t, n);
			goto out;
		}
		if (second[t]) {
			b2n_diag(obj, prog, i, "jump into the middle of an lddw (target %ld)", t);
			goto out;
		}
	}

	/* Functions: sorted unique starts. */
	qsort(starts, nstarts, sizeof(*starts), cmp_size);
	size_t nf = 0;
	for (size_t k = 0; k < nstarts; k++)
		if (nf == 0 || starts[nf - 1] != starts[k])
			starts[nf++] = starts[k];
	prog->funcs = b2n_xcalloc(nf, sizeof(*prog->funcs));
	prog->nfuncs = nf;
	for (size_t k = 0; k < nf; k++) {
		char nm[64];
		struct b2n_func *fn = &prog->funcs[k];
		fn->start = starts[k];
		fn->end = k + 1 < nf ? starts[k + 1] : n;
		if (k == 0)
			fn->name = b2n_strdup(prog->name);
		else {
			snprintf(nm, sizeof(nm), "sub_%zu", fn->start);
			fn->name = b2n_strdup(nm);
		}
	}
	for (size_t k = 0; k < nf; k++) {
		struct b2n_func *fn = &prog->funcs[k];
		for (size_t i = fn->start; i < fn->end; i++) {
			struct b2n_form f;
			if (second[i])
				continue;
			b2n_isa_classify(&insns[i], &f);
			long t = jump_target(&insns[i], &f, i);
			if (t >= 0 && (t < (long)fn->start || t >= (long)fn->end)) {
				b2n_diag(obj, prog, i, "jump out of function %s (target %ld)",
				         fn->name, t);
				goto out;
			}
		}
		size_t last = fn->end - 1;
		if (second[last])
			last--;
		struct b2n_form f;
		b2n_isa_classify(&insns[last], &f);
		if (f.family != B2N_F_EXIT && f.family != B2N_F_JA) {
			b2n_diag(obj, prog, last,
			         "control can fall off the end of %s: the last instruction is not "
			         "an exit or a jump",
			         k == 0 ? "the program" : fn->name);
			goto out;
		}
	}
	err = 0;
out:
	free(second);
	free(starts);
	return err;
}
