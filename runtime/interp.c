/*
 * interp.c - the reference interpreter (b2n_interp__run).
 *
 * A deliberately plain fetch/classify/execute loop: every instruction is
 * decoded with b2n_isa_classify() from isa.h and dispatched on the semantic
 * enums (family, b2n_alu_op, b2n_jcc_op, ...), never on raw opcode bytes,
 * so it shares its notion of the ISA with the compiler.  Speed is not a
 * goal; being an independent, obviously-correct oracle for the compiled code
 * is.  Each semantic trap of docs/traps.md is handled in one visible place:
 * 32-bit results are truncated in alu32(), divisions by zero and INT_MIN/-1
 * are special-cased before the C operator is applied (no undefined
 * behaviour), shift counts are masked, signed values are formed without
 * implementation-defined conversions.
 *
 * Registers hold real host addresses (r1 = ctx) and loads/stores go through
 * memcpy, so unaligned accesses are fine on every host.  The emulated byte
 * order (opts->big_endian) decides how memory bytes map to register values
 * and what le/be mean; when it differs from the host's, loads, stores and
 * the memory side of atomics are byte-swapped and atomics become a plain
 * read-modify-write.  In host order atomics are real __atomic operations.
 *
 * Local calls (call with src=1) push a frame holding the return pc and the
 * caller's r6-r10; the callee gets its own zeroed 512-byte stack (r10 = its
 * top) and r1-r5 as passed; exit pops the frame and restores r6-r10.  At
 * most 8 frames may be live (the kernel's MAX_CALL_FRAMES).
 */
#include <errno.h>
#include <string.h>

#include <bpf2native/ctx.h>

#include "runtime_internal.h"

#define B2N_MAX_CALL_FRAMES 8
#define B2N_DEFAULT_INSN_LIMIT (UINT64_C(1) << 30)

