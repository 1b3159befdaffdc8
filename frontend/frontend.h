/*
 * frontend.h - the one internal header of frontend/, and the seam to lower/.
 *
 * The frontend turns an input (BPF ELF object, raw bytecode, or assembly
 * text) into a struct b2n_input: a list of programs, each a self-contained
 * array of normalised instructions (see <bpf2native/isa.h>) whose local
 * calls are resolved to instruction indexes inside the same array.  This is
 * all that lower/ ever sees of the input: no libelf or libbpf type crosses
 * the seam, and no LLVM type comes back.
 *
 * Errors follow libbpf: functions return a negative errno and report one
 * line through b2n_diag()/b2n_err(), which go to a replaceable callback.
 */
#ifndef B2N_FRONTEND_H
#define B2N_FRONTEND_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bpf2native/abi.h>
#include <bpf2native/isa.h>

#define B2N_HIDDEN __attribute__((visibility("hidden")))

/* ---- diagnostics -------------------------------------------------------- */

enum b2n_print_level { B2N_WARN, B2N_INFO, B2N_DEBUG };
typedef int (*b2n_print_fn)(enum b2n_print_level level, const char *fmt, va_list ap);
/* Replace the sink of every diagnostic; returns the previous one. */
b2n_print_fn b2n_set_print(b2n_print_fn fn);
void b2n_pr(enum b2n_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "FILE: error: MESSAGE" */
void b2n_err(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- programs ----------------------------------------------------------- */

/* A function inside a program: the entry (index 0) or a local-call target. */
struct b2n_func {
	size_t start, end; /* instruction range [start, end) */
	char *name;        /* symbol name when known, else "sub_<start>" */
	/* Filled by b2n_prog__verify (verify.c): */
	uint32_t stack_depth; /* bytes below r10 that the function uses, exactly
	                         as the kernel verifier derives it */
	uint32_t chain_depth; /* combined depth of the deepest call chain that
	                         starts here (each frame rounded up to 16, as the
	                         kernel's check_max_stack_depth does for JITed
	                         programs since 6.10) */
	int calls_tail;       /* the function contains a bpf_tail_call */
	/* Filled by b2n_prog__safety (absint.c): */
	int reads_uninit_stack; /* may read stack bytes it never wrote (the
	                           kernel allows it to privileged programs): the
	                           lowering zeroes the frame */
};

/* Relocation kinds attached to an instruction (filled by the ELF reader;
 * consumed by lower/ in the maps issue). */
enum b2n_reloc_kind { B2N_RELOC_NONE = 0, B2N_RELOC_MAP, B2N_RELOC_DATA };

struct b2n_prog {
	char *name;          /* program name: ELF function symbol, or "prog" */
	char *section;       /* ELF section name, or NULL for asm/raw input */
	char *symbol;        /* native symbol: b2n_<object>__<name> */
	struct b2n_insn *insns;
	size_t ninsns;
	struct b2n_func *funcs; /* filled by b2n_prog__check; funcs[0] = entry */
	size_t nfuncs;
	char **lines;           /* optional per-insn "file.c:LINE" (BTF), or NULL */
	int verified;           /* b2n_prog__verify succeeded: funcs[] depths valid */
	uint32_t type;          /* B2N_PROG_* of <bpf2native/ctx.h>: from the ELF
	                           section (elf.c) or --prog-type; 0 = opaque ctx */
};

enum b2n_input_kind { B2N_IN_AUTO, B2N_IN_ELF, B2N_IN_RAW, B2N_IN_ASM };

/* Initial value of one prog_array / map-in-map slot (BTF ".values"),
 * naming the program or map it holds. */
struct b2n_slot_init {
	uint32_t slot;
	char *target;   /* program name (prog_array) or map name (map-in-map) */
};

/* A map of the object: BTF-defined (.maps), legacy ("maps" section), or the
 * internal map of a global-data section (.data, .rodata*, .bss, .data.*),
 * which is a one-element array whose value is the section. Field meanings
 * follow <bpf2native/abi.h>, which is how the compiler emits them. */
struct b2n_map_def {
	char *name;      /* map name, or the section name for global data */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	int inner_map;   /* index in obj->maps of the inner-map template, -1 */
	uint32_t flags;  /* B2N_MAPF_* of abi.h */
	unsigned char *init_data; /* initial value bytes (data sections), or NULL */
	size_t init_size;
	struct b2n_slot_init *init_slots;
	size_t ninit_slots;
	int spin_lock_off; /* offset of struct bpf_spin_lock in the value (from
	                      BTF), or -1 */
};

struct b2n_input {
	char *path;      /* input file as the user named it */
	char *name;      /* sanitised object name used in symbols */
	enum b2n_input_kind kind;
	int big_endian;  /* byte order of the data the programs touch (ELF), or
	                    -1 when the input has none (asm, raw): then the
	                    target's order is used */
	struct b2n_prog *progs;
	size_t nprogs;
	struct b2n_map_def *maps; /* maps[i] is what lddw src=MAP_IDX imm=i means */
	size_t nmaps;
	char *license;            /* "license" section, or NULL */
	unsigned char *btf;       /* raw .BTF section (for skeletons), or NULL */
	size_t btf_size;
};

/* Map and data references inside programs use the kernel's "index" pseudo
 * forms, so that no relocation survives the frontend:
 *   lddw src=B2N_PSEUDO_MAP_IDX imm=i             -> handle of obj->maps[i]
 *   lddw src=B2N_PSEUDO_MAP_IDX_VALUE imm=i, off  -> &value of maps[i] + off
 *                                                    (off in the 2nd slot's imm)
 *   lddw src=B2N_PSEUDO_FUNC imm=rel              -> address of the function
 *                                                    starting at idx+1+rel
 *                                                    (bpf_loop callbacks) */

/* ---- entry points ------------------------------------------------------- */

/* Options for opening an input.  Options structs start with sz. */
struct b2n_open_opts {
	size_t sz;
	enum b2n_input_kind kind;   /* B2N_IN_AUTO: by ELF magic, then by
	                               extension (.bin/.raw = raw, else asm) */
	int raw_big_endian;         /* raw input in bpfeb encoding */
	const char *object_name;    /* overrides the name derived from path */
	const char *prog_name;      /* name of the single asm/raw program */
	int allow_uninit;           /* accept reads of never-written registers
	                               (as uBPF-style runtimes zero them) */
	uint32_t prog_type;         /* B2N_PROG_* (ctx.h) of the asm/raw
	                               program (--prog-type); 0 = opaque ctx.
	                               ELF programs take theirs from the
	                               section name ... */
	int unsafe;                 /* --unsafe: structural checks only, no
	                               safety pass (trusted code) */
	int force_prog_type;        /* ... unless this is set: then every
	                               program gets prog_type (e.g. 0 for an
	                               object whose "xdp" sections do not hold
	                               kernel XDP programs) */
};

/* Read and check an input.  On success returns 0 and *out owns everything;
 * on failure prints one diagnostic and returns a negative errno. */
int b2n_input__open(const char *path, const struct b2n_open_opts *opts,
                     struct b2n_input **out);
/* The same from len bytes in memory (copied); path names the input in
 * diagnostics and, as for a file, decides the kind when opts->kind is
 * B2N_IN_AUTO.  Used by the fuzzers of tests/fuzz. */
int b2n_input__open_mem(const char *path, const void *data, size_t len,
                        const struct b2n_open_opts *opts, struct b2n_input **out);
void b2n_input__free(struct b2n_input *obj);

/* elf.c: ELF relocatable objects (libelf).  Fills obj->progs unchecked. */
int b2n_elf__read(struct b2n_input *obj, const void *buf, size_t len);

/* asm.c: assembly text in the bpf_conformance dialect.  If the text holds
 * "-- name" section markers (a conformance .data file), only the "-- asm"
 * section is read.  On success *insns is malloc'd.  Errors name path:line. */
int b2n_asm__parse(const char *path, const char *text, struct b2n_insn **insns,
                   size_t *ninsns);

/* disasm.c: one instruction (two slots for lddw) in the same dialect.
 * Jump/call targets are printed as relative offsets ("+3", "-1") so that
 * the text re-assembles to identical bytes.  Returns the number of chars
 * written (like snprintf). */
int b2n_disasm__insn(const struct b2n_insn *insns, size_t n, size_t idx, char *buf,
                     size_t len);
/* Whole program, one instruction per line, with labels for jump targets
 * when with_labels is set. */
void b2n_disasm__prog(const struct b2n_insn *insns, size_t n, FILE *out, int with_labels);

/* check.c: structural checks of a program (unknown opcode, bad register,
 * jump out of range or into an lddw, truncated lddw, falling off the end,
 * call to nowhere) and discovery of its functions.  Reports one diagnostic
 * naming the object, program, instruction index and disassembly. */
int b2n_prog__check(const struct b2n_input *obj, struct b2n_prog *prog);

/* Whether helper `id` is in <bpf2native/helpers.def>, and the option that
 * lets unknown ids through to be resolved at load time. */
int b2n_helper_known(int32_t id);
/* "bpf_fib_lookup#69", as the kernel's verifier names a helper in its
 * messages ("unknown#N" past the UAPI list); returns buf. */
const char *b2n_helper_desc(int32_t id, char *buf, size_t len);
extern int b2n_allow_unknown_helpers;

/* verify.c: the analysis pass ("our verifier"), run after b2n_prog__check:
 * CFG and reachability of every function, stack depth derived from
 * r10-relative accesses (also through copies of r10, constant offsets
 * added to them, and such pointers spilled to the stack and reloaded), and
 * the kernel's rejections (stack access outside [-512, 0) or beyond the
 * 512-byte budget of a call chain, reads of never-written registers, call
 * depth above 8, tail calls from subprograms whose callers use too much
 * stack).  Fills funcs[].stack_depth/chain_depth/calls_tail.  Returns 0, or
 * -EINVAL after one b2n_diag line. */
struct b2n_verify_opts {
	size_t sz;
	int allow_uninit; /* do not reject reads of never-written registers */
	int entry_args;   /* registers r1..rN written at program entry: 1 for
	                     kernel programs (ctx), 2 for asm/raw input, whose
	                     native ABI passes r2 (the conformance suite puts the
	                     memory length there) */
};
int b2n_prog__verify(const struct b2n_input *obj, struct b2n_prog *prog,
                     const struct b2n_verify_opts *opts);

/* absint.c: the safety pass (issue #10), run after b2n_prog__verify and
 * before b2n_prog__ctx: a path-sensitive abstract interpreter that proves
 * every memory access in bounds for its pointer kind (stack, ctx fields,
 * map values and keys, packet within the proven range, ring-buffer
 * records), no NULL or scalar dereference, helper arguments of the right
 * kinds and sizes (<bpf2native/helpers.def>), and every reference
 * released.  Returns 0, or -EACCES after one b2n_diag line in the
 * kernel's wording. */
int b2n_prog__safety(const struct b2n_input *obj, struct b2n_prog *prog,
                     const struct b2n_verify_opts *opts);

/* ctx.c: the context pass (issue #5), run after b2n_prog__verify for
 * programs whose type has a native context (prog->type != 0).  Tracks
 * which registers and stack slots hold the ctx pointer (also across local
 * calls), rejects an access the program type does not allow, a modified
 * or ambiguous ctx pointer, or an atomic on ctx, with one b2n_diag line,
 * and rewrites the accepted accesses in place against the native layouts
 * of <bpf2native/ctx.h> (as the kernel's convert_ctx_accesses does).
 * Returns 0 or -EINVAL. */
int b2n_prog__ctx(const struct b2n_input *obj, struct b2n_prog *prog);
/* Program type of an ELF section name, as libbpf reads it; 0 if none. */
uint32_t b2n_prog_type_of_section(const char *section);
/* Program type of a --prog-type name (xdp, tc, sched_cls, sched_act,
 * socket, socket_filter, none); returns 0 and sets *type, or -EINVAL. */
int b2n_prog_type_by_name(const char *name, uint32_t *type);
/* Whether programs of this type may use LD_ABS/LD_IND (the kernel's
 * may_access_skb: socket filters, tc classifiers and actions). */
int b2n_prog_type_has_skb(uint32_t type);

/* scalar.c: the verifier's value domain (issue #10): a tnum (each bit
 * known 0, known 1 or unknown) with unsigned and signed bounds of the
 * 64-bit value and of its low 32 bits, kept consistent with each other.
 * Every function returns a scalar that contains every concrete result. */
struct b2n_tnum {
	uint64_t value, mask; /* value & mask == 0 */
};
struct b2n_scalar {
	struct b2n_tnum t;
	uint64_t umin, umax;
	int64_t smin, smax;
	uint32_t u32min, u32max;
	int32_t s32min, s32max;
};
struct b2n_scalar b2n_scalar_unknown(void);
struct b2n_scalar b2n_scalar_const(uint64_t v);
int b2n_scalar_is_const(const struct b2n_scalar *s);
int b2n_scalar_contains(const struct b2n_scalar *s, uint64_t v);
/* The smallest scalar containing both, and whether `in` is inside `out`
 * (for joins at merge points and state pruning). */
struct b2n_scalar b2n_scalar_join(const struct b2n_scalar *a, const struct b2n_scalar *b);
int b2n_scalar_within(const struct b2n_scalar *in, const struct b2n_scalar *out);
/* A scalar containing both, whose bounds that moved from old to nw are
 * pushed to their extremes: a chain of widenings is finite (loops). */
struct b2n_scalar b2n_scalar_widen(const struct b2n_scalar *old, const struct b2n_scalar *nw);
/* dst OP src for ALU64 (is64) or ALU (32-bit, result zero-extended);
 * unary operations ignore src (MOV and MOVSX read src only). */
struct b2n_scalar b2n_scalar_alu(enum b2n_alu_op op, int is64, const struct b2n_scalar *dst,
                                 const struct b2n_scalar *src);
/* le/be/bswap of `width` bits; swap: whether it swaps bytes on the target. */
struct b2n_scalar b2n_scalar_end(enum b2n_end_op op, int width, int swap,
                                 const struct b2n_scalar *a);
/* Narrow a and b to the pairs for which `a OP b` (JMP: 64 bits, JMP32: the
 * low 32) is `taken`; returns -1 when no pair is, else 0. */
int b2n_scalar_branch(enum b2n_jcc_op op, int is64, int taken, struct b2n_scalar *a,
                      struct b2n_scalar *b);

/* Diagnostic about one instruction:
 * "PATH: error: program NAME (SECTION): insn IDX `DISASM`: MESSAGE [at file.c:LINE]" */
void b2n_diag(const struct b2n_input *obj, const struct b2n_prog *prog, size_t idx,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* util */
char *b2n_strdup(const char *s);
char *b2n_sanitize(const char *s); /* [A-Za-z0-9_] only, malloc'd */
void *b2n_xcalloc(size_t n, size_t sz);
int b2n_read_file(const char *path, unsigned char **buf, size_t *len);
/* Write the output file: "-" is stdout; a regular or new file is written
 * atomically (temporary file + rename, nothing left on error); a device,
 * FIFO or terminal is written in place.  0, or -errno after one b2n_err. */
int b2n_write_output(const char *path, const void *data, size_t len);
/* Levenshtein distance (for "did you mean"); (size_t)-1 past 64 chars. */
size_t b2n_edit_distance(const char *a, const char *b);

/* ==== ELF frontend internals: elf.c <-> elf_maps.c (owner: elfmaps) ====
 * elf.c reads sections, symbols and code; elf_maps.c reads what the code
 * refers to (maps of .maps and "maps", global-data sections, license, BTF,
 * .BTF.ext line info) and resolves lddw relocations into the index forms
 * above.  No libelf type crosses: the Elf handle is passed opaque. */
struct Elf;
struct b2n_elf_sym {
	const char *name;
	unsigned type, bind;
	size_t shndx; /* resolved section index (SHN_XINDEX followed) */
	uint64_t value, size;
};
struct b2n_elf_view {
	struct b2n_input *obj;
	struct Elf *elf;
	int be;
	size_t shnum, shstrndx, symtab;
	const struct b2n_elf_sym *syms;
	size_t nsyms;
};
struct b2n_elf_maps; /* state of elf_maps.c */
/* Fill obj->maps, obj->license, obj->btf.  Errors that make the object
 * unreadable are reported here; errors of one map (unsupported type, bad
 * sizes) are kept and reported at the first instruction that uses the map,
 * or by b2n_elf_maps__finish.  *out is set even on error (free it). */
int b2n_elf_maps__read(const struct b2n_elf_view *v, struct b2n_elf_maps **out);
/* The lddw relocated against symbol sym (lddw imm = imm): on success sets
 * *src (B2N_PSEUDO_MAP_IDX or _VALUE), *idx (map index) and *off (value
 * offset).  On failure returns a negative errno with a message in why. */
int b2n_elf_maps__ref(struct b2n_elf_maps *m, size_t sym, int32_t imm, uint8_t *src,
                      int32_t *idx, int32_t *off, char *why, size_t whylen);
/* After all programs: report a bad map no instruction referred to. */
int b2n_elf_maps__finish(struct b2n_elf_maps *m);
/* "file.c:LINE" of byte offset insn_off in code section shndx, or NULL. */
const char *b2n_elf_maps__line(const struct b2n_elf_maps *m, size_t shndx, uint64_t insn_off);
void b2n_elf_maps__free(struct b2n_elf_maps *m);
/* ==== end of ELF frontend internals ==== */

#endif
