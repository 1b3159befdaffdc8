/*
 * libb2n.h - the application API of the bpf2native runtime, libbpf-like.
 *
 * An application gets a compiled object either statically (the descriptor
 * symbol b2n_object_<name> emitted by the compiler, see abi.h; the
 * generated skeleton does this for you) or from a shared object made with
 * ld.lld (b2n_object__open_file).  Opening creates the maps and copies the
 * initial global data (so .rodata can be changed before load, as with
 * libbpf); loading binds them to the code, fills prog_array/map-in-map
 * initial slots, freezes read-only data maps and checks that every helper
 * the code calls is implemented.  Programs then run
 * synchronously in the calling thread.
 *
 * Conventions (as libbpf 1.x): functions returning int return 0 or a
 * negative errno; functions returning a pointer return NULL and set errno.
 * Messages go to a replaceable print callback.  Maps follow the kernel's
 * semantics and error codes (-ENOENT, -EEXIST, -E2BIG, -EINVAL, BPF_ANY /
 * BPF_NOEXIST / BPF_EXIST, BPF_F_LOCK).
 *
 * Per-CPU maps: a "CPU" is a slot; each thread that runs programs is given
 * a slot on first use, round-robin over b2n_num_possible_cpus() slots
 * (default: the number of configured processors; environment variable
 * B2N_NR_CPUS overrides it).  User-space lookups of per-CPU maps copy all
 * slots, each value rounded up to 8 bytes, as the kernel does.
 */
#ifndef BPF2NATIVE_LIBB2N_H
#define BPF2NATIVE_LIBB2N_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf2native/abi.h>
#include <bpf2native/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

struct b2n_object;
struct b2n_program;
struct b2n_map;

/* ---- messages ----------------------------------------------------------- */
enum b2n_rt_print_level { B2N_RT_WARN, B2N_RT_INFO, B2N_RT_DEBUG };
typedef int (*b2n_rt_print_fn)(enum b2n_rt_print_level level, const char *fmt, va_list ap);
B2N_API b2n_rt_print_fn b2n_rt_set_print(b2n_rt_print_fn fn);

/* ---- objects ------------------------------------------------------------ */
struct b2n_object_open_opts {
	size_t sz;
	/* open_file: name of the object inside the shared object (its
	 * descriptor symbol is b2n_object_<name>); default: the file name up
	 * to its first '.', with non [A-Za-z0-9_] characters as '_'. */
	const char *object_name;
};

B2N_API struct b2n_object *b2n_object__open(const struct b2n_abi_object *desc,
                                            const struct b2n_object_open_opts *opts);
B2N_API struct b2n_object *b2n_object__open_file(const char *path,
                                                 const struct b2n_object_open_opts *opts);
B2N_API int b2n_object__load(struct b2n_object *obj);
B2N_API void b2n_object__close(struct b2n_object *obj);
B2N_API const char *b2n_object__name(const struct b2n_object *obj);
B2N_API struct b2n_program *b2n_object__find_program_by_name(const struct b2n_object *obj,
                                                             const char *name);
B2N_API struct b2n_map *b2n_object__find_map_by_name(const struct b2n_object *obj,
                                                     const char *name);
/* Iterate: pass NULL to get the first. */
B2N_API struct b2n_program *b2n_object__next_program(const struct b2n_object *obj,
                                                     const struct b2n_program *prev);
B2N_API struct b2n_map *b2n_object__next_map(const struct b2n_object *obj,
                                             const struct b2n_map *prev);

/* ---- programs ----------------------------------------------------------- */
B2N_API const char *b2n_program__name(const struct b2n_program *prog);
B2N_API const char *b2n_program__section_name(const struct b2n_program *prog);
/* A small integer naming the program, as a prog_array value (like a prog fd). */
B2N_API int b2n_program__fd(const struct b2n_program *prog);
/* Run with r1 = ctx.  Returns 0 and stores r0 in *retval, or -errno. */
B2N_API int b2n_program__run(const struct b2n_program *prog, void *ctx, uint64_t *retval);

/* enum bpf_prog_type of the program's context (B2N_PROG_* of ctx.h). */
B2N_API uint32_t b2n_program__type(const struct b2n_program *prog);

/* Run a program over a packet, as the kernel's BPF_PROG_TEST_RUN does
 * (libbpf's bpf_prog_test_run_opts; the first fields mirror it).  For XDP
 * the packet gets the kernel's 256 bytes of headroom and its tailroom, for
 * tc and socket filters an skb whose fields follow the kernel's test run
 * (protocol from the Ethernet header, ifindex 1, ...; ctx_in may set
 * mark, priority, cb[], ... in the UAPI struct __sk_buff / xdp_md layout).
 * data_out receives the packet as the program left it (data_size_out: its
 * length, as the kernel reports it even when the buffer is too small:
 * then -ENOSPC).  repeat > 1 runs it that many times and duration is the
 * mean ns per run.  For other program types ctx_in is passed as r1 and
 * data_in is not allowed.  Returns 0 or -errno; retval is r0. */
