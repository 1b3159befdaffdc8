/* xdp_pcap.h - what the XDP program (xdp_pcap.bpf.c), the application
 * (main.c), the kernel checker (kernel_check.c) and the pcap generator
 * (gen_pcap.c) share: the map value types, the slots of the per-protocol
 * statistics array, the rules the application installs, and the report.
 *
 * The report (report.c) is printed the same way by the application, which
 * runs the program natively through libb2n, and by the kernel checker, which
 * runs the same program in the kernel through BPF_PROG_TEST_RUN: both hand
 * it the verdict of every packet, a hash of the packets as the program left
 * them, and map accessors, so that their outputs can be compared with diff.
 * Hash maps are printed in sorted key order (the kernel's and libb2n's
 * iteration orders differ).  Plain C types whose sizes agree between BPF and
 * every 64-bit target. */
#ifndef XDP_PCAP_H
#define XDP_PCAP_H

/* Slots of the proto_stats array: packets and bytes seen per protocol. */
#define XP_STATS(X)                                                                                \
	X(ETH, "eth")                                                                              \
	X(VLAN, "vlan")                                                                            \
	X(ARP, "arp")                                                                              \
	X(IPV4, "ipv4")                                                                            \
	X(IPV6, "ipv6")                                                                            \
	X(TCP, "tcp")                                                                              \
	X(UDP, "udp")                                                                              \
	X(ICMP, "icmp")                                                                            \
	X(ICMPV6, "icmpv6")                                                                        \
	X(FRAG, "ipv4-fragment")                                                                   \
	X(OTHER, "other")                                                                          \
	X(MALFORMED, "malformed")
#define XP_ENUM(id, name) XP_STAT_##id,
enum { XP_STATS(XP_ENUM) XP_NSTATS };
#undef XP_ENUM

struct xp_counter {
	unsigned long long packets;
	unsigned long long bytes;
};

/* Rules: UDP to XP_ECHO_PORT is answered in place (MACs swapped, XDP_TX);
 * TCP to XP_REDIRECT_PORT + k (k < XP_NPORTS) goes to tx_ports[k]
 * (bpf_redirect_map, XDP_PASS when the slot is empty). */
#define XP_ECHO_PORT 7
#define XP_REDIRECT_PORT 8080
#define XP_NPORTS 4

#ifndef __bpf__
#include <stddef.h>
#include <stdint.h>

/* The maps as report.c reads them: the caller's lookup and get_next_key
 * (0 or negative errno, as libbpf and libb2n). */
struct xp_map_ops {
	void *ctx;
	int (*lookup)(void *ctx, const char *map, const void *key, void *value);
	int (*next_key)(void *ctx, const char *map, const void *key, void *next);
};

struct xp_report {
	unsigned long packets;
	unsigned long verdicts[5];   /* XDP_ABORTED .. XDP_REDIRECT */
	unsigned long long out_hash; /* FNV-1a over every packet as left */
	unsigned long out_bytes;
};

/* Calls fn on every packet of a pcap file (libpcap: pcap_open_offline,
 * pcap_next_ex; Ethernet only), until fn returns non-zero, which is
 * returned.  0 at the end of the file; -errno, with a message, on a read
 * error. */
int xp_for_each_packet(const char *path,
                       int (*fn)(void *ctx, const unsigned char *pkt, unsigned len), void *ctx);
void xp_report_packet(struct xp_report *r, unsigned verdict, const void *pkt, size_t len);
/* Prints the report; -errno if a map could not be read. */
int xp_report_print(const struct xp_report *r, const struct xp_map_ops *ops);
/* The rules the application and the kernel checker install; update is
 * called once per entry with the map's name. */
int xp_fill_maps(void *ctx,
                 int (*update)(void *ctx, const char *map, const void *key, const void *value));
#endif

#endif
