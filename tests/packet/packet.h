/*
 * packet.h - what the packet test driver (driver.c), its two back ends
 * (be_kernel.c: libbpf and the live kernel; be_b2n.c: libb2n and the
 * natively compiled objects) and the packet generator (pktgen.c) share.
 *
 * The driver owns everything that must be identical on both sides: the
 * cases, the maps they fill, the packets, the context they pass and the
 * canonical text it prints.  A back end only opens and loads an object,
 * finds programs and maps, updates/looks up/iterates maps and runs one
 * packet through BPF_PROG_TEST_RUN or b2n_program__test_run.  Handles are
 * opaque; errors are negative errno values.
 */
#ifndef PACKET_H
#define PACKET_H

#include <stddef.h>
#include <stdint.h>

/* The corpus: one object per bpf/<name>.bpf.c. */
#define PKT_OBJECTS(X)                                                                             \
	X(flow_table)                                                                              \
	X(ipip_encap)                                                                              \
	X(lpm_filter)                                                                              \
	X(nat44)                                                                                   \
	X(parse_count)                                                                             \
	X(percpu_sizes)                                                                            \
	X(port_filter)                                                                             \
	X(redirect_dev)                                                                            \
	X(sock_ldabs)                                                                              \
	X(sock_rel)                                                                                \
	X(tail_dispatch)                                                                           \
	X(tail_trim)                                                                               \
	X(tc_encap)                                                                                \
	X(tc_fields)                                                                               \
	X(tc_rewrite)                                                                              \
	X(tc_vlan)                                                                                 \
	X(vlan_tag)                                                                                \
	X(xdp_bytes)                                                                               \
	X(xdp_meta)                                                                                \
	X(xdp_reflect)                                                                             \
	X(xdp_xsk)

/* ---- packets (pktgen.c) ---------------------------------------------------- */
int pktgen_count(void);
/* Writes packet i into buf (cap bytes, zeroed first) and returns its length. */
size_t pktgen_make(int i, unsigned char *buf, size_t cap);
#define PKT_MAX 4096

/* ---- back ends ------------------------------------------------------------- */
struct pb_obj;
struct pb_prog;
struct pb_map;

struct pb_run {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out; /* in: capacity; out: the packet's length */
	const void *ctx_in;     /* NULL: none */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out; /* in: capacity; out: length */
	uint32_t retval;
	int repeat; /* 0 or 1: once */
};

extern const char *const pb_backend_name;
/* Global setup (argv[0]-independent); returns 0, or 77 with *why set when
 * this back end cannot run here (no bpf()). */
int pb_init(const char *objdir, const char **why);
struct pb_obj *pb_open(const char *name, char *err, size_t errsz);
/* A program of the object that this back end refused to load (the kernel
 * back end loads what it can, see tests/common/kload.h): its name, with
 * the reason in why; NULL when every program loaded. */
const char *pb_refused(struct pb_obj *obj, const char **why);
void pb_close(struct pb_obj *obj);
struct pb_prog *pb_find_prog(struct pb_obj *obj, const char *name);
struct pb_map *pb_find_map(struct pb_obj *obj, const char *name);
int pb_prog_fd(struct pb_prog *prog);
uint32_t pb_map_type(struct pb_map *map);
uint32_t pb_map_key_size(struct pb_map *map);
uint32_t pb_map_value_size(struct pb_map *map);
int pb_ncpus(void);
/* Per-CPU maps: values of pb_ncpus() slots, each rounded up to 8 bytes. */
int pb_map_update(struct pb_map *map, const void *key, const void *val);
int pb_map_lookup(struct pb_map *map, const void *key, void *val);
int pb_map_next_key(struct pb_map *map, const void *key, void *next);
int pb_test_run(struct pb_prog *prog, struct pb_run *run);

#endif