struct b2n_test_run_opts {
	size_t sz;
	const void *data_in;
	void *data_out;
	uint32_t data_size_in;
	uint32_t data_size_out;
	const void *ctx_in;
	void *ctx_out;
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;
	uint32_t retval;
	int repeat;
	uint32_t duration;
	uint32_t flags;
	uint32_t cpu;
	uint32_t batch_size;
	/* bpf2native: the target of the last redirect (bpf_redirect or
	 * bpf_redirect_map), when retval is XDP_REDIRECT / TC_ACT_REDIRECT.
	 * redirect_map is NULL for bpf_redirect; redirect_ifindex is the
	 * device the map slot holds (devmap) or the ifindex argument. */
	const struct b2n_map *redirect_map;
	uint32_t redirect_key;
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
};
B2N_API int b2n_program__test_run(const struct b2n_program *prog,
                                  struct b2n_test_run_opts *opts);

/* ---- maps --------------------------------------------------------------- */
B2N_API const char *b2n_map__name(const struct b2n_map *map);
B2N_API uint32_t b2n_map__type(const struct b2n_map *map);
B2N_API uint32_t b2n_map__key_size(const struct b2n_map *map);
B2N_API uint32_t b2n_map__value_size(const struct b2n_map *map);
B2N_API uint32_t b2n_map__max_entries(const struct b2n_map *map);
B2N_API uint32_t b2n_map__map_flags(const struct b2n_map *map);
/* A small integer naming the map, as a map-in-map value (like a map fd). */
B2N_API int b2n_map__fd(const struct b2n_map *map);
/* Global-data maps (.data, .rodata, .bss, ...): the live section contents
 * after load (the initial contents before), and their size. */
B2N_API void *b2n_map__data(const struct b2n_map *map, size_t *size);

B2N_API int b2n_map__lookup_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 void *value, size_t value_sz, uint64_t flags);
B2N_API int b2n_map__update_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 const void *value, size_t value_sz, uint64_t flags);
B2N_API int b2n_map__delete_elem(const struct b2n_map *map, const void *key, size_t key_sz,
                                 uint64_t flags);
B2N_API int b2n_map__lookup_and_delete_elem(const struct b2n_map *map, const void *key,
                                            size_t key_sz, void *value, size_t value_sz,
                                            uint64_t flags);
B2N_API int b2n_map__get_next_key(const struct b2n_map *map, const void *cur_key,
                                  void *next_key, size_t key_sz);

/* Batch operations, with the kernel's cursor semantics: in_batch NULL
 * starts from the beginning; *count is in/out; -ENOENT when the end was
 * reached (with *count entries still returned). */
struct b2n_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};
B2N_API int b2n_map__lookup_batch(const struct b2n_map *map, void *in_batch, void *out_batch,
                                  void *keys, void *values, uint32_t *count,
                                  const struct b2n_map_batch_opts *opts);
B2N_API int b2n_map__lookup_and_delete_batch(const struct b2n_map *map, void *in_batch,
                                             void *out_batch, void *keys, void *values,
                                             uint32_t *count,
                                             const struct b2n_map_batch_opts *opts);
B2N_API int b2n_map__update_batch(const struct b2n_map *map, const void *keys,
                                  const void *values, uint32_t *count,
                                  const struct b2n_map_batch_opts *opts);
B2N_API int b2n_map__delete_batch(const struct b2n_map *map, const void *keys,
                                  uint32_t *count, const struct b2n_map_batch_opts *opts);

B2N_API int b2n_num_possible_cpus(void);

/* ---- ring buffer consumer (libbpf's ring_buffer__*) --------------------- */
struct b2n_ring_buffer;
typedef int (*b2n_ring_buffer_sample_fn)(void *ctx, void *data, size_t size);
struct b2n_ring_buffer_opts {
	size_t sz;
};
B2N_API struct b2n_ring_buffer *b2n_ring_buffer__new(struct b2n_map *map,
                                                     b2n_ring_buffer_sample_fn sample_cb,
                                                     void *ctx,
                                                     const struct b2n_ring_buffer_opts *opts);
B2N_API int b2n_ring_buffer__add(struct b2n_ring_buffer *rb, struct b2n_map *map,
                                 b2n_ring_buffer_sample_fn sample_cb, void *ctx);
/* Returns the number of records consumed, or -errno. */
B2N_API int b2n_ring_buffer__poll(struct b2n_ring_buffer *rb, int timeout_ms);
B2N_API int b2n_ring_buffer__consume(struct b2n_ring_buffer *rb);
B2N_API void b2n_ring_buffer__free(struct b2n_ring_buffer *rb);

/* ---- helper output ------------------------------------------------------ */
/* Sink of bpf_trace_printk (default: stderr). */
typedef void (*b2n_trace_sink_fn)(void *ctx, const char *msg, size_t len);
B2N_API void b2n_set_trace_printk_sink(b2n_trace_sink_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
