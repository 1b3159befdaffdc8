/*
 * runtime_internal.h - private helpers shared by the runtime's .c files.
 *
 * Only portable C11 lives here: byte swaps written with shifts (the compiler
 * recognises them and emits the target's swap instruction where it has one)
 * and unaligned-safe memory accesses through memcpy, optionally in the byte
 * order opposite to the host's.  Nothing here is exported from the library:
 * every function is static inline, and the library is built with
 * -fvisibility=hidden anyway.
 */
#ifndef BPF2NATIVE_RUNTIME_INTERNAL_H
#define BPF2NATIVE_RUNTIME_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <bpf2native/runtime.h>

static inline uint16_t b2n_rt_bswap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static inline uint32_t b2n_rt_bswap32(uint32_t v)
{
	return ((v & 0x000000ffu) << 24) | ((v & 0x0000ff00u) << 8) | ((v & 0x00ff0000u) >> 8) |
	       ((v & 0xff000000u) >> 24);
}

static inline uint64_t b2n_rt_bswap64(uint64_t v)
{
	return ((uint64_t)b2n_rt_bswap32((uint32_t)v) << 32) | b2n_rt_bswap32((uint32_t)(v >> 32));
}

/* Swap the low `bytes` bytes of v (1, 2, 4 or 8); the result is truncated to
 * that width, zero-extended. */
static inline uint64_t b2n_rt_swap_width(uint64_t v, int bytes)
{
	switch (bytes) {
	case 1:
		return (uint8_t)v;
	case 2:
		return b2n_rt_bswap16((uint16_t)v);
	case 4:
		return b2n_rt_bswap32((uint32_t)v);
	default:
		return b2n_rt_bswap64(v);
	}
}

/* Truncate v to `bytes` bytes, zero-extended. */
static inline uint64_t b2n_rt_trunc(uint64_t v, int bytes)
{
	return bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

/* Load `bytes` bytes at p as an unsigned value; swap when `swap` is set
 * (the emulated byte order differs from the host's). */
static inline uint64_t b2n_rt_load(const void *p, int bytes, int swap)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	uint64_t b64;
	switch (bytes) {
	case 1:
		memcpy(&b8, p, 1);
		return b8;
	case 2:
		memcpy(&b16, p, 2);
		return swap ? b2n_rt_bswap16(b16) : b16;
	case 4:
		memcpy(&b32, p, 4);
		return swap ? b2n_rt_bswap32(b32) : b32;
	default:
		memcpy(&b64, p, 8);
		return swap ? b2n_rt_bswap64(b64) : b64;
	}
}

/* Store the low `bytes` bytes of v at p, swapped when `swap` is set. */
static inline void b2n_rt_store(void *p, int bytes, uint64_t v, int swap)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	switch (bytes) {
	case 1:
		b8 = (uint8_t)v;
		memcpy(p, &b8, 1);
		break;
	case 2:
		b16 = (uint16_t)v;
		if (swap)
			b16 = b2n_rt_bswap16(b16);
		memcpy(p, &b16, 2);
		break;
	case 4:
		b32 = (uint32_t)v;
		if (swap)
			b32 = b2n_rt_bswap32(b32);
		memcpy(p, &b32, 4);
		break;
	default:
		if (swap)
			v = b2n_rt_bswap64(v);
		memcpy(p, &v, 8);
		break;
	}
}

/* Sign-extend the low `bits` bits of v to 64 bits. */
static inline uint64_t b2n_rt_sext(uint64_t v, int bits)
{
	uint64_t m;
	if (bits >= 64)
		return v;
	m = UINT64_C(1) << (bits - 1);
	v &= (UINT64_C(1) << bits) - 1;
	return (v ^ m) - m;
}

/* ======================================================================
 * Objects, programs and maps (issue #3).  Everything below is shared by
 * object.c (loader, registry of fds), map*.c (one file per map family),
 * ringbuf.c and helpers_*.c.
 * ====================================================================== */
#include <pthread.h>

#include <bpf2native/abi.h>
#include <bpf2native/libb2n.h>

