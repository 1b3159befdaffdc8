/*
 * ctx.h - the native contexts of packet programs (issue #5).
 *
 * The kernel's verifier rewrites every context access of a program
 * (convert_ctx_accesses): a load of `struct xdp_md.data` (a __u32 in BPF)
 * becomes a load of the real xdp_buff->data pointer.  bpf2native does the
 * same in its analysis pass (frontend/ctx.c), which tracks the registers
 * and stack slots that hold the ctx pointer and rewrites each access
 * against the native layouts below.  The layouts are chosen so that the
 * rewrite is small:
 *
 *  - A native context starts with the UAPI struct byte for byte (its
 *    scalar fields in the target's byte order), so a load or store of a
 *    scalar field, narrow or not, keeps its offset and size.
 *  - The fields that are pointers at run time (data, data_end, data_meta)
 *    are 32-bit in the UAPI struct but 64-bit here: the pass rewrites a
 *    4-byte load of one of them into an 8-byte load at B2N_*_PTR_OFF.  The
 *    32-bit UAPI words themselves stay 0.
 *  - A private pointer at the end belongs to the runtime (the packet
 *    buffer's bounds for adjust_head/tail, the redirect record, ...).
 *
 * All six targets are LP64, so these offsets hold on every target; the
 * runtime checks them with _Static_assert.
 *
 * The program type comes from the ELF section name as libbpf reads it
 * ("xdp*", "tc*"/"classifier*", "action*", "socket*"), or from
 * `bpf2native --prog-type` for asm/raw input.  Other program types keep
 * an opaque ctx that the pass does not rewrite (plain memory).
 */
#ifndef BPF2NATIVE_CTX_H
#define BPF2NATIVE_CTX_H

#include <stdint.h>

/* Program types with a native context (values of enum bpf_prog_type). */
#define B2N_PROG_UNSPEC 0
#define B2N_PROG_SOCKET_FILTER 1
#define B2N_PROG_SCHED_CLS 3
#define B2N_PROG_SCHED_ACT 4
#define B2N_PROG_XDP 6

/* struct xdp_md as the program sees it, then the real pointers. */
struct b2n_xdp_md {
	uint32_t data;      /* UAPI words, unused (0): loads are rewritten */
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
	/* 24: */
	unsigned char *data_ptr;
	unsigned char *data_end_ptr;
	unsigned char *data_meta_ptr;
	/* 48: runtime-private (frame bounds, redirect record) */
	void *priv;
};
#define B2N_XDP_UAPI_SIZE 24
#define B2N_XDP_DATA_PTR_OFF 24
#define B2N_XDP_DATA_END_PTR_OFF 32
#define B2N_XDP_DATA_META_PTR_OFF 40

/* struct __sk_buff (UAPI, 192 bytes) as the program sees it, then the
 * real pointers.  Pointer-valued UAPI fields other than data, data_end and
 * data_meta (flow_keys, sk) are never readable by the program types here
 * and stay 0. */
struct b2n_sk_buff {
	uint32_t len;             /* 0 */
	uint32_t pkt_type;        /* 4 */
	uint32_t mark;            /* 8 */
	uint32_t queue_mapping;   /* 12 */
	uint32_t protocol;        /* 16: the __be16 as stored, zero-extended */
	uint32_t vlan_present;    /* 20 */
	uint32_t vlan_tci;        /* 24 */
	uint32_t vlan_proto;      /* 28 */
	uint32_t priority;        /* 32 */
	uint32_t ingress_ifindex; /* 36 */
	uint32_t ifindex;         /* 40 */
	uint32_t tc_index;        /* 44 */
	uint32_t cb[5];           /* 48 */
	uint32_t hash;            /* 68 */
	uint32_t tc_classid;      /* 72 */
	uint32_t data;            /* 76: unused, loads rewritten */
	uint32_t data_end;        /* 80: unused, loads rewritten */
	uint32_t napi_id;         /* 84 */
	uint32_t family;          /* 88 */
	uint32_t remote_ip4;      /* 92 */
	uint32_t local_ip4;       /* 96 */
	uint32_t remote_ip6[4];   /* 100 */
	uint32_t local_ip6[4];    /* 116 */
	uint32_t remote_port;     /* 132 */
	uint32_t local_port;      /* 136 */
	uint32_t data_meta;       /* 140: unused, loads rewritten */
	uint64_t flow_keys;       /* 144 */
	uint64_t tstamp;          /* 152 */
	uint32_t wire_len;        /* 160 */
	uint32_t gso_segs;        /* 164 */
	uint64_t sk;              /* 168 */
	uint32_t gso_size;        /* 176 */
	uint8_t tstamp_type;      /* 180 */
	uint8_t pad[3];
	uint64_t hwtstamp;        /* 184 */
	/* 192: */
	unsigned char *data_ptr;
	unsigned char *data_end_ptr;
	unsigned char *data_meta_ptr;
	/* 216: runtime-private (buffer bounds, redirect record) */
	void *priv;
};
#define B2N_SKB_UAPI_SIZE 192
#define B2N_SKB_DATA_PTR_OFF 192
#define B2N_SKB_DATA_END_PTR_OFF 200
#define B2N_SKB_DATA_META_PTR_OFF 208

/* LD_ABS / LD_IND (socket filters and tc): the compiled code calls this
 * runtime function with the skb context (r6), the packet offset and the
 * size (1, 2 or 4).  It stores the bytes read in network order as a host
 * value (the kernel's ntohs/ntohl) in *val and returns 0, or returns -1
 * when the access leaves the packet: then the program exits with r0 = 0,
 * as the kernel's LD_ABS does. */
int b2n_ld_pkt(const struct b2n_sk_buff *skb, int64_t off, uint32_t size, uint64_t *val);

#endif
