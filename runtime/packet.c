/*
 * packet.c - b2n_program__test_run: a packet program run over a buffer the
 * way the kernel's BPF_PROG_TEST_RUN builds it (net/bpf/test_run.c), and
 * b2n_ld_pkt, the LD_ABS/LD_IND load.
 *
 * (b2n_ld_pkt and the skb buffer helpers are in skb.c, so that the helper
 * table does not pull the object loader into every static link.)
 *
 * XDP (bpf_prog_test_run_xdp): one 4096-byte frame (the kernel's
 * PAGE_SIZE frag_size).  The packet starts after XDP_PACKET_HEADROOM (256
 * bytes) minus the metadata given in ctx_in, and the frame ends 320 bytes
 * before its end (SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on
 * x86_64): that tailroom bounds bpf_xdp_adjust_tail, the 40 bytes of
 * struct xdp_frame at the start bound adjust_head/adjust_meta.  Bytes
 * beyond the linear part (3520 bytes without metadata) go into fragments
 * of one 4096-byte page each (at most 17, else -ENOMEM), as the kernel
 * does even for programs without BPF_F_XDP_HAS_FRAGS: the program sees
 * the linear part between data and data_end, xdp_get_buff_len and
 * xdp_load/store_bytes see everything, adjust_tail grows into the last
 * fragment's page and shrinks fragments first.  ctx_in is a struct xdp_md (data_meta 0,
 * data = metadata length (a multiple of 4), data_end = data_size_in,
 * egress_ifindex 0); ingress_ifindex 0 means the loopback device (1) of
 * the kernel's test run, whose only rx queue is 0.  The kernel looks
 * other ingress_ifindex values up (-ENODEV for an unknown device, -EINVAL
 * for a queue it does not have): there are no devices here, so any other
 * value is given to the program as is.  A NULL data_in is -EFAULT.
 * data_out receives data_meta..data_end.
 *
 * tc and socket filters (bpf_prog_test_run_skb): the data is put after
 * NET_SKB_PAD (64) bytes of headroom, eth_type_trans() of the loopback
 * device gives protocol and pkt_type (dev_addr and broadcast are all
 * zero: a zero destination is PACKET_HOST, a multicast one
 * PACKET_MULTICAST, any other PACKET_OTHERHOST), the network header
 * follows the Ethernet header, and skb->data is at the MAC header for tc
 * and at the network header for socket filters (whose output then gets 14
 * zero bytes pushed in front, as the kernel does).  ctx_in is a struct
 * __sk_buff where only mark, priority, ingress_ifindex, ifindex, cb[],
 * tstamp, wire_len, gso_segs, gso_size and hwtstamp may be non-zero
 * (-EINVAL otherwise, as convert___skb_to_skb); wire_len must lie in
 * [len, GSO_LEGACY_MAX_SIZE], gso_segs <= GSO_MAX_SEGS.  An ifindex above
 * 1 names a device the kernel would look up (-ENODEV if absent): here it
 * is taken as is.  ctx_out gets back mark, priority, ingress_ifindex,
 * ifindex, tstamp, cb[], wire_len, gso_segs and hwtstamp.  The skb buffer
 * is reallocated when a helper grows it (packet pointers are invalidated
 * by such helpers in the kernel too); change_head/change_tail bound its
 * length by SKB_MAX_ALLOC (16064 on x86_64).  As the kernel (6.18) does,
 * an IPv4 packet shorter than 14 + 20 bytes and an IPv6 packet shorter
 * than 14 + 40 bytes are -EINVAL.
 *
 * BPF_F_TEST_SKB_CHECKSUM_COMPLETE sets skb->csum to the sum from the
 * network header to the end before the run; after it, a sum that no
 * longer matches (folded) is -EBADMSG with nothing written back.
 *
 * Common: data_size_out 0 means "no limit"; a larger packet than
 * data_size_out copies what fits and returns -ENOSPC with data_size_out
 * set to the full size, retval and duration set, ctx_out not written.
 * ctx_out that is too small is -ENOSPC too.  repeat runs the program that
 * many times on the same buffer (state carries over, as in the kernel);
 * duration is the mean in ns (CLOCK_MONOTONIC).  Error order follows the
 * kernel's: flags, sizes, data, ctx.  Program types without a native
 * context get ctx_in (copied, so ctx_out can receive it) as r1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime_internal.h"

_Static_assert(offsetof(struct b2n_xdp_md, data_ptr) == B2N_XDP_DATA_PTR_OFF, "xdp ctx");
_Static_assert(offsetof(struct b2n_xdp_md, data_end_ptr) == B2N_XDP_DATA_END_PTR_OFF, "xdp");
_Static_assert(offsetof(struct b2n_xdp_md, data_meta_ptr) == B2N_XDP_DATA_META_PTR_OFF, "xdp");
_Static_assert(offsetof(struct b2n_sk_buff, data_ptr) == B2N_SKB_DATA_PTR_OFF, "skb ctx");
_Static_assert(offsetof(struct b2n_sk_buff, data_end_ptr) == B2N_SKB_DATA_END_PTR_OFF, "skb");
_Static_assert(offsetof(struct b2n_sk_buff, data_meta_ptr) == B2N_SKB_DATA_META_PTR_OFF, "skb");
_Static_assert(offsetof(struct b2n_sk_buff, hwtstamp) == 184, "skb hwtstamp");

/* ---- common parts of the test run ------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* bpf_ctx_init: NULL ctx when neither ctx_in nor ctx_out is given. */
static int ctx_init(const struct b2n_test_run_opts *o, void *ctx, uint32_t max, int *have)
{
	*have = 0;
	if (!o->ctx_in && !o->ctx_out)
		return 0;
	*have = 1;
	memset(ctx, 0, max);
	if (o->ctx_in) {
		uint32_t n = o->ctx_size_in;
		if (n > PAGE_SZ)
			return -E2BIG;
		for (uint32_t i = max; i < n; i++)
			if (((const unsigned char *)o->ctx_in)[i])
				return -E2BIG;
		memcpy(ctx, o->ctx_in, n < max ? n : max);
	}
	return 0;
}

