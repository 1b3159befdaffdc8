/*
 * isa.h - the BPF instruction set, described once.
 *
 * Every instruction form of RFC 9669 (plus the v4 additions) appears exactly
 * once in the X-macro tables below.  Decoding (b2n_isa_classify), the
 * assembler, the disassembler, the reference interpreter and the LLVM
 * lowering are all driven from these tables: they switch on the small
 * semantic enums generated here, never on raw opcode bytes.
 *
 * The header is self-contained, portable C11 and header-only, so that the
 * host compiler and the runtime built for every target share it.
 *
 * Instructions are held in a normalised form (struct b2n_insn): fields in
 * host order, dst and src as separate bytes.  The wire encodings
 * (little-endian bpfel, and bpfeb with swapped register nibbles and
 * big-endian off/imm) are converted by b2n_insn_decode/b2n_insn_encode.
 */
#ifndef BPF2NATIVE_ISA_H
#define BPF2NATIVE_ISA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Instruction classes (low three bits of the opcode). */
#define B2N_CLS_LD 0x00
#define B2N_CLS_LDX 0x01
#define B2N_CLS_ST 0x02
#define B2N_CLS_STX 0x03
#define B2N_CLS_ALU 0x04
#define B2N_CLS_JMP 0x05
#define B2N_CLS_JMP32 0x06
#define B2N_CLS_ALU64 0x07
#define B2N_SRC_X 0x08

/* Memory modes. */
#define B2N_MODE_IMM 0x00
#define B2N_MODE_ABS 0x20
#define B2N_MODE_IND 0x40
#define B2N_MODE_MEM 0x60
#define B2N_MODE_MEMSX 0x80
#define B2N_MODE_ATOMIC 0xc0

#define B2N_MAX_TAIL_CALL_CNT 33
#define B2N_STACK_SIZE 512

/* ALU operations: X(ID, opnibble, off, mnemonic32, mnemonic64, flags).
 * off distinguishes signed division and the MOVSX forms.  A NULL mnemonic
 * means the form does not exist in that width.  */