/* Kernel uapi values (enum bpf_map_type, update flags, map_flags). */
enum {
	B2N_MAP_HASH = 1,
	B2N_MAP_ARRAY = 2,
	B2N_MAP_PROG_ARRAY = 3,
	B2N_MAP_PERCPU_HASH = 5,
	B2N_MAP_PERCPU_ARRAY = 6,
	B2N_MAP_LRU_HASH = 9,
	B2N_MAP_LRU_PERCPU_HASH = 10,
	B2N_MAP_LPM_TRIE = 11,
	B2N_MAP_ARRAY_OF_MAPS = 12,
	B2N_MAP_HASH_OF_MAPS = 13,
	B2N_MAP_DEVMAP = 14,
	B2N_MAP_CPUMAP = 16,
	B2N_MAP_XSKMAP = 17,
	B2N_MAP_QUEUE = 22,
	B2N_MAP_STACK = 23,
	B2N_MAP_RINGBUF = 27,
	B2N_MAP_DEVMAP_HASH = 25,
};
#define B2N_ANY 0
#define B2N_NOEXIST 1
#define B2N_EXIST 2
#define B2N_F_LOCK 4
#define B2N_F_NO_PREALLOC (1U << 0)
#define B2N_F_NO_COMMON_LRU (1U << 1)
#define B2N_F_RDONLY (1U << 3)
#define B2N_F_WRONLY (1U << 4)
#define B2N_F_ZERO_SEED (1U << 6)
#define B2N_F_RDONLY_PROG (1U << 7)
#define B2N_F_WRONLY_PROG (1U << 8)
#define B2N_F_MMAPABLE (1U << 10)
#define B2N_F_INNER_MAP (1U << 12)

struct b2n_map;
typedef int (*b2n_map_iter_fn)(struct b2n_map *m, void *key, void *value, void *ctx);

/* One table of operations per map family.  "Program side" operations are
 * what helpers call (values in place, this CPU's slot of per-CPU maps);
 * "user side" ones copy (all CPU slots of per-CPU maps, each rounded up to
 * 8 bytes).  A NULL operation means the map type does not support it
 * (-EOPNOTSUPP / -EINVAL as the kernel answers). */
struct b2n_map_ops {
	int (*create)(struct b2n_map *m); /* validate attributes (-EINVAL, -E2BIG), allocate */
	void (*destroy)(struct b2n_map *m);
	/* program side */
	void *(*lookup)(struct b2n_map *m, const void *key);
	long (*update)(struct b2n_map *m, const void *key, const void *value, uint64_t flags);
	long (*delete)(struct b2n_map *m, const void *key);
	long (*push)(struct b2n_map *m, const void *value, uint64_t flags);
	long (*pop)(struct b2n_map *m, void *value, int peek);
	/* visits elements until fn returns non-zero; returns the number visited */
	long (*for_each)(struct b2n_map *m, b2n_map_iter_fn fn, void *ctx);
	/* user side */
	int (*lookup_user)(struct b2n_map *m, const void *key, void *value, uint64_t flags);
	int (*update_user)(struct b2n_map *m, const void *key, const void *value, uint64_t flags);
	int (*delete_user)(struct b2n_map *m, const void *key);
	int (*get_next_key)(struct b2n_map *m, const void *key, void *next_key);
};

struct b2n_map {
	const struct b2n_map_ops *ops;
	struct b2n_object *obj; /* owner, or NULL */
	char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	int32_t spin_lock_off; /* struct bpf_spin_lock in the value, or -1 */
	int fd;                /* registry id (b2n_map__fd) */
	struct b2n_map *inner; /* map-in-map: template of the inner maps */
	int frozen;            /* user-side writes refused (-EPERM): .rodata
	                          maps after load, as libbpf freezes them */
	void *priv;            /* the family's data */
};

struct b2n_program {
	struct b2n_object *obj;
	const struct b2n_abi_prog *desc;
	int fd;
};

/* map.c: create a map (validates type and attributes; -EINVAL for an
 * unsupported type or flag, -E2BIG etc. as the kernel), destroy it, and
 * the registry of map/program ids shared with object.c. */
int b2n_rt_map_create(const char *name, uint32_t type, uint32_t key_size, uint32_t value_size,
                      uint32_t max_entries, uint32_t map_flags, int32_t spin_lock_off,
                      struct b2n_map *inner_template, struct b2n_map **out);
void b2n_rt_map_destroy(struct b2n_map *m);
struct b2n_map *b2n_rt_map_by_fd(int fd);
int b2n_rt_prog_register(struct b2n_program *p); /* assigns p->fd */
void b2n_rt_prog_unregister(struct b2n_program *p);
struct b2n_program *b2n_rt_prog_by_fd(int fd);
/* Copy a map value honouring the embedded spin lock (never copies the lock
 * itself), and take/release the value's lock (BPF_F_LOCK). */
void b2n_rt_value_copy(const struct b2n_map *m, void *dst, const void *src);
void b2n_rt_value_lock(const struct b2n_map *m, void *value);
void b2n_rt_value_unlock(const struct b2n_map *m, void *value);

/* ringbuf.c: the BPF_MAP_TYPE_RINGBUF family; b2n_rt_map_create (map.c)
 * dispatches type B2N_MAP_RINGBUF to it. */
const struct b2n_map_ops *b2n_rt_ringbuf_ops(void);

