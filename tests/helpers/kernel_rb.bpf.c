/*
 * kernel_rb.bpf.c - a fixed sequence of ring-buffer helper calls on a
 * 4096-byte BPF_MAP_TYPE_RINGBUF, with bpf_ringbuf_query after each step
 * (run_rb), and the four query values alone (run_rb_query, run after the
 * application consumed the records).  kernel_fmt_test.c replays the same
 * sequence on the runtime (rb_sequence there) and compares every value
 * and the records the consumer sees.  Keep both sides in step.
 */
#include <linux/bpf.h>
/* after linux/bpf.h, which defines the __u64 it uses */
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	long long v[64];
	long long n;
} rres;

#define Q()                                                                                        \
	do {                                                                                       \
		rres.v[k++] = bpf_ringbuf_query(&rb, 0);                                           \
		rres.v[k++] = bpf_ringbuf_query(&rb, 1);                                           \
		rres.v[k++] = bpf_ringbuf_query(&rb, 2);                                           \
		rres.v[k++] = bpf_ringbuf_query(&rb, 3);                                           \
	} while (0)

SEC("syscall")
int run_rb(void *ctx)
{
	unsigned char data[128];
	unsigned char *p;
	int k = 0, i, count = 0;

	for (i = 0; i < 128; i++)
		data[i] = (unsigned char)(i + 1);
	Q();
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 10, 0);
	Q();
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 0, 0);
	Q();
	p = bpf_ringbuf_reserve(&rb, 100, 0);
	rres.v[k++] = p != 0;
	if (p) {
		p[0] = 'R';
		bpf_ringbuf_submit(p, 0);
	}
	Q();
	p = bpf_ringbuf_reserve(&rb, 5, 0);
	rres.v[k++] = p != 0;
	if (p)
		bpf_ringbuf_discard(p, 0);
	Q();
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 1, 4);
	p = bpf_ringbuf_reserve(&rb, 8, 1);
	rres.v[k++] = p != 0;
	if (p)
		bpf_ringbuf_discard(p, 0);
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 3, 1 | 2);
	Q();
	for (i = 0; i < 64; i++) {
		if (bpf_ringbuf_output(&rb, data, 100, 0))
			break;
		count++;
	}
	rres.v[k++] = count;
	Q();
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 100, 0);
	rres.v[k++] = bpf_ringbuf_output(&rb, data, 8, 0);
	Q();
	rres.n = k;
	return 0;
}

SEC("syscall")
int run_rb_query(void *ctx)
{
	int k = 0;
	Q();
	rres.n = k;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