/* Signed views without implementation-defined conversions. */
static inline int64_t s64(uint64_t v)
{
	return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static inline int32_t s32(uint32_t v)
{
	return v <= (uint32_t)INT32_MAX ? (int32_t)v : -(int32_t)(~v) - 1;
}

/* Arithmetic right shift, portable (>> of a negative value is
 * implementation-defined in C). */
static inline uint64_t arsh64(uint64_t v, unsigned s)
{
	uint64_t r = v >> s;
	if ((v >> 63) && s)
		r |= ~(UINT64_MAX >> s);
	return r;
}

static inline uint32_t arsh32(uint32_t v, unsigned s)
{
	uint32_t r = v >> s;
	if ((v >> 31) && s)
		r |= ~(UINT32_MAX >> s);
	return r;
}

static uint64_t alu64(int op, uint64_t a, uint64_t b)
{
	return b2n_alu_eval64((enum b2n_alu_op)op, a, b);
}

/* 32-bit ALU: operands are the low halves, the result is zero-extended. */
static uint64_t alu32(int op, uint32_t a, uint32_t b)
{
	uint32_t r = 0;
	switch ((enum b2n_alu_op)op) {
	case B2N_ALU_ADD:
		r = a + b;
		break;
	case B2N_ALU_SUB:
		r = a - b;
		break;
	case B2N_ALU_MUL:
		r = (uint32_t)((uint64_t)a * b);
		break;
	case B2N_ALU_DIV:
		r = b ? a / b : 0;
		break;
	case B2N_ALU_SDIV:
		if (!b)
			r = 0;
		else if (a == (UINT32_C(1) << 31) && b == UINT32_MAX)
			r = a; /* INT32_MIN / -1 = INT32_MIN */
		else
			r = (uint32_t)(s32(a) / s32(b));
		break;
	case B2N_ALU_OR:
		r = a | b;
		break;
	case B2N_ALU_AND:
		r = a & b;
		break;
	case B2N_ALU_LSH:
		r = a << (b & 31);
		break;
	case B2N_ALU_RSH:
		r = a >> (b & 31);
		break;
	case B2N_ALU_NEG:
		r = 0 - a;
		break;
	case B2N_ALU_MOD:
		r = b ? a % b : a;
		break;
	case B2N_ALU_SMOD:
		if (!b)
			r = a;
		else if (b == UINT32_MAX)
			r = 0;
		else
			r = (uint32_t)(s32(a) % s32(b));
		break;
	case B2N_ALU_XOR:
		r = a ^ b;
		break;
	case B2N_ALU_MOV:
		r = b;
		break;
	case B2N_ALU_MOVSX8:
		r = (uint32_t)b2n_rt_sext(b, 8);
		break;
	case B2N_ALU_MOVSX16:
		r = (uint32_t)b2n_rt_sext(b, 16);
		break;
	case B2N_ALU_MOVSX32: /* not a 32-bit form; rejected by the classifier */
		r = b;
		break;
	case B2N_ALU_ARSH:
		r = arsh32(a, b & 31);
		break;
	case B2N_ALU__COUNT:
		break;
	}
	return r;
}

/* New memory value of a (non-atomic) atomic operation on `old`. */
static uint64_t atomic_new(int op, uint64_t old, uint64_t v, uint64_t cmp, int bytes)
{
	switch ((enum b2n_atomic_op)op) {
	case B2N_ATOMIC_ADD:
		return old + v;
	case B2N_ATOMIC_OR:
		return old | v;
	case B2N_ATOMIC_AND:
		return old & v;
	case B2N_ATOMIC_XOR:
		return old ^ v;
	case B2N_ATOMIC_XCHG:
		return v;
	case B2N_ATOMIC_CMPXCHG:
		return b2n_rt_trunc(old, bytes) == b2n_rt_trunc(cmp, bytes) ? v : old;
	case B2N_ATOMIC__COUNT:
		break;
	}
	return old;
}

#define B2N_DEFINE_HOST_ATOMIC(NAME, T)                                                            \
	static T NAME(int op, T *p, T v, T cmp)                                                    \
	{                                                                                          \
		switch ((enum b2n_atomic_op)op) {                                                  \
		case B2N_ATOMIC_ADD:                                                               \
			return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);                         \
		case B2N_ATOMIC_OR:                                                                \
			return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);                          \
		case B2N_ATOMIC_AND:                                                               \
			return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);                         \
		case B2N_ATOMIC_XOR:                                                               \
			return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);                         \
		case B2N_ATOMIC_XCHG:                                                              \
			return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);                        \
		case B2N_ATOMIC_CMPXCHG: {                                                         \
			/* through memory: see the note on riscv64 below */                        \
			volatile T laundered = cmp;                                                \
			T expected = laundered;                                                    \
			__atomic_compare_exchange_n(p, &expected, v, 0, __ATOMIC_SEQ_CST,          \
			                            __ATOMIC_SEQ_CST);                             \
			return expected; /* the old value, whether or not it matched */            \
		}                                                                                  \
		case B2N_ATOMIC__COUNT:                                                            \
			break;                                                                     \
		}                                                                                  \
		return 0;                                                                          \
	}
/* riscv64 note: GCC 12 (Debian's cross gcc) compares the lr.w result, which
 * is sign-extended, with the expected value's register as is; when that
 * value is a truncated 64-bit register (r0's low half) its upper bits are
 * garbage and a matching cmpxchg32 fails.  Reloading the expected value from
 * memory makes GCC materialise it with lw, i.e. sign-extended.  Harmless
 * elsewhere; interp_unit_riscv64 checks it. */
B2N_DEFINE_HOST_ATOMIC(host_atomic32, uint32_t)
B2N_DEFINE_HOST_ATOMIC(host_atomic64, uint64_t)
#undef B2N_DEFINE_HOST_ATOMIC

/* Perform an atomic operation at addr; returns the old memory value
 * (zero-extended), or sets *err for a misaligned address. */
static uint64_t do_atomic(int op, uintptr_t addr, int bytes, uint64_t v, uint64_t cmp, int swap,
                          int *err)
{
	if (addr % (uintptr_t)bytes) {
		*err = -EFAULT; /* the verifier rejects misaligned atomics */
		return 0;
	}
	if (!swap) {
		if (bytes == 4)
			return host_atomic32(op, (uint32_t *)addr, (uint32_t)v, (uint32_t)cmp);
		return host_atomic64(op, (uint64_t *)addr, v, cmp);
	}
	uint64_t old = b2n_rt_load((const void *)addr, bytes, swap);
	b2n_rt_store((void *)addr, bytes, atomic_new(op, old, v, cmp, bytes), swap);
	return old;
}

