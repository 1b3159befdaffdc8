/*
 * abi.h - what a native object compiled by bpf2native carries, as the
 * runtime's loader reads it.
 *
 * For every input object the compiler emits one constant descriptor,
 * `const struct b2n_abi_object b2n_object_<object>`, next to the code.  It
 * lists the maps (BTF-defined, legacy, and the internal maps that hold
 * .data/.rodata/.bss and custom data sections, with their initial bytes),
 * the programs with their entry points, and the helper ids the code calls.
 * Two writable arrays belong to the object: map_slots[i] receives the
 * runtime's map handle of map i, and value_slots[i] the address of element
 * 0 of array maps (global data).  Compiled code reads these slots for every
 * map reference (lddw src=MAP_IDX) and global-data reference (lddw
 * src=MAP_IDX_VALUE), so nothing of the BPF object is needed at run time.
 *
 * All structs use only pointers and fixed-width integers in natural order,
 * so LLVM's layout of the emitted constants equals the C compiler's layout
 * on every target.  Bump B2N_ABI_VERSION on any change.
 */
#ifndef BPF2NATIVE_ABI_H
#define BPF2NATIVE_ABI_H

#include <stdint.h>

#define B2N_ABI_VERSION 2

/* b2n_abi_map.flags */
#define B2N_MAPF_DATA 0x1           /* internal map of a global-data section */
#define B2N_MAPF_RODATA 0x2         /* ... read-only (.rodata*) */
#define B2N_MAPF_BSS 0x4            /* ... zero-initialised (.bss) */
#define B2N_MAPF_INNER_TEMPLATE 0x8 /* only a template for map-in-map values */
#define B2N_MAPF_LEGACY 0x10        /* defined in the legacy "maps" section */

/* Initial content of a prog_array or map-in-map slot (BTF .values). */
struct b2n_abi_slot_init {
	uint32_t slot;
	uint32_t target; /* program index (prog_array) or map index (map-in-map) */
};

struct b2n_abi_map {
	const char *name;
	uint32_t type; /* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	int32_t inner_map; /* index of the inner map template, -1 if none */
	uint32_t flags;    /* B2N_MAPF_* */
	uint32_t init_size;
	const void *init_data; /* initial bytes (global data), NULL if none */
	const struct b2n_abi_slot_init *init_slots;
	uint32_t ninit_slots;
	int32_t spin_lock_off; /* offset of struct bpf_spin_lock in the value, -1 */
};

/* Normal entry of a program: r1 = ctx, r2 as given. */
typedef uint64_t (*b2n_abi_entry_fn)(void *ctx, uint64_t r2);

struct b2n_abi_prog {
	const char *name;
	const char *section;
	b2n_abi_entry_fn entry;
	void *tail_entry;     /* tail-call entry (issue #4); NULL until then */
	uint32_t stack_depth; /* derived stack depth, 0 when not derived */
	uint32_t prog_type;   /* B2N_PROG_* of <bpf2native/ctx.h> (enum
	                         bpf_prog_type): the native ctx layout the
	                         code was rewritten for; 0 = opaque ctx */
};

struct b2n_abi_object {
	uint32_t abi_version; /* B2N_ABI_VERSION */
	uint32_t big_endian;  /* byte order of the data layouts */
	const char *name;
	const char *license;
	const struct b2n_abi_map *maps;
	uint32_t nmaps;
	uint32_t nprogs;
	const struct b2n_abi_prog *progs;
	void **map_slots;   /* [nmaps], filled by the loader */
	void **value_slots; /* [nmaps], filled by the loader */
	const uint32_t *helpers; /* helper ids called by the code */
	uint32_t nhelpers;
	uint32_t reserved;
};

#endif