#define B2N_ALUF_K 1     /* immediate source allowed */
#define B2N_ALUF_X 2     /* register source allowed */
#define B2N_ALUF_UNARY 4 /* no source operand (neg) */
#define B2N_ALU_OPS(X)                                                                             \
	X(ADD, 0x00, 0, "add32", "add", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(SUB, 0x10, 0, "sub32", "sub", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(MUL, 0x20, 0, "mul32", "mul", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(DIV, 0x30, 0, "div32", "div", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(SDIV, 0x30, 1, "sdiv32", "sdiv", B2N_ALUF_K | B2N_ALUF_X)                                \
	X(OR, 0x40, 0, "or32", "or", B2N_ALUF_K | B2N_ALUF_X)                                      \
	X(AND, 0x50, 0, "and32", "and", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(LSH, 0x60, 0, "lsh32", "lsh", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(RSH, 0x70, 0, "rsh32", "rsh", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(NEG, 0x80, 0, "neg32", "neg", B2N_ALUF_K | B2N_ALUF_UNARY)                               \
	X(MOD, 0x90, 0, "mod32", "mod", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(SMOD, 0x90, 1, "smod32", "smod", B2N_ALUF_K | B2N_ALUF_X)                                \
	X(XOR, 0xa0, 0, "xor32", "xor", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(MOV, 0xb0, 0, "mov32", "mov", B2N_ALUF_K | B2N_ALUF_X)                                   \
	X(MOVSX8, 0xb0, 8, "movsx832", "movsx864", B2N_ALUF_X)                                     \
	X(MOVSX16, 0xb0, 16, "movsx1632", "movsx1664", B2N_ALUF_X)                                 \
	X(MOVSX32, 0xb0, 32, NULL, "movsx3264", B2N_ALUF_X)                                        \
	X(ARSH, 0xc0, 0, "arsh32", "arsh", B2N_ALUF_K | B2N_ALUF_X)

/* Byte-order operations (opnibble 0xd): X(ID, opcode, mnemonic prefix).
 * imm is the width: 16, 32 or 64.  LE/BE are relative to the host (target)
 * byte order; BSWAP always swaps.  "swap" is accepted as an alias of bswap. */
#define B2N_END_OPS(X)                                                                             \
	X(LE, 0xd4, "le")                                                                          \
	X(BE, 0xdc, "be")                                                                          \
	X(BSWAP, 0xd7, "bswap")

/* Conditional jumps: X(ID, opnibble, mnemonic).  JMP32 forms add "32". */
#define B2N_JCC_OPS(X)                                                                             \
	X(JEQ, 0x10, "jeq")                                                                        \
	X(JGT, 0x20, "jgt")                                                                        \
	X(JGE, 0x30, "jge")                                                                        \
	X(JSET, 0x40, "jset")                                                                      \
	X(JNE, 0x50, "jne")                                                                        \
	X(JSGT, 0x60, "jsgt")                                                                      \
	X(JSGE, 0x70, "jsge")                                                                      \
	X(JLT, 0xa0, "jlt")                                                                        \
	X(JLE, 0xb0, "jle")                                                                        \
	X(JSLT, 0xc0, "jslt")                                                                      \
	X(JSLE, 0xd0, "jsle")

/* Access sizes: X(ID, size bits, bytes, suffix). */
#define B2N_SIZES(X)                                                                               \
	X(W, 0x00, 4, "w")                                                                         \
	X(H, 0x08, 2, "h")                                                                         \
	X(B, 0x10, 1, "b")                                                                         \
	X(DW, 0x18, 8, "dw")

/* Atomic operations (STX | ATOMIC, W or DW), selected by imm:
 * X(ID, imm, mnemonic).  ADD..XOR may carry B2N_ATOMIC_FETCH. */
#define B2N_ATOMIC_FETCH 0x01
#define B2N_ATOMIC_OPS(X)                                                                          \
	X(ADD, 0x00, "add")                                                                        \
	X(OR, 0x40, "or")                                                                          \
	X(AND, 0x50, "and")                                                                        \
	X(XOR, 0xa0, "xor")                                                                        \
	X(XCHG, 0xe1, "xchg")                                                                      \
	X(CMPXCHG, 0xf1, "cmpxchg")

/* Instruction families: X(ID, description).  b2n_isa_classify maps each
 * valid instruction to exactly one family plus the op/size fields below. */
#define B2N_FAMILIES(X)                                                                            \
	X(ALU, "arithmetic")                                                                       \
	X(END, "byte order")                                                                       \
	X(JA, "jump")                                                                              \
	X(JCC, "conditional jump")                                                                 \
	X(CALL, "helper call")                                                                     \
	X(CALL_LOCAL, "local call")                                                                \
	X(CALLX, "indirect helper call")                                                           \
	X(EXIT, "exit")                                                                            \
	X(LDX, "load")                                                                             \
	X(LDXSX, "sign-extending load")                                                            \
	X(ST, "store immediate")                                                                   \
	X(STX, "store register")                                                                   \
	X(ATOMIC, "atomic")                                                                        \
	X(LDDW, "64-bit immediate load")                                                           \
	X(LDABS, "legacy packet load")

enum b2n_family {
#define X(id, d) B2N_F_##id,
	B2N_FAMILIES(X)
#undef X
	    B2N_F_INVALID
};

enum b2n_alu_op {
#define X(id, op, off, m32, m64, fl) B2N_ALU_##id,
	B2N_ALU_OPS(X)
#undef X
	    B2N_ALU__COUNT
};

enum b2n_end_op {
#define X(id, code, m) B2N_END_##id,
	B2N_END_OPS(X)
#undef X
	    B2N_END__COUNT
};

enum b2n_jcc_op {
#define X(id, op, m) B2N_##id,
	B2N_JCC_OPS(X)
#undef X
	    B2N_JCC__COUNT
};

enum b2n_atomic_op {
#define X(id, imm, m) B2N_ATOMIC_##id,
	B2N_ATOMIC_OPS(X)
#undef X
	    B2N_ATOMIC__COUNT
};

/* Pseudo sources of LDDW (src field), as libbpf/the kernel define them. */
#define B2N_PSEUDO_MAP_FD 1
#define B2N_PSEUDO_MAP_VALUE 2
#define B2N_PSEUDO_BTF_ID 3
#define B2N_PSEUDO_FUNC 4
#define B2N_PSEUDO_MAP_IDX 5
#define B2N_PSEUDO_MAP_IDX_VALUE 6
/* Call sources. */
#define B2N_CALL_HELPER 0
#define B2N_CALL_LOCAL 1
#define B2N_CALL_KFUNC 2

/* A normalised instruction: host-order fields, registers unpacked. */
struct b2n_insn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

/* What an instruction is, as far as every consumer needs to know. */
struct b2n_form {
	enum b2n_family family;
	int op;      /* enum b2n_alu_op / b2n_end_op / b2n_jcc_op / b2n_atomic_op */
	int is64;    /* ALU64/JMP (1) or ALU/JMP32 (0); DW atomics (1) */
	int src_reg; /* source operand is a register */
	int size;    /* access size in bytes for memory forms, width for END */
	int fetch;   /* atomic with B2N_ATOMIC_FETCH */
	int slots;   /* 2 for LDDW, else 1 */
};

static const char *const b2n_family_names[] = {
#define X(id, d) d,
    B2N_FAMILIES(X)
#undef X
        "invalid"};

static const struct b2n_alu_desc {
	uint8_t opnibble;
	int16_t off;
	const char *m32, *m64;
	int flags;
} b2n_alu_table[] = {
#define X(id, op, off, m32, m64, fl) {op, off, m32, m64, fl},
    B2N_ALU_OPS(X)
#undef X
};

static const struct b2n_end_desc {
	uint8_t code;
	const char *mnem;
} b2n_end_table[] = {
#define X(id, code, m) {code, m},
    B2N_END_OPS(X)
#undef X
};

static const struct b2n_jcc_desc {
	uint8_t opnibble;
	const char *mnem;
} b2n_jcc_table[] = {
#define X(id, op, m) {op, m},
    B2N_JCC_OPS(X)
#undef X
};

static const struct b2n_size_desc {
	uint8_t bits;
	uint8_t bytes;
	const char *suffix;
} b2n_size_table[] = {
#define X(id, bits, bytes, s) {bits, bytes, s},
    B2N_SIZES(X)
#undef X
};

static const struct b2n_atomic_desc {
	int32_t imm;
	const char *mnem;
} b2n_atomic_table[] = {
#define X(id, imm, m) {imm, m},
    B2N_ATOMIC_OPS(X)
#undef X
};

#define B2N_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Whether the condition `a OP b` of a conditional jump holds: JMP compares
 * 64 bits, JMP32 the low 32 bits; the signed forms read them as two's
 * complement (written without implementation-defined conversions).  The
 * one evaluator of the interpreter and the verifier's constant branches. */
static inline int b2n_jcc_eval(enum b2n_jcc_op op, int is64, uint64_t a, uint64_t b)
{
	int64_t sa, sb;
	if (is64) {
		sa = a <= (uint64_t)INT64_MAX ? (int64_t)a : -(int64_t)(~a) - 1;
		sb = b <= (uint64_t)INT64_MAX ? (int64_t)b : -(int64_t)(~b) - 1;
	} else {
		a = (uint32_t)a;
		b = (uint32_t)b;
		sa = a <= (uint64_t)INT32_MAX ? (int64_t)a : (int64_t)a - ((int64_t)1 << 32);
		sb = b <= (uint64_t)INT32_MAX ? (int64_t)b : (int64_t)b - ((int64_t)1 << 32);
	}
	switch (op) {
	case B2N_JEQ:
		return a == b;
	case B2N_JGT:
		return a > b;
	case B2N_JGE:
		return a >= b;
	case B2N_JSET:
		return (a & b) != 0;
	case B2N_JNE:
		return a != b;
	case B2N_JSGT:
		return sa > sb;
	case B2N_JSGE:
		return sa >= sb;
	case B2N_JLT:
		return a < b;
	case B2N_JLE:
		return a <= b;
	case B2N_JSLT:
		return sa < sb;
	case B2N_JSLE:
		return sa <= sb;
	case B2N_JCC__COUNT:
		break;
	}
	return 0;
}

/* Two's-complement reading of a 64-bit value, without implementation-
 * defined conversions. */
static inline int64_t b2n_s64(uint64_t v)
{
	return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

/* Sign-extend the low `bits` bits of v (1..64). */
static inline uint64_t b2n_sext(uint64_t v, int bits)
{
	uint64_t m = bits >= 64 ? 0 : UINT64_C(1) << (bits - 1);
	if (bits >= 64)
		return v;
	v &= (m << 1) - 1;
	return (v ^ m) - m;
}

/* One ALU64 operation on values, as RFC 9669 defines it: x / 0 = 0, x % 0
 * = x, INT64_MIN s/ -1 = INT64_MIN, x s% -1 = 0, shift counts masked to 63,
 * arithmetic shifts without implementation-defined >>.  The one evaluator
 * of the interpreter, the verifier's constants and the value domain; a
 * 32-bit operation is this one on extended operands, truncated. */
static inline uint64_t b2n_alu_eval64(enum b2n_alu_op op, uint64_t a, uint64_t b)
{
	unsigned k = (unsigned)(b & 63);
	switch (op) {
	case B2N_ALU_ADD:
		return a + b;
	case B2N_ALU_SUB:
		return a - b;
	case B2N_ALU_MUL:
		return a * b;
	case B2N_ALU_DIV:
		return b ? a / b : 0;
	case B2N_ALU_SDIV:
		if (!b)
			return 0;
		if (a == (UINT64_C(1) << 63) && b == UINT64_MAX)
			return a; /* INT64_MIN / -1 = INT64_MIN */
		return (uint64_t)(b2n_s64(a) / b2n_s64(b));
	case B2N_ALU_OR:
		return a | b;
	case B2N_ALU_AND:
		return a & b;
	case B2N_ALU_LSH:
		return a << k;
	case B2N_ALU_RSH:
		return a >> k;
	case B2N_ALU_NEG:
		return 0 - a;
	case B2N_ALU_MOD:
		return b ? a % b : a;
	case B2N_ALU_SMOD:
		if (!b)
			return a;
		if (b == UINT64_MAX)
			return 0; /* x s% -1 = 0, INT64_MIN included */
		return (uint64_t)(b2n_s64(a) % b2n_s64(b));
	case B2N_ALU_XOR:
		return a ^ b;
	case B2N_ALU_MOV:
		return b;
	case B2N_ALU_MOVSX8:
		return b2n_sext(b, 8);
	case B2N_ALU_MOVSX16:
		return b2n_sext(b, 16);
	case B2N_ALU_MOVSX32:
		return b2n_sext(b, 32);
	case B2N_ALU_ARSH:
		return k && (a >> 63) ? (a >> k) | ~(UINT64_MAX >> k) : a >> k;
	case B2N_ALU__COUNT:
		break;
	}
	return 0;
}

static inline int b2n_size_bytes(uint8_t code)
{
	for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_size_table); i++)
		if (b2n_size_table[i].bits == (code & 0x18))
			return b2n_size_table[i].bytes;
	return 0;
}

/* Classify one instruction.  Returns 0 and fills *f, or -1 if the opcode (or
 * its off/imm/src discriminator) is not a valid BPF instruction.  Register
 * numbers are not checked here. */
static inline int b2n_isa_classify(const struct b2n_insn *in, struct b2n_form *f)
{
	uint8_t code = in->code, cls = code & 7;
	memset(f, 0, sizeof(*f));
	f->slots = 1;
	f->family = B2N_F_INVALID;
	switch (cls) {
	case B2N_CLS_ALU:
	case B2N_CLS_ALU64: {
		f->is64 = cls == B2N_CLS_ALU64;
		f->src_reg = (code & B2N_SRC_X) != 0;
		if ((code & 0xf0) == 0xd0) {
			for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_end_table); i++)
				if (b2n_end_table[i].code == code &&
				    (in->imm == 16 || in->imm == 32 || in->imm == 64) &&
				    in->off == 0 && in->src == 0) {
					f->family = B2N_F_END;
					f->op = (int)i;
					f->size = in->imm;
					f->src_reg = 0;
					return 0;
				}
			return -1;
		}
		for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_alu_table); i++) {
			const struct b2n_alu_desc *d = &b2n_alu_table[i];
			if (d->opnibble != (code & 0xf0) || d->off != in->off)
				continue;
			if (!(f->is64 ? d->m64 : d->m32))
				return -1;
			if (f->src_reg && !(d->flags & B2N_ALUF_X))
				return -1;
			if (!f->src_reg && !(d->flags & B2N_ALUF_K))
				return -1;
			if (f->src_reg ? in->imm != 0 : in->src != 0)
				return -1;
			if ((d->flags & B2N_ALUF_UNARY) && in->imm != 0)
				return -1; /* neg: reserved fields must be zero */
			f->family = B2N_F_ALU;
			f->op = (int)i;
			return 0;
		}
		return -1;
	}
	case B2N_CLS_JMP:
	case B2N_CLS_JMP32: {
		uint8_t op = code & 0xf0;
		f->is64 = cls == B2N_CLS_JMP;
		f->src_reg = (code & B2N_SRC_X) != 0;
		if (op == 0x00) { /* ja / ja32 (gotol) */
			if (f->src_reg || in->dst || in->src)
				return -1;
			if (f->is64 ? in->imm != 0 : in->off != 0)
				return -1;
			f->family = B2N_F_JA;
			return 0;
		}
		if (op == 0x80 || op == 0x90) {
			if (!f->is64)
				return -1;
			if (op == 0x90) {
				if (code != 0x95 || in->dst || in->src || in->off || in->imm)
					return -1;
				f->family = B2N_F_EXIT;
				return 0;
			}
			if (code == 0x8d) { /* callx: helper id in dst */
				if (in->src || in->off || in->imm)
					return -1;
				f->family = B2N_F_CALLX;
				return 0;
			}
			if (code != 0x85 || in->dst || in->off)
				return -1;
			if (in->src == B2N_CALL_HELPER)
				f->family = B2N_F_CALL;
			else if (in->src == B2N_CALL_LOCAL)
				f->family = B2N_F_CALL_LOCAL;
			else
				return -1; /* kfunc calls are not supported */
			return 0;
		}
		for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_jcc_table); i++)
			if (b2n_jcc_table[i].opnibble == op) {
				if (f->src_reg ? in->imm != 0 : in->src != 0)
					return -1;
				f->family = B2N_F_JCC;
				f->op = (int)i;
				return 0;
			}
		return -1;
	}
	case B2N_CLS_LD:
		if (code == 0x18) {
			if (in->off != 0 || in->src > B2N_PSEUDO_MAP_IDX_VALUE)
				return -1;
			f->family = B2N_F_LDDW;
			f->size = 8;
			f->slots = 2;
			return 0;
		}
		if (((code & 0xe0) == B2N_MODE_ABS || (code & 0xe0) == B2N_MODE_IND) &&
		    (code & 0x18) != 0x18) {
			f->family = B2N_F_LDABS;
			f->size = b2n_size_bytes(code);
			return 0;
		}
		return -1;
	case B2N_CLS_LDX:
		f->size = b2n_size_bytes(code);
		if ((code & 0xe0) == B2N_MODE_MEM && in->imm == 0) {
			f->family = B2N_F_LDX;
			return 0;
		}
		if ((code & 0xe0) == B2N_MODE_MEMSX && f->size != 8 && in->imm == 0) {
			f->family = B2N_F_LDXSX;
			return 0;
		}
		return -1;
	case B2N_CLS_ST:
		f->size = b2n_size_bytes(code);
		if ((code & 0xe0) == B2N_MODE_MEM && in->src == 0) {
			f->family = B2N_F_ST;
			return 0;
		}
		return -1;
	case B2N_CLS_STX:
		f->size = b2n_size_bytes(code);
		f->src_reg = 1;
		if ((code & 0xe0) == B2N_MODE_MEM && in->imm == 0) {
			f->family = B2N_F_STX;
			return 0;
		}
		if ((code & 0xe0) == B2N_MODE_ATOMIC && (f->size == 4 || f->size == 8)) {
			f->is64 = f->size == 8;
			for (size_t i = 0; i < B2N_ARRAY_LEN(b2n_atomic_table); i++) {
				int32_t imm = b2n_atomic_table[i].imm;
				if (in->imm == imm || ((imm & B2N_ATOMIC_FETCH) == 0 &&
				                       in->imm == (imm | B2N_ATOMIC_FETCH))) {
					f->family = B2N_F_ATOMIC;
					f->op = (int)i;
					f->fetch = (in->imm & B2N_ATOMIC_FETCH) != 0;
					return 0;
				}
			}
		}
		return -1;
	}
	return -1;
}

/* Host byte order, detected portably at compile time where possible. */
static inline int b2n_host_is_big_endian(void)
{
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b == 0;
}

/* Decode one 8-byte wire instruction.  big_endian selects the bpfeb layout
 * (dst in the high nibble, off/imm big-endian). */
static inline struct b2n_insn b2n_insn_decode(const unsigned char *p, int big_endian)
{
	struct b2n_insn in;
	in.code = p[0];
	if (big_endian) {
		in.dst = p[1] >> 4;
		in.src = p[1] & 0xf;
		in.off = (int16_t)(uint16_t)((p[2] << 8) | p[3]);
		in.imm = (int32_t)(((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
		                   ((uint32_t)p[6] << 8) | p[7]);
	} else {
		in.dst = p[1] & 0xf;
		in.src = p[1] >> 4;
		in.off = (int16_t)(uint16_t)(p[2] | (p[3] << 8));
		in.imm = (int32_t)(p[4] | ((uint32_t)p[5] << 8) | ((uint32_t)p[6] << 16) |
		                   ((uint32_t)p[7] << 24));
	}
	return in;
}

static inline void b2n_insn_encode(const struct b2n_insn *in, unsigned char *p, int big_endian)
{
	uint16_t off = (uint16_t)in->off;
	uint32_t imm = (uint32_t)in->imm;
	p[0] = in->code;
	if (big_endian) {
		p[1] = (uint8_t)((in->dst << 4) | (in->src & 0xf));
		p[2] = (uint8_t)(off >> 8);
		p[3] = (uint8_t)off;
		p[4] = (uint8_t)(imm >> 24);
		p[5] = (uint8_t)(imm >> 16);
		p[6] = (uint8_t)(imm >> 8);
		p[7] = (uint8_t)imm;
	} else {
		p[1] = (uint8_t)((in->src << 4) | (in->dst & 0xf));
		p[2] = (uint8_t)off;
		p[3] = (uint8_t)(off >> 8);
		p[4] = (uint8_t)imm;
		p[5] = (uint8_t)(imm >> 8);
		p[6] = (uint8_t)(imm >> 16);
		p[7] = (uint8_t)(imm >> 24);
	}
}

#endif