static int ctx_finish(struct b2n_test_run_opts *o, const void *ctx, uint32_t size)
{
	uint32_t n = size;
	int err = 0;
	if (!o->ctx_out)
		return 0;
	if (n > o->ctx_size_out) {
		n = o->ctx_size_out;
		err = -ENOSPC;
	}
	memcpy(o->ctx_out, ctx, n);
	o->ctx_size_out = size;
	return err;
}

/* bpf_test_finish */
static int data_finish(struct b2n_test_run_opts *o, const unsigned char *data, uint32_t size)
{
	uint32_t n = size;
	int err = 0;
	if (o->data_size_out && n > o->data_size_out) {
		n = o->data_size_out;
		err = -ENOSPC;
	}
	if (o->data_out)
		memcpy(o->data_out, data, n);
	o->data_size_out = size;
	return err;
}

/* bpf_test_finish of a multi-buffer XDP packet: a data_size_out below
 * the fragments' size is -ENOSPC before anything is written (retval,
 * duration and data_size_out stay as they were: 0 through libbpf);
 * otherwise the first data_size_out - frags_size bytes of the linear part
 * are followed by the fragments, cut at data_size_out. */
static int frags_finish(struct b2n_test_run_opts *o, const struct b2n_pkt *p,
                        const unsigned char *lin_data, uint32_t lin)
{
	uint32_t size = lin + p->frags_size, copy = size;
	int err = 0;
	if (o->data_size_out && copy > o->data_size_out) {
		copy = o->data_size_out;
		err = -ENOSPC;
	}
	if (o->data_out) {
		unsigned char *out = o->data_out;
		if (copy < p->frags_size) {
			o->retval = 0;
			o->duration = 0;
			return -ENOSPC;
		}
		uint32_t off = copy - p->frags_size;
		memcpy(out, lin_data, off);
		for (uint32_t i = 0; i < p->nfrags; i++) {
			if (off >= copy) {
				err = -ENOSPC;
				break;
			}
			uint32_t n = copy - off < p->frags[i].size ? copy - off : p->frags[i].size;
			memcpy(out + off, p->frags[i].page, n);
			off += n;
		}
	}
	o->data_size_out = size;
	return err;
}

