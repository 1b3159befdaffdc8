/*
 * lock.bpf.c - bpf_spin_lock/unlock on values of an array and a hash map
 * (SEC("tc") programs: the kernel refuses spin locks in tracing programs),
 * plus an SEC("xdp") and an SEC("socket") program, and ktime_get_coarse_ns
 * (the kernel refuses it in tracing programs).  The context is a
 * struct __sk_buff of which only cb[0..4] are read: the native test passes
 * that struct, the kernel test gives it as ctx_in with a dummy packet.
 * Native runs from several threads check that the lock serialises updates.
 */
#include <linux/bpf.h> /* before bpf_helpers.h, which needs its types */

#include <bpf/bpf_helpers.h>

struct lval {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 a;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct lval);
} lk_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct lval);
} lk_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

/* cb[0] = key, cb[1] = amount: lk_arr[key].a += amount, .b = 2 * .a under
 * the lock.  Returns the new a. */
SEC("tc")
int lock_array(struct __sk_buff *skb)
{
	__u32 key = skb->cb[0];
	struct lval *v = bpf_map_lookup_elem(&lk_arr, &key);
	if (!v)
		return -1;
	bpf_spin_lock(&v->lock);
	v->a += skb->cb[1];
	v->b = v->a * 2;
	__u64 a = v->a;
	bpf_spin_unlock(&v->lock);
	return (int)a;
}

/* Same on lk_hash, inserting the key first when missing. */
SEC("tc")
int lock_hash(struct __sk_buff *skb)
{
	__u32 key = skb->cb[0];
	struct lval *v = bpf_map_lookup_elem(&lk_hash, &key);
	if (!v) {
		struct lval init = {};
		long r = bpf_map_update_elem(&lk_hash, &key, &init, BPF_NOEXIST);
		if (r && r != -17)
			return (int)r;
		v = bpf_map_lookup_elem(&lk_hash, &key);
		if (!v)
			return -2;
	}
	bpf_spin_lock(&v->lock);
	v->a += skb->cb[1];
	v->b = v->a * 2;
	__u64 a = v->a;
	bpf_spin_unlock(&v->lock);
	return (int)a;
}

/* Counts calls in pkt_count[0]; XDP_DROP every third call, else XDP_PASS. */
SEC("xdp")
int xdp_count(struct xdp_md *xdp)
{
	__u32 key = 0;
	__u64 *c = bpf_map_lookup_elem(&pkt_count, &key);
	(void)xdp;
	if (!c)
		return XDP_ABORTED;
	*c += 1;
	return *c % 3 == 0 ? XDP_DROP : XDP_PASS;
}

/* Counts in pkt_count[1]; returns cb[2] & 0xffff (bytes to keep). */
SEC("socket")
int sock_keep(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 *c = bpf_map_lookup_elem(&pkt_count, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	return skb->cb[2] & 0xffff;
}

/* bpf_ktime_get_coarse_ns (refused in tracing programs): 1 when the coarse
 * clock is non-zero and not ahead of ktime_get_ns. */
SEC("tc")
int tc_coarse(struct __sk_buff *skb)
{
	__u64 c = bpf_ktime_get_coarse_ns();
	__u64 t = bpf_ktime_get_ns();
	(void)skb;
	return c != 0 && c <= t;
}

char LICENSE[] SEC("license") = "GPL";
