/*
 * tail_trim.bpf.c - XDP bpf_xdp_adjust_tail: a sampler that cuts packets
 * longer than 128 bytes to 128, pads runts to 64 bytes (the kernel zeroes
 * grown tail space) and marks the last pad byte, and for every fifth
 * packet probes a 1 KiB growth whose result (0 or an error, then shrunk
 * back) depends on the frame's tailroom.  Results go to a hash by error
 * code and lengths before/after to an array.
 */
#include "pkt_bpf.h"

PKT_ARRAY(trim_stats, 4, __u64);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __u64);
} results SEC(".maps");

static __always_inline void note(long err)
{
	__s32 e = (__s32)err;
	pkt_hash_add(&results, &e, 1);
}

SEC("xdp")
int tail_trim(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	long len = end - data;
	long err;

	__u8 *b14 = data + 14, *b20 = data + 20;
	int probe = 0;
	if ((void *)(b20 + 1) <= end)
		probe = *b20 % 5 == 0;
	else if ((void *)(b14 + 1) <= end)
		probe = *b14 % 5 == 0;
	if (probe) {
		err = bpf_xdp_adjust_tail(ctx, 1024);
		note(err);
		if (!err) {
			err = bpf_xdp_adjust_tail(ctx, -1024);
			note(err);
		}
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	len = end - data;
	if (len > 128) {
		err = bpf_xdp_adjust_tail(ctx, (int)(128 - len));
		note(err);
		pkt_add(&trim_stats, 0, 1);
	} else if (len < 64) {
		err = bpf_xdp_adjust_tail(ctx, (int)(64 - len));
		note(err);
		if (err)
			return XDP_DROP;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		__u8 *last = data + 63;
		if ((void *)(last + 1) > end)
			return XDP_ABORTED;
		*last = 0xa5;
		pkt_add(&trim_stats, 1, 1);
	} else {
		pkt_add(&trim_stats, 2, 1);
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	pkt_add(&trim_stats, 3, (__u64)(end - data));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