static int run_repeat(const struct b2n_program *prog, void *ctx, struct b2n_test_run_opts *o)
{
	uint32_t repeat = o->repeat > 1 ? (uint32_t)o->repeat : 1;
	uint64_t r0 = 0, t0;
	int err = 0;
	memset(&b2n_rt_redirect_info, 0, sizeof(b2n_rt_redirect_info));
	t0 = now_ns();
	for (uint32_t i = 0; i < repeat && !err; i++)
		err = b2n_program__run(prog, ctx, &r0);
	if (err)
		return err;
	o->duration = (uint32_t)((now_ns() - t0) / repeat);
	o->retval = (uint32_t)r0;
	if (o->sz >= offsetof(struct b2n_test_run_opts, redirect_flags) + sizeof(uint64_t)) {
		o->redirect_map = b2n_rt_redirect_info.map;
		o->redirect_key = b2n_rt_redirect_info.key;
		o->redirect_ifindex = b2n_rt_redirect_info.ifindex;
		o->redirect_flags = b2n_rt_redirect_info.flags;
	}
	return 0;
}

/* ---- XDP ------------------------------------------------------------------- */

static int xdp_metalen_invalid(uint32_t len)
{
	return (len & 3) || len > 255;
}

static int test_run_xdp(const struct b2n_program *prog, struct b2n_test_run_opts *o)
{
	uint32_t md[XDP_UAPI_SIZE / 4];
	uint32_t size = o->data_size_in, headroom = XDP_HEADROOM, max_data;
	struct b2n_xdp_md ctx;
	struct b2n_pkt p;
	int have, err;

	if (o->flags & F_TEST_XDP_LIVE_FRAMES)
		return -EOPNOTSUPP;
	if (o->flags || o->batch_size)
		return -EINVAL;
	if (size < ETH_HLEN)
		return -EINVAL;
	if ((err = ctx_init(o, md, XDP_UAPI_SIZE, &have)))
		return err;
	if (have) {
		/* data, data_end, data_meta, ingress_ifindex, rx_queue, egress */
		if (md[2] || md[1] != size || md[0] > md[1] || xdp_metalen_invalid(md[0]))
			return -EINVAL;
		if (md[1] - md[0] < ETH_HLEN)
			return -EINVAL; /* the frame after the metadata needs an Ethernet header (6.18) */
		headroom -= md[0];
	}
	max_data = PAGE_SZ - headroom - SHINFO_ROOM;
	if (size > max_data)
		size = max_data; /* the rest goes into fragments */
	if (!o->data_in)
		return -EFAULT;
	if (have) {
		if (md[5])
			return -EINVAL;
		if (!md[3] && md[4])
			return -EINVAL;
		if (md[3] == 1 && md[4] >= 1)
			return -EINVAL; /* the loopback device has one rx queue */
	}
	memset(&p, 0, sizeof(p));
	p.type = B2N_PROG_XDP;
	p.cap = PAGE_SZ;
	p.frame_end = PAGE_SZ - SHINFO_ROOM;
	p.head = calloc(1, PAGE_SZ);
	if (!p.head)
		return -ENOMEM;
	memcpy(p.head + headroom, o->data_in, size);
	memset(&ctx, 0, sizeof(ctx));
	ctx.data_meta_ptr = p.head + headroom;
	ctx.data_ptr = ctx.data_meta_ptr + (have ? md[0] : 0);
	ctx.data_end_ptr = ctx.data_meta_ptr + size;
	ctx.ingress_ifindex = have && md[3] ? md[3] : 1;
	ctx.rx_queue_index = have ? md[4] : 0;
	ctx.priv = &p;
	p.xdp = &ctx;
	err = 0;
	for (uint32_t done = size; done < o->data_size_in && !err;) {
		uint32_t n = o->data_size_in - done < PAGE_SZ ? o->data_size_in - done : PAGE_SZ;
		if (p.nfrags == 17) {
			err = -ENOMEM; /* MAX_SKB_FRAGS */
			break;
		}
		if (!(p.frags[p.nfrags].page = calloc(1, PAGE_SZ))) {
			err = -ENOMEM;
			break;
		}
		memcpy(p.frags[p.nfrags].page, (const unsigned char *)o->data_in + done, n);
		p.frags[p.nfrags++].size = n;
		p.frags_size += n;
		done += n;
	}

	if (!err)
		err = run_repeat(prog, &ctx, o);
	if (!err) {
		uint32_t lin = (uint32_t)(ctx.data_end_ptr - ctx.data_meta_ptr);
		if (have) {
			md[0] = (uint32_t)(ctx.data_ptr - ctx.data_meta_ptr);
			md[1] = lin;
			md[2] = 0;
		}
		err = p.nfrags ? frags_finish(o, &p, ctx.data_meta_ptr, lin)
		               : data_finish(o, ctx.data_meta_ptr, lin);
		if (!err && have)
			err = ctx_finish(o, md, XDP_UAPI_SIZE);
	}
	for (uint32_t i = 0; i < p.nfrags; i++)
		free(p.frags[i].page);
	free(p.head);
	return err;
}

