/*
 * skb.c - what compiled packet code and the packet helpers need at run
 * time, apart from the test run itself (packet.c): the thread-local
 * redirect record and program type of the current run, b2n_ld_pkt (the
 * LD_ABS/LD_IND load), and the skb buffer's sync and reallocation.  Kept
 * apart so that a static link that only references the helper table does
 * not pull in the test run and, through it, the object loader (whose
 * dlopen makes glibc's static linker warn).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

__thread struct b2n_rt_redirect b2n_rt_redirect_info;
__thread uint32_t b2n_rt_cur_prog_type;

/* ---- LD_ABS / LD_IND ------------------------------------------------------ */

int b2n_ld_pkt(const struct b2n_sk_buff *skb, int64_t off64, uint32_t size, uint64_t *val)
{
	/* (the compiled caller passes size zeroext, as the C ABIs want) */
	const struct b2n_pkt *p = skb->priv;
	const unsigned char *data = skb->data_ptr, *tail = skb->data_end_ptr, *ptr;
	const unsigned char *head = p ? p->head : data;
	int32_t k = (int32_t)off64; /* the kernel's helpers take an int */
	if (k >= 0) {
		if ((uint64_t)k + size > (uint64_t)(tail - data))
			return -1;
		ptr = data + k;
	} else if (k >= SKF_NET_OFF) {
		const unsigned char *net = p && p->net != B2N_PKT_UNSET ? head + p->net : data;
		ptr = net + (k - SKF_NET_OFF);
	} else if (k >= SKF_LL_OFF) {
		if (p && p->mac == B2N_PKT_UNSET)
			return -1;
		ptr = (p ? head + p->mac : data) + (k - SKF_LL_OFF);
	} else {
		return -1;
	}
	if (ptr < head || ptr > tail || (size_t)(tail - ptr) < size)
		return -1;
	*val = size == 1   ? ptr[0]
	       : size == 2 ? (uint64_t)((uint32_t)ptr[0] << 8 | ptr[1])
	                   : ((uint64_t)ptr[0] << 24 | (uint64_t)ptr[1] << 16 |
	                      (uint64_t)ptr[2] << 8 | ptr[3]);
	return 0;
}

/* ---- skb buffer ------------------------------------------------------------ */

void b2n_rt_skb_sync(struct b2n_pkt *p)
{
	struct b2n_sk_buff *skb = p->skb;
	skb->len = p->len;
	skb->data_ptr = p->head + p->data;
	skb->data_end_ptr = skb->data_ptr + p->len;
	skb->data_meta_ptr = skb->data_ptr;
}

int b2n_rt_skb_reserve(struct b2n_pkt *p, uint32_t head, uint32_t tail)
{
	uint32_t room_h = p->data, room_t = p->cap - p->data - p->len;
	if (room_h >= head && room_t >= tail)
		return 0;
	uint32_t nh = room_h >= head ? room_h : head + SKB_HEADROOM;
	uint32_t nt = room_t >= tail ? room_t : tail + SHINFO_ROOM;
	uint64_t ncap = (uint64_t)nh + p->len + nt;
	if (ncap > (1u << 30))
		return -ENOMEM;
	unsigned char *n = calloc(1, (size_t)ncap);
	if (!n)
		return -ENOMEM;
	/* the old headroom too (it may hold a MAC header before data) */
	memcpy(n + (nh - p->data), p->head, (size_t)p->data + p->len);
	int32_t shift = (int32_t)nh - (int32_t)p->data;
	if (p->mac != B2N_PKT_UNSET)
		p->mac = (uint32_t)((int32_t)p->mac + shift);
	if (p->net != B2N_PKT_UNSET)
		p->net = (uint32_t)((int32_t)p->net + shift);
	free(p->head);
	p->head = n;
	p->cap = (uint32_t)ncap;
	p->data = nh;
	b2n_rt_skb_sync(p);
	return 0;
}

