/*
 * bad_refs.c - references the ELF reader must refuse with one precise
 * diagnostic naming the program, section and instruction.  Compiled once
 * per CASE (clang -g0: no BTF); elf_read_test "error" checks the message.
 * (Accepted map and data references are tested in tests/elfmaps.)
 */
#include "progs.h"

#define SEC(x) __attribute__((section(x), used))
#define NOINLINE __attribute__((noinline))

#if CASE == 1 /* legacy "maps" section, a map type the runtime lacks */
struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, flags;
};
struct bpf_map_def SEC("maps") legacy_map = {4 /* perf_event_array */, 4, 4, 16, 0};
SEC("xdp") long use_legacy_map(struct elf_ctx *c)
{
	return (long)&legacy_map + c->w[0];
}
#elif CASE == 2 /* BTF-style ".maps" without BTF */
struct {
	int *type;
	int *max_entries;
} btf_map SEC(".maps");
SEC("tc") long use_btf_map(struct elf_ctx *c)
{
	return (long)&btf_map + c->w[1];
}
#elif CASE == 3 /* an extern variable */
extern unsigned long long ext_counter;
SEC("socket") long bump(struct elf_ctx *c)
{
	ext_counter += c->w[2];
	return (long)ext_counter;
}
#elif CASE == 4 /* legacy array map with an 8-byte key */
struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, flags;
};
struct bpf_map_def SEC("maps") table = {2, 8, 4, 16, 0};
SEC("xdp") long lookup(struct elf_ctx *c)
{
	return (long)&table + c->w[0];
}
#elif CASE == 5 /* call to an undefined (extern) function */
extern long ext_fn(long x);
SEC("xdp") long call_extern(struct elf_ctx *c)
{
	return ext_fn(c->w[0]) + 1;
}
#elif CASE == 6 /* a variable in a section that is no data section */
unsigned long long global_total SEC("mydata");
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