/* ---- tc and socket filters -------------------------------------------------- */

static int range_zero(const unsigned char *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (c[i])
			return 0;
	return 1;
}

#define OFF(f) offsetof(struct b2n_sk_buff, f)
#define END(f) (offsetof(struct b2n_sk_buff, f) + sizeof(((struct b2n_sk_buff *)0)->f))

/* convert___skb_to_skb: only the fields the kernel accepts may be set. */
static int skb_ctx_check(const struct b2n_sk_buff *c)
{
	const unsigned char *b = (const unsigned char *)c;
	if (!range_zero(b, 0, OFF(mark)) || !range_zero(b, END(mark), OFF(priority)) ||
	    !range_zero(b, END(ifindex), OFF(cb)) || !range_zero(b, END(cb), OFF(tstamp)) ||
	    !range_zero(b, END(gso_segs), OFF(gso_size)) ||
	    !range_zero(b, END(gso_size), OFF(hwtstamp)) ||
	    !range_zero(b, END(hwtstamp), SKB_UAPI_SIZE))
		return -EINVAL;
	return 0;
}

static uint16_t fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int test_run_skb(const struct b2n_program *prog, struct b2n_test_run_opts *o)
{
	struct b2n_sk_buff uctx, ctx; /* the kernel's copy of ctx_in, the skb */
	uint32_t size = o->data_size_in;
	int is_l2 = prog->desc->prog_type != B2N_PROG_SOCKET_FILTER;
	struct b2n_pkt p;
	int have, err;

	if ((o->flags & ~F_TEST_SKB_CHECKSUM_COMPLETE) || o->cpu || o->batch_size)
		return -EINVAL;
	if (size < ETH_HLEN || size > PAGE_SZ - SKB_HEADROOM - SHINFO_ROOM)
		return -EINVAL;
	if (!o->data_in)
		return -EFAULT;
	if ((err = ctx_init(o, &uctx, SKB_UAPI_SIZE, &have)))
		return err;
	memset(&p, 0, sizeof(p));
	p.type = prog->desc->prog_type;
	p.cap = SKB_HEADROOM + size + SHINFO_ROOM;
	p.head = calloc(1, p.cap);
	if (!p.head)
		return -ENOMEM;
	memcpy(p.head + SKB_HEADROOM, o->data_in, size);
	p.max_len = SKB_MAX_ALLOC;
	memset(&ctx, 0, sizeof(ctx));
	if (have)
		memcpy(&ctx, &uctx, SKB_UAPI_SIZE);
	ctx.ifindex = have && uctx.ifindex > 1 ? uctx.ifindex : 1;

	/* eth_type_trans(skb, loopback) */
	const unsigned char *eth = p.head + SKB_HEADROOM;
	static const unsigned char zero6[6];
	if (!memcmp(eth, zero6, 6))
		ctx.pkt_type = 0; /* PACKET_HOST */
	else if (eth[0] & 1)
		ctx.pkt_type = 2; /* PACKET_MULTICAST (lo's broadcast is 0) */
	else
		ctx.pkt_type = 3; /* PACKET_OTHERHOST */
	unsigned char proto[2] = {eth[12], eth[13]};
	if (proto[0] < 0x06) {
		int raw = size >= ETH_HLEN + 2 && eth[14] == 0xff && eth[15] == 0xff;
		proto[0] = 0;
		proto[1] = raw ? 0x01 : 0x04; /* ETH_P_802_3 : ETH_P_802_2 */
	}
	ctx.protocol = (uint32_t)b2n_rt_load(proto, 2, 0);
	p.mac = SKB_HEADROOM;
	p.net = SKB_HEADROOM + ETH_HLEN;
	p.data = is_l2 ? p.mac : p.net;
	p.len = is_l2 ? size : size - ETH_HLEN;
	ctx.priv = &p;
	p.skb = &ctx;
	b2n_rt_skb_sync(&p);

	err = 0;
	if ((proto[0] == 0x08 && proto[1] == 0x00 && size < ETH_HLEN + 20) ||
	    (proto[0] == 0x86 && proto[1] == 0xdd && size < ETH_HLEN + 40))
		err = -EINVAL; /* no complete IP header */
	else if (have && (err = skb_ctx_check(&uctx)) == 0) {
		if (uctx.wire_len == 0)
			ctx.wire_len = p.len;
		else if (uctx.wire_len < p.len || uctx.wire_len > GSO_LEGACY_MAX)
			err = -EINVAL;
		if (uctx.gso_segs > GSO_MAX_SEGS)
			err = -EINVAL;
	}
	if (!err && (o->flags & F_TEST_SKB_CHECKSUM_COMPLETE)) {
		p.csum_complete = 1;
		p.csum = b2n_rt_csum_partial(p.head + p.net, p.data + p.len - p.net, 0);
	}
	if (!err)
		err = run_repeat(prog, &ctx, o);
	if (!err && !is_l2) {
		if ((err = b2n_rt_skb_reserve(&p, ETH_HLEN, 0)) == 0) {
			p.data -= ETH_HLEN;
			p.len += ETH_HLEN;
			memset(p.head + p.data, 0, ETH_HLEN);
			b2n_rt_skb_sync(&p);
		}
	}
	if (!err && (o->flags & F_TEST_SKB_CHECKSUM_COMPLETE)) {
		/* skb->csum must still be the sum from the network header */
		uint32_t now = b2n_rt_csum_partial(p.head + p.net, p.data + p.len - p.net, 0);
		if (fold16(p.csum) != fold16(now)) {
			o->retval = 0; /* bpf_test_finish is skipped */
			o->duration = 0;
			err = -EBADMSG;
		}
	}
	if (!err) {
		if (have) {
			uctx.mark = ctx.mark;
			uctx.priority = ctx.priority;
			uctx.ingress_ifindex = ctx.ingress_ifindex;
			uctx.ifindex = ctx.ifindex;
			uctx.tstamp = ctx.tstamp;
			memcpy(uctx.cb, ctx.cb, sizeof(uctx.cb));
			uctx.wire_len = ctx.wire_len;
			uctx.gso_segs = ctx.gso_segs;
			uctx.hwtstamp = ctx.hwtstamp;
		}
		err = data_finish(o, p.head + p.data, p.len);
		if (!err && have)
			err = ctx_finish(o, &uctx, SKB_UAPI_SIZE);
	}
	free(p.head);
	return err;
}

