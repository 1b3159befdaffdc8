/*
 * xdp_bytes.bpf.c - XDP through the copying helpers instead of direct
 * access: bpf_xdp_get_buff_len, bpf_xdp_load_bytes (the headers, and the
 * frame's last 4 bytes at a computed offset), bpf_xdp_store_bytes (an
 * IPv4 TTL decrement with its checksum folded by hand); then a cpumap
 * redirect by the source MAC's low bit (the application fills CPU 0 only,
 * so the other half gets the default action).  Errors are counted by code.
 */
#include "pkt_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __u64);
} byte_errs SEC(".maps");

enum { B_LEN, B_TAILSUM, B_TTL, B_REDIR, B_MAX };
PKT_ARRAY(byte_stats, B_MAX, __u64);

static __always_inline int bad(long err)
{
	if (err) {
		__s32 e = (__s32)err;
		pkt_hash_add(&byte_errs, &e, 1);
	}
	return err != 0;
}

SEC("xdp")
int xdp_bytes(struct xdp_md *ctx)
{
	__u8 hdr[34];
	__u32 len = (__u32)bpf_xdp_get_buff_len(ctx);

	pkt_add(&byte_stats, B_LEN, len);
	if (len >= 4) {
		__u8 tail[4];
		if (!bad(bpf_xdp_load_bytes(ctx, len - 4, tail, 4)))
			pkt_add(&byte_stats, B_TAILSUM, tail[0] + tail[1] + tail[2] + tail[3]);
	}
	if (bad(bpf_xdp_load_bytes(ctx, 0, hdr, sizeof(hdr))))
		return XDP_PASS;
	if (hdr[12] == 0x08 && hdr[13] == 0x00 && hdr[14 + 8] > 1) {
		struct iphdr *ip = (void *)(hdr + 14);
		__u16 old = *(__u16 *)&ip->ttl;
		ip->ttl--;
		pkt_csum_replace2(&ip->check, old, *(__u16 *)&ip->ttl);
		if (!bad(bpf_xdp_store_bytes(ctx, 14 + 8, &ip->ttl, 1)) &&
		    !bad(bpf_xdp_store_bytes(ctx, 14 + 10, &ip->check, 2)))
			pkt_add(&byte_stats, B_TTL, 1);
	}
	long ret = bpf_redirect_map(&cpus, hdr[11] & 1, XDP_PASS);
	if (ret == XDP_REDIRECT)
		pkt_add(&byte_stats, B_REDIR, 1);
	return ret;
}

char _license[] SEC("license") = "GPL";
