/*
 * ldabs.bpf.c - a classic socket filter with LD_ABS / LD_IND (clang's
 * llvm.bpf.load.byte/half/word intrinsics): it accepts IPv4 UDP packets
 * to port 53 and returns a checksum of header words otherwise (so that
 * every width is exercised), 0 when a load leaves the packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int ldabs_filter(struct __sk_buff *skb)
{
	if (load_half(skb, 12) != 0x0800) /* ethertype: IPv4 */
		return (int)(load_word(skb, 0) ^ load_byte(skb, 5)) & 0x7fff;
	unsigned long long ihl = (load_byte(skb, 14) & 0xf) * 4;
	if (load_byte(skb, 23) != 17) /* UDP */
		return 1;
	if (load_half(skb, 14 + ihl + 2) == 53)
		return -1; /* accept the whole packet */
	return (int)(load_word(skb, 14 + ihl) & 0xffff) + 2;
}

char LICENSE[] SEC("license") = "GPL";
