/*
 * bad_refs.c - programs the ELF reader must refuse (for now) with one
 * precise diagnostic.  Compiled once per CASE; elf_read_test "error" checks
 * the message.  Map and data references come with the maps issue.
 */
#include "progs.h"

#define SEC(x) __attribute__((section(x), used))
#define NOINLINE __attribute__((noinline))

#if CASE == 1 /* legacy "maps" section */
struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, flags;
};
struct bpf_map_def SEC("maps") legacy_map = {1, 4, 8, 16, 0};
SEC("xdp") long use_legacy_map(struct elf_ctx *c)
{
	return (long)&legacy_map + c->w[0];
}
#elif CASE == 2 /* BTF-style ".maps" */
struct {
	int *type;
	int *max_entries;
} btf_map SEC(".maps");
SEC("tc") long use_btf_map(struct elf_ctx *c)
{
	return (long)&btf_map + c->w[1];
}
#elif CASE == 3 /* static data: a section symbol plus an offset */
static unsigned long long first_counter, second_counter;
SEC("socket") long bump(struct elf_ctx *c)
{
	first_counter += c->w[2];
	second_counter += c->w[3];
	return (long)second_counter;
}
#elif CASE == 4 /* read-only data */
static const unsigned int table[8] = {3, 1, 4, 1, 5, 9, 2, 6};
SEC("xdp") long lookup(struct elf_ctx *c)
{
	return table[c->w[0] & 7];
}
#elif CASE == 5 /* call to an undefined (extern) function */
extern long ext_fn(long x);
SEC("xdp") long call_extern(struct elf_ctx *c)
{
	return ext_fn(c->w[0]) + 1;
}
#elif CASE == 6 /* global data in a subprogram reached from .text */
unsigned long long global_total;
NOINLINE unsigned long long add_total(unsigned long long x)
{
	global_total += x;
	return global_total;
}
SEC("xdp") long via_text(struct elf_ctx *c)
{
	return (long)add_total(c->q[0]) + 1;
}
#endif