/* Does this family write its dst register? */
static int writes_dst(enum b2n_family fam)
{
	return fam == B2N_F_ALU || fam == B2N_F_END || fam == B2N_F_LDX || fam == B2N_F_LDXSX ||
	       fam == B2N_F_LDDW;
}

struct b2n_frame {
	size_t ret_pc;
	uint64_t saved[5]; /* r6..r10 of the caller */
};

B2N_API int b2n_interp__run(const struct b2n_insn *insns, size_t n, void *ctx, uint64_t r2,
                            const struct b2n_interp_opts *opts, uint64_t *r0)
{
	const int host_be = b2n_host_is_big_endian();
	int emu_be = host_be;
	uint64_t limit = B2N_DEFAULT_INSN_LIMIT;

	if (!insns || !r0)
		return -EINVAL;
	if (opts) {
		size_t sz = opts->sz ? opts->sz : sizeof(*opts);
		if (sz >= offsetof(struct b2n_interp_opts, big_endian) + sizeof(opts->big_endian)) {
			if (opts->big_endian < -1 || opts->big_endian > 1)
				return -EINVAL;
			if (opts->big_endian >= 0)
				emu_be = opts->big_endian;
		}
		if (sz >= offsetof(struct b2n_interp_opts, insn_limit) + sizeof(opts->insn_limit) &&
		    opts->insn_limit)
			limit = opts->insn_limit;
	}
	const int swap = emu_be != host_be;

	/* One 512-byte stack per call frame, 8-byte aligned. */
	union {
		uint64_t align;
		unsigned char b[B2N_MAX_CALL_FRAMES][B2N_STACK_SIZE];
	} stack;
	struct b2n_frame frames[B2N_MAX_CALL_FRAMES];
	int depth = 0; /* number of active local calls; frames in use = depth + 1 */
	uint64_t reg[11] = {0};
	uint64_t executed = 0;
	size_t pc = 0;

	memset(stack.b[0], 0, sizeof(stack.b[0]));
	reg[1] = (uint64_t)(uintptr_t)ctx;
	reg[2] = r2;
	reg[10] = (uint64_t)(uintptr_t)(stack.b[0] + B2N_STACK_SIZE);

	for (;;) {
		const struct b2n_insn *in;
		struct b2n_form f;
		int64_t target;
		int err = 0;

		if (pc >= n)
			return -EFAULT; /* fell off the end, or jumped out */
		if (executed++ >= limit)
			return -E2BIG;
		in = &insns[pc];
		if (b2n_isa_classify(in, &f) || in->dst > 10 || in->src > 10)
			return -EINVAL;
		if (writes_dst(f.family) && in->dst == 10)
			return -EINVAL; /* r10 is read-only */

		uint64_t *dst = &reg[in->dst];
		const uint64_t srcv = reg[in->src];
		const uintptr_t dst_addr = (uintptr_t)(reg[in->dst] + (uint64_t)(int64_t)in->off);
		const uintptr_t src_addr = (uintptr_t)(reg[in->src] + (uint64_t)(int64_t)in->off);

		switch (f.family) {
		case B2N_F_ALU: {
			uint64_t b;
			if (f.src_reg)
				b = srcv;
			else if (f.is64)
				b = (uint64_t)(int64_t)
				        in->imm; /* sign-extended, also for div/mod */
			else
				b = (uint32_t)in->imm;
			*dst = f.is64 ? alu64(f.op, *dst, b)
			              : alu32(f.op, (uint32_t)*dst, (uint32_t)b);
			pc++;
			break;
		}
		case B2N_F_END: {
			const int bytes = f.size / 8;
			int do_swap;
			switch ((enum b2n_end_op)f.op) {
			case B2N_END_LE:
				do_swap = emu_be;
				break;
			case B2N_END_BE:
				do_swap = !emu_be;
				break;
			default: /* BSWAP */
				do_swap = 1;
				break;
			}
			*dst = do_swap ? b2n_rt_swap_width(*dst, bytes) : b2n_rt_trunc(*dst, bytes);
			pc++;
			break;
		}
		case B2N_F_JA:
		case B2N_F_JCC:
			if (f.family == B2N_F_JA) {
				/* ja takes off; ja32 (gotol, JMP32 class) takes imm */
				target = (int64_t)pc + 1 + (f.is64 ? in->off : in->imm);
			} else {
				uint64_t b = f.src_reg ? srcv : (uint64_t)(int64_t)in->imm;
				target = b2n_jcc_eval(f.op, f.is64, *dst, b)
				             ? (int64_t)pc + 1 + in->off
				             : (int64_t)pc + 1;
			}
			if (target < 0 || (uint64_t)target >= n)
				return -EFAULT;
			pc = (size_t)target;
			break;
		case B2N_F_CALL:
			reg[0] =
			    b2n_callx((uint32_t)in->imm, reg[1], reg[2], reg[3], reg[4], reg[5]);
			pc++;
			break;
		case B2N_F_CALLX:
			reg[0] = b2n_callx(*dst, reg[1], reg[2], reg[3], reg[4], reg[5]);
			pc++;
			break;
		case B2N_F_CALL_LOCAL:
			target = (int64_t)pc + 1 + in->imm;
			if (target < 0 || (uint64_t)target >= n)
				return -EFAULT;
			if (depth + 1 >= B2N_MAX_CALL_FRAMES)
				return -ELOOP;
			frames[depth].ret_pc = pc + 1;
			memcpy(frames[depth].saved, &reg[6], sizeof(frames[depth].saved));
			depth++;
			memset(stack.b[depth], 0, sizeof(stack.b[depth]));
			reg[10] = (uint64_t)(uintptr_t)(stack.b[depth] + B2N_STACK_SIZE);
			pc = (size_t)target;
			break;
		case B2N_F_EXIT:
			if (depth == 0) {
				*r0 = reg[0];
				return 0;
			}
			depth--;
			memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
			pc = frames[depth].ret_pc;
			break;
		case B2N_F_LDX:
			*dst = b2n_rt_load((const void *)src_addr, f.size, swap);
			pc++;
			break;
		case B2N_F_LDXSX:
			*dst = b2n_rt_sext(b2n_rt_load((const void *)src_addr, f.size, swap),
			                   8 * f.size);
			pc++;
			break;
		case B2N_F_ST: /* imm sign-extended, then truncated to the size */
			b2n_rt_store((void *)dst_addr, f.size, (uint64_t)(int64_t)in->imm, swap);
			pc++;
			break;
		case B2N_F_STX:
			b2n_rt_store((void *)dst_addr, f.size, srcv, swap);
			pc++;
			break;
		case B2N_F_ATOMIC: {
			uint64_t old;
			const int is_cmpxchg = f.op == B2N_ATOMIC_CMPXCHG;
			if (f.fetch && !is_cmpxchg && in->src == 10)
				return -EINVAL;
			old = do_atomic(f.op, dst_addr, f.size, srcv, reg[0], swap, &err);
			if (err)
				return err;
			if (is_cmpxchg)
				reg[0] = old;
			else if (f.fetch) /* fetch forms and xchg */
				reg[in->src] = old;
			pc++;
			break;
		}
		case B2N_F_LDDW: {
			const struct b2n_insn *hi;
			if (pc + 1 >= n)
				return -EFAULT;
			hi = &insns[pc + 1];
			if (in->src != 0)
				return -EINVAL; /* pseudo loads need a loader */
			if (hi->code || hi->dst || hi->src || hi->off)
				return -EINVAL;
			*dst = (uint64_t)(uint32_t)in->imm | ((uint64_t)(uint32_t)hi->imm << 32);
			pc += 2;
			break;
		}
		case B2N_F_LDABS: {
			/* r6 is the skb (struct b2n_sk_buff, checked by the ctx
			 * pass); the offset is an int as the kernel passes it.
			 * Out of the packet: the function returns 0. */
			uint64_t off = (uint64_t)(int64_t)in->imm, val = 0;
			if (!reg[6])
				return -ENOTSUP; /* no sk_buff: not a packet program */
			if ((in->code & 0xe0) == B2N_MODE_IND)
				off += srcv;
			if (b2n_ld_pkt((const struct b2n_sk_buff *)(uintptr_t)reg[6],
			               (int64_t)s32((uint32_t)off), (uint32_t)f.size, &val)) {
				reg[0] = 0;
				if (depth == 0) {
					*r0 = 0;
					return 0;
				}
				depth--;
				memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
				pc = frames[depth].ret_pc;
				break;
			}
			reg[0] = val;
			pc++;
			break;
		}
		case B2N_F_INVALID:
		default:
			return -ENOTSUP;
		}
	}
}