/* ---- other program types: ctx_in as r1 -------------------------------------- */

static int test_run_opaque(const struct b2n_program *prog, struct b2n_test_run_opts *o)
{
	uint32_t n = o->ctx_size_in > o->ctx_size_out ? o->ctx_size_in : o->ctx_size_out;
	unsigned char *buf = NULL;
	int err;
	if (o->data_in || o->data_out || o->data_size_in)
		return -EINVAL;
	if (o->ctx_size_in && !o->ctx_in)
		return -EINVAL;
	if (n) {
		buf = calloc(1, n);
		if (!buf)
			return -ENOMEM;
		if (o->ctx_in)
			memcpy(buf, o->ctx_in, o->ctx_size_in);
	}
	err = run_repeat(prog, buf, o);
	if (!err && o->ctx_out) {
		memcpy(o->ctx_out, buf, o->ctx_size_out);
		o->ctx_size_out = o->ctx_size_in;
	}
	free(buf);
	return err;
}

B2N_API int b2n_program__test_run(const struct b2n_program *prog, struct b2n_test_run_opts *o)
{
	if (!prog || !o || o->sz < offsetof(struct b2n_test_run_opts, redirect_map))
		return -EINVAL;
	/* bpf_prog_test_run() in kernel/bpf/syscall.c */
	if ((o->ctx_size_in && !o->ctx_in) || (!o->ctx_size_in && o->ctx_in) ||
	    (o->ctx_size_out && !o->ctx_out) || (!o->ctx_size_out && o->ctx_out))
		return -EINVAL;
	switch (prog->desc->prog_type) {
	case B2N_PROG_XDP:
		return test_run_xdp(prog, o);
	case B2N_PROG_SOCKET_FILTER:
	case B2N_PROG_SCHED_CLS:
	case B2N_PROG_SCHED_ACT:
		return test_run_skb(prog, o);
	default:
		return test_run_opaque(prog, o);
	}
}
