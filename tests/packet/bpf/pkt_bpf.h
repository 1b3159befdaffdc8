/*
 * pkt_bpf.h - what the packet programs of tests/packet share: the UAPI
 * headers (no vmlinux.h; not linux/icmp.h, which includes libc), a VLAN header (the UAPI has none),
 * counters and byte-order-neutral checksum folding.
 *
 * Every program is compiled for bpfel and bpfeb and must give the same
 * map contents as integers either way.  So: multi-byte packet fields are
 * compared with bpf_htons()/bpf_htonl() constants or converted with
 * bpf_ntohs()/bpf_ntohl() before they are stored as integers; raw
 * checksum partial sums never reach a map (only their folded 16-bit value
 * reaches the packet, where the ones' complement sum is byte-order
 * independent when loaded and stored in the machine's own order).
 * No header bit-fields (iphdr ihl/version, tcphdr doff/flags): the UAPI
 * headers lay them out by the host's asm/byteorder.h, which is wrong for
 * bpfeb when compiled on a little-endian host; PKT_IHL() and friends read
 * the bytes instead.
 */
#ifndef PKT_BPF_H
#define PKT_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vlanhdr {
	__be16 tci;
	__be16 proto;
};

/* Bit-field-free header accessors (see above). */
#define PKT_IHL(ip) (*(const __u8 *)(ip)&0xf)
#define PKT_IPVER(ip) (*(const __u8 *)(ip) >> 4)
#define PKT_TCP_FLAGS(th) (((const __u8 *)(th))[13])
#define PKT_TH_FIN 0x01
#define PKT_TH_SYN 0x02
#define PKT_TH_ACK 0x10

/* The first word of ICMP/ICMPv6 (linux/icmp.h pulls in libc's socket.h). */
struct icmpw {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 seq;
};
#define PKT_ICMP_ECHOREPLY 0
#define PKT_ICMP_ECHO 8
#define IP_MF 0x2000
#define IP_DF 0x4000
#define IP_OFFSET 0x1fff

#define PKT_ARRAY(name, n, vtype)                                                                  \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, n);                                                            \
		__type(key, __u32);                                                                \
		__type(value, vtype);                                                              \
	} name SEC(".maps")

#define PKT_PERCPU_ARRAY(name, n, vtype)                                                           \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                           \
		__uint(max_entries, n);                                                            \
		__type(key, __u32);                                                                \
		__type(value, vtype);                                                              \
	} name SEC(".maps")

/* array[k] += by (a missing slot is ignored: k is always in range here). */
static __always_inline void pkt_add(void *map, __u32 k, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(map, &k);
	if (v)
		__sync_fetch_and_add(v, by);
}

/* hash[k] += by, creating the entry; returns the update error (0). */
static __always_inline long pkt_hash_add(void *map, const void *k, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(map, k);
	if (v) {
		__sync_fetch_and_add(v, by);
		return 0;
	}
	return bpf_map_update_elem(map, k, &by, BPF_NOEXIST);
}

/* Fold a 32-bit ones' complement sum to 16 bits and complement it. */
static __always_inline __u16 pkt_csum_fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* RFC 1624 incremental update of *sum for one 16-bit word (all three in
 * the machine's order, as loaded from the packet). */
static __always_inline void pkt_csum_replace2(__u16 *sum, __u16 old, __u16 new)
{
	__u64 s = (__u16) ~*sum;
	s += (__u16)~old;
	s += new;
	*sum = pkt_csum_fold(s);
}

static __always_inline void pkt_csum_replace4(__u16 *sum, __u32 old, __u32 new)
{
	__u64 s = (__u16) ~*sum;
	s += (__u16) ~(__u16)(old >> 16);
	s += (__u16) ~(__u16)old;
	s += (__u16)(new >> 16);
	s += (__u16) new;
	*sum = pkt_csum_fold(s);
}

/* LD_ABS / LD_IND (socket filters): clang's BPF intrinsics. */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

#endif