/* map_array.c: the program in slot `index` of a prog_array, or NULL (used by
 * tail calls, issue #4). */
struct b2n_program *b2n_rt_prog_array_get(struct b2n_map *m, uint32_t index);

/* cpu.c: this thread's per-CPU slot and the number of slots. */
int b2n_rt_cpu(void);
int b2n_rt_ncpus(void);

/* object.c: messages through the replaceable print callback. */
void b2n_rt_pr(enum b2n_rt_print_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ======================================================================
 * Packet programs (issue #5): packet.c builds the kernel's test-run
 * buffers, helpers_pkt.c implements the packet helpers on them, map_dev.c
 * the redirect maps.
 * ====================================================================== */
#include <bpf2native/ctx.h>

/* ctx->priv of a native context built by b2n_program__test_run. */
struct b2n_pkt {
	uint32_t type;       /* B2N_PROG_* */
	unsigned char *head; /* the allocation (XDP: data_hard_start) */
	uint32_t cap;        /* its size in bytes */
	/* skb: data offset and length (linear), header offsets from head */
	uint32_t data, len;
	uint32_t mac, net;   /* B2N_PKT_UNSET when not set */
	uint32_t max_len;    /* dev mtu + hard_header_len */
	int sw_hash;         /* skb->sw_hash | l4_hash */
	int encap;           /* skb->encapsulation (skb_adjust_room) */
	int csum_unnecessary, csum_level; /* ip_summed CHECKSUM_UNNECESSARY
	                                     (else NONE), skb->csum_level */
	int csum_complete;   /* ip_summed CHECKSUM_COMPLETE, skb->csum valid */
	uint32_t csum;
	struct b2n_sk_buff *skb;
	/* xdp: the end of the frame the program may grow into, and the
	 * fragments of a multi-buffer packet (4096-byte pages, at most 17) */
	uint32_t frame_end;
	struct b2n_xdp_md *xdp;
	uint32_t nfrags, frags_size;
	struct {
		unsigned char *page;
		uint32_t size;
	} frags[17];
};
#define B2N_PKT_UNSET 0xffffffffu

/* The kernel's per-CPU bpf_redirect_info, here per thread: the last
 * bpf_redirect / bpf_redirect_map of the running program. */
struct b2n_rt_redirect {
	const struct b2n_map *map;
	uint32_t key, ifindex;
	uint64_t flags;
};
extern __thread struct b2n_rt_redirect b2n_rt_redirect_info;
/* B2N_PROG_* of the program running in this thread (b2n_program__run):
 * bpf_redirect (id 23) differs between XDP and tc. */
extern __thread uint32_t b2n_rt_cur_prog_type;
/* packet.c: make the skb's headroom at least `head` and tailroom at
 * least `tail` bytes (reallocating; ctx pointers are refreshed), and
 * refresh the ctx's len and data pointers from the b2n_pkt. */
int b2n_rt_skb_reserve(struct b2n_pkt *p, uint32_t head, uint32_t tail);
void b2n_rt_skb_sync(struct b2n_pkt *p);
/* helpers_pkt.c: the kernel's csum_partial (canonical 32-bit sum) */
uint32_t b2n_rt_csum_partial(const unsigned char *p, uint32_t len, uint32_t seed);
/* map_dev.c: the target of a redirect into slot `key`: 1 and the
 * ifindex (devmap) or CPU (cpumap) when the slot is set, else 0. */
int b2n_rt_dev_map_target(struct b2n_map *m, uint32_t key, uint32_t *ifindex);

/* Built-in helpers: uint64_t b2n_h_<name>(r1..r5), one per helpers.def line,
 * registered in b2n_helper_table by helpers.c. */
#define X(id, name, ...)                                                                                \
	uint64_t b2n_h_##name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
#include <bpf2native/helpers.def>
#undef X

/* Packet layout constants of the kernel's test run (packet.c, skb.c). */
#define PAGE_SZ 4096u
#define ETH_HLEN 14u
#define XDP_HEADROOM 256u
#define SHINFO_ROOM 320u     /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_HEADROOM 64u     /* NET_SKB_PAD + NET_IP_ALIGN (0 on x86_64) */
#define SKB_MAX_ALLOC 16064u /* SKB_WITH_OVERHEAD(PAGE_SIZE << 2): change_head/tail */
#define GSO_LEGACY_MAX 65536u
#define GSO_MAX_SEGS 65535u
#define XDP_UAPI_SIZE 24u
#define SKB_UAPI_SIZE 192u
#define F_TEST_SKB_CHECKSUM_COMPLETE (1u << 2)
#define F_TEST_XDP_LIVE_FRAMES (1u << 1)
#define SKF_NET_OFF (-0x100000)
#define SKF_LL_OFF (-0x200000)

#endif
