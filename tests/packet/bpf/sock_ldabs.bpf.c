/*
 * sock_ldabs.bpf.c - a classic socket filter written with LD_ABS/LD_IND
 * (clang's llvm.bpf.load.* intrinsics).  In the kernel's test run the
 * packet of a socket filter starts at the network header (the Ethernet
 * header is pulled, as on a receiving socket).  IPv4: keep UDP to port 53
 * whole, cut TCP to 64 bytes, read a TCP option word at a variable offset
 * (a load past the end ends the program with 0, as LD_ABS does), drop the
 * rest; counts per decision go to an array (before the loads that may
 * abort).
 */
#include "pkt_bpf.h"

enum { L_SEEN, L_NOTIP, L_UDP, L_DNS, L_TCP, L_TCP_OPT, L_OTHER, L_MAX };
PKT_ARRAY(ld_stats, L_MAX, __u64);
PKT_ARRAY(src_hi, 256, __u64);

SEC("socket")
int sock_ldabs(struct __sk_buff *skb)
{
	pkt_add(&ld_stats, L_SEEN, 1);
	if (skb->protocol != bpf_htons(ETH_P_IP)) {
		pkt_add(&ld_stats, L_NOTIP, 1);
		return 0;
	}
	__u64 vihl = load_byte(skb, 0);
	if ((vihl >> 4) != 4)
		return 0;
	__u64 hl = (vihl & 0xf) * 4;
	__u64 proto = load_byte(skb, 9);
	__u64 src = load_word(skb, 12);
	pkt_add(&src_hi, (__u32)(src >> 24), 1);
	if (proto == IPPROTO_UDP) {
		pkt_add(&ld_stats, L_UDP, 1);
		if (load_half(skb, hl + 2) == 53) {
			pkt_add(&ld_stats, L_DNS, 1);
			return 0xffff;
		}
		return 0;
	}
	if (proto == IPPROTO_TCP) {
		pkt_add(&ld_stats, L_TCP, 1);
		__u64 doff = load_byte(skb, hl + 12) >> 4;
		if (doff > 5) {
			/* First option word, at a computed offset (LD_IND). */
			__u64 opt = load_word(skb, hl + 20);
			pkt_add(&ld_stats, L_TCP_OPT, opt >> 24 == 2);
		}
		return 64;
	}
	pkt_add(&ld_stats, L_OTHER, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
