/*
 * driver.c - the packet test driver, shared by the kernel run and the
 * native runs (ctest packet-kernel and packet-<target>).
 *
 * For every case (an object of the corpus and its entry program) the
 * driver opens and loads a fresh object through the back end, fills the
 * maps the program reads, runs every generated packet through the
 * program (the back end's BPF_PROG_TEST_RUN), and writes OUTDIR/<case>.txt
 * in one canonical text form:
 *
 *   pkt <i> in <len> ret <retval> out <len> same|hex <bytes>[ fnv <hash>]
 *   pkt <i> in <len> err <-errno>
 *   pkt <i> in <len> err -28 ret <retval> out <len> hex <the bytes copied>
 *   ctx <i> mark .. priority .. cb a,b,c,d,e ifindex .. ...   (tc, socket)
 *   xctx <i> data .. data_end .. data_meta .. ...              (XDP ctx_out)
 *   map <name> <key fields> = <value fields>                  (sorted)
 *
 * Map keys and values are printed as integers of their declared sizes
 * (so a bpfeb object on a big-endian target prints what the bpfel object
 * prints in the x86_64 kernel) or as hex for byte fields; per-CPU values
 * are summed over CPUs (the kernel's test run uses the current CPU, the
 * runtime the thread's slot: the sum is the same); array slots whose
 * value is all zero are left out.  Output packets print their first 128
 * bytes and an FNV-1a hash of the whole; every 11th packet gets a
 * 40-byte data_out (-ENOSPC: the kernel copies what fits and reports the
 * whole length and the verdict).  The tc and socket runs pass a
 * __sk_buff with the packet index in cb[0] and a mark and priority
 * derived from it; the xdp_meta case passes an xdp_md with 4 bytes of
 * metadata in front of the packet (ctx_in.data = 4).
 *
 * usage: packet-run OUTDIR [OBJDIR] [CASE...]
 *   (OBJDIR: the bpfel objects, kernel back end only; "-" otherwise)
 * Exits 77 when the back end cannot run here, 1 when a case could not be
 * opened (its file then says why), else 0: comparing is the script's job.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "packet.h"

enum { T_XDP, T_TC, T_SOCK, T_XDP_META };

struct dump {
	const char *map;
	const char *kfmt; /* fields: [count]{B,H,I,Q,i,s}; s = bytes as hex */
	const char *vfmt;
};

struct pcase {
	const char *name;
	const char *obj;
	const char *prog;
	int type;
	int (*setup)(struct pb_obj *obj, FILE *out);
	struct dump maps[6];
	int repeat; /* > 1: every packet runs that many times (test_run's repeat) */
};

/* ---- map setup --------------------------------------------------------------- */
static int put(struct pb_obj *obj, FILE *out, const char *name, const void *k, const void *v)
{
	struct pb_map *m = pb_find_map(obj, name);
	if (!m) {
		fprintf(out, "setup: map %s not found\n", name);
		return -ENOENT;
	}
	int err = pb_map_update(m, k, v);
	if (err)
		fprintf(out, "setup: update of %s failed: %d\n", name, err);
	return err;
}

static int setup_port_filter(struct pb_obj *obj, FILE *out)
{
	static const struct {
		uint16_t port;
		uint32_t rule;
	} r[] = {{22, 1}, {23, 1}, {445, 2}, {3389, 3}, {9, 4}, {0, 5}};
	int err = 0;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]) && !err; i++)
		err = put(obj, out, "blocked_ports", &r[i].port, &r[i].rule);
	return err;
}

static int setup_lpm_filter(struct pb_obj *obj, FILE *out)
{
	static const struct {
		uint32_t plen;
		unsigned char a[4];
		uint32_t id, action;
	} r4[] = {
	    {8, {10, 0, 0, 0}, 1, 1},        {16, {10, 1, 0, 0}, 2, 0},
	    {32, {10, 1, 2, 254}, 3, 1},     {24, {192, 168, 1, 0}, 4, 1},
	    {24, {203, 0, 113, 0}, 5, 0},    {4, {224, 0, 0, 0}, 6, 1},
	    {31, {198, 51, 100, 98}, 11, 1},
	};
	static const struct {
		uint32_t plen;
		unsigned char a[16];
		uint32_t id, action;
	} r6[] = {
	    {32, {0x20, 0x01, 0x0d, 0xb8}, 7, 0},
	    {40, {0x20, 0x01, 0x0d, 0xb8, 0xff}, 8, 1},
	    {8, {0xff}, 9, 1},
	    {10, {0xfe, 0x80}, 10, 0},
	};
	int err = 0;
	for (size_t i = 0; i < sizeof(r4) / sizeof(r4[0]) && !err; i++) {
		unsigned char k[8], v[8];
		memcpy(k, &r4[i].plen, 4);
		memcpy(k + 4, r4[i].a, 4);
		memcpy(v, &r4[i].id, 4);
		memcpy(v + 4, &r4[i].action, 4);
		err = put(obj, out, "rules4", k, v);
	}
	for (size_t i = 0; i < sizeof(r6) / sizeof(r6[0]) && !err; i++) {
		unsigned char k[20], v[8];
		memcpy(k, &r6[i].plen, 4);
		memcpy(k + 4, r6[i].a, 16);
		memcpy(v, &r6[i].id, 4);
		memcpy(v + 4, &r6[i].action, 4);
		err = put(obj, out, "rules6", k, v);
	}
	return err;
}

static int setup_nat44(struct pb_obj *obj, FILE *out)
{
	/* key: the destination address; value: new address, new port (be), rule */
	static const unsigned char k1[4] = {203, 0, 113, 10}, k2[4] = {203, 0, 113, 11};
	unsigned char v1[8] = {10, 0, 0, 1, 0, 0}, v2[8] = {192, 168, 1, 119, 0x1f, 0x75};
	uint16_t rule = 1;
	memcpy(v1 + 6, &rule, 2);
	rule = 2;
	memcpy(v2 + 6, &rule, 2);
	int err = put(obj, out, "dnat", k1, v1);
	return err ? err : put(obj, out, "dnat", k2, v2);
}

static int setup_vlan_tag(struct pb_obj *obj, FILE *out)
{
	uint32_t zero = 0;
	uint16_t v[2] = {100, 5};
	return put(obj, out, "cfg", &zero, v);
}

static int setup_redirect_dev(struct pb_obj *obj, FILE *out)
{
	static const uint32_t keys[] = {0, 2, 5};
	uint32_t lo = 1;
	int err = 0;
	for (size_t i = 0; i < 3 && !err; i++)
		err = put(obj, out, "tx_ports", &keys[i], &lo);
	return err;
}

static int setup_tail_dispatch(struct pb_obj *obj, FILE *out)
{
	static const struct {
		uint32_t slot;
		const char *prog;
	} s[] = {{6, "handle_tcp"},
	         {17, "handle_udp"},
	         {1, "handle_icmp"},
	         {58, "handle_icmp"},
	         {255, "handle_dns"}};
	int err = 0;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]) && !err; i++) {
		struct pb_prog *p = pb_find_prog(obj, s[i].prog);
		if (!p) {
			fprintf(out, "setup: program %s not found\n", s[i].prog);
			return -ENOENT;
		}
		uint32_t fd = (uint32_t)pb_prog_fd(p);
		err = put(obj, out, "jmp_table", &s[i].slot, &fd);
	}
	return err;
}

static int setup_xdp_bytes(struct pb_obj *obj, FILE *out)
{
	uint32_t cpu = 0, qsize = 64;
	return put(obj, out, "cpus", &cpu, &qsize);
}

static int setup_tc_rewrite(struct pb_obj *obj, FILE *out)
{
	static const unsigned char k1[4] = {10, 0, 0, 1}, v1[4] = {198, 18, 0, 1};
	static const unsigned char k2[4] = {192, 168, 1, 1}, v2[4] = {198, 18, 0, 2};
	int err = put(obj, out, "snat", k1, v1);
	return err ? err : put(obj, out, "snat", k2, v2);
}

/* ---- the cases ------------------------------------------------------------- */
static const struct pcase cases[] = {
    {"parse_count",
     "parse_count",
     "parse_count",
     T_XDP,
     NULL,
     {{"counts", "I", "Q"}, {"verdict_bytes", "I", "Q"}, {"ethertypes", "H", "Q"}},
     1},
    {"port_filter",
     "port_filter",
     "port_filter",
     T_XDP,
     setup_port_filter,
     {{"blocked_ports", "H", "I"},
      {"drops_by_port", "H", "Q"},
      {"drops_by_rule", "I", "Q"},
      {"stats", "I", "Q"}},
     1},
    {"lpm_filter",
     "lpm_filter",
     "lpm_filter",
     T_XDP,
     setup_lpm_filter,
     {{"rules4", "I4s", "2I"}, {"rules6", "I16s", "2I"}, {"hits", "I", "Q"}, {"misses", "I", "Q"}},
     1},
    {"xdp_reflect", "xdp_reflect", "xdp_reflect", T_XDP, NULL, {{"actions", "I", "Q"}}, 1},
    {"nat44",
     "nat44",
     "nat44",
     T_XDP,
     setup_nat44,
     {{"dnat", "4s", "4s2sH"}, {"xlated", "I", "Q"}, {"nat_stats", "I", "Q"}},
     1},
    {"ipip_encap",
     "ipip_encap",
     "ipip_encap",
     T_XDP,
     NULL,
     {{"tun_stats", "I", "Q"}, {"errors", "i", "Q"}},
     1},
    {"vlan_tag",
     "vlan_tag",
     "vlan_tag",
     T_XDP,
     setup_vlan_tag,
     {{"cfg", "I", "2H"}, {"vlan_stats", "I", "Q"}, {"popped_vids", "H", "Q"}},
     1},
    {"tail_trim",
     "tail_trim",
     "tail_trim",
     T_XDP,
     NULL,
     {{"trim_stats", "I", "Q"}, {"results", "i", "Q"}},
     1},
    {"redirect_dev",
     "redirect_dev",
     "redirect_dev",
     T_XDP,
     setup_redirect_dev,
     {{"fwd", "I", "Q"}, {"ingress", "I", "Q"}},
     1},
    {"tail_dispatch",
     "tail_dispatch",
     "dispatch",
     T_XDP,
     setup_tail_dispatch,
     {{"disp_stats", "I", "Q"}, {"icmp_types", "I", "Q"}},
     1},
    {"percpu_sizes",
     "percpu_sizes",
     "percpu_sizes",
     T_XDP,
     NULL,
     {{"size_class", "I", "Q"}, {"by_type", "I", "2Q"}, {"largest", "I", "Q"}},
     1},
    {"tc_fields",
     "tc_fields",
     "tc_fields",
     T_TC,
     NULL,
     {{"seen_by_index", "I", "24I"}, {"verdicts", "I", "Q"}},
     1},
    {"tc_rewrite",
     "tc_rewrite",
     "tc_rewrite",
     T_TC,
     setup_tc_rewrite,
     {{"snat", "4s", "4s"}, {"helper_errs", "i", "Q"}, {"rw_stats", "I", "Q"}},
     1},
    {"flow_table",
     "flow_table",
     "flow_table",
     T_TC,
     NULL,
     {{"flows", "4s4s2s2sB3s", "2Q"}, {"flow_errs", "i", "Q"}},
     1},
    {"sock_ldabs",
     "sock_ldabs",
     "sock_ldabs",
     T_SOCK,
     NULL,
     {{"ld_stats", "I", "Q"}, {"src_hi", "I", "Q"}},
     1},
    {"sock_rel", "sock_rel", "sock_rel", T_SOCK, NULL, {{"sock_rec", "I", "2i8I"}}, 1},
    {"tc_vlan", "tc_vlan", "tc_vlan", T_TC, NULL, {{"vlan_rec", "I", "3i7I"}}, 1},
    {"tc_encap", "tc_encap", "tc_encap", T_TC, NULL, {{"encap_rec", "I", "4i6I"}}, 1},
    /* repeat: the kernel runs the program again on the same buffer (XDP
     * head/tail adjustments and packet writes accumulate) and maps count
     * every run. */
    {"parse_count_r3",
     "parse_count",
     "parse_count",
     T_XDP,
     NULL,
     {{"counts", "I", "Q"}, {"verdict_bytes", "I", "Q"}, {"ethertypes", "H", "Q"}},
     3},
    {"vlan_tag_r3",
     "vlan_tag",
     "vlan_tag",
     T_XDP,
     setup_vlan_tag,
     {{"vlan_stats", "I", "Q"}, {"popped_vids", "H", "Q"}},
     3},
    {"tc_rewrite_r3",
     "tc_rewrite",
     "tc_rewrite",
     T_TC,
     setup_tc_rewrite,
     {{"helper_errs", "i", "Q"}, {"rw_stats", "I", "Q"}},
     3},
    {"tail_dispatch_r2",
     "tail_dispatch",
     "dispatch",
     T_XDP,
     setup_tail_dispatch,
     {{"disp_stats", "I", "Q"}, {"icmp_types", "I", "Q"}},
     2},
    {"xdp_meta", "xdp_meta", "xdp_meta", T_XDP_META, NULL, {{"meta_rec", "I", "4I2i"}}, 1},
    {"xdp_xsk", "xdp_xsk", "xdp_xsk", T_XDP, NULL, {{"xsk_stats", "I", "Q"}}, 1},
    {"xdp_bytes",
     "xdp_bytes",
     "xdp_bytes",
     T_XDP,
     setup_xdp_bytes,
     {{"byte_stats", "I", "Q"}, {"byte_errs", "i", "Q"}},
     1},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- canonical printing ----------------------------------------------------- */
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Print the fields of fmt read from p (ncpu slots of stride bytes, summed
 * for integers) into buf; returns the number of bytes the format covers,
 * or 0 on a bad format. */
static size_t fmt_fields(const char *fmt, const unsigned char *p, int ncpu, size_t stride,
                         char *buf, size_t bufsz)
{
	size_t off = 0, used = 0;
	buf[0] = 0;
	for (const char *f = fmt; *f;) {
		unsigned long cnt = 1;
		if (*f >= '0' && *f <= '9')
			cnt = strtoul(f, (char **)&f, 10);
		char c = *f++;
		if (c == 's') {
			used += (size_t)snprintf(buf + used, bufsz - used, "%s", used ? " " : "");
			for (unsigned long i = 0; i < cnt && used < bufsz; i++)
				used +=
				    (size_t)snprintf(buf + used, bufsz - used, "%02x", p[off + i]);
			off += cnt;
			continue;
		}
		size_t sz = c == 'B'               ? 1
		            : c == 'H'             ? 2
		            : c == 'I' || c == 'i' ? 4
		            : c == 'Q'             ? 8
		                                   : 0;
		if (!sz)
			return 0;
		for (unsigned long i = 0; i < cnt; i++, off += sz) {
			uint64_t sum = 0;
			int64_t ssum = 0;
			for (int cpu = 0; cpu < ncpu; cpu++) {
				const unsigned char *q = p + (size_t)cpu * stride + off;
				uint8_t b;
				uint16_t h;
				uint32_t w;
				int32_t sw;
				uint64_t d;
				switch (c) {
				case 'B':
					memcpy(&b, q, 1);
					sum += b;
					break;
				case 'H':
					memcpy(&h, q, 2);
					sum += h;
					break;
				case 'I':
					memcpy(&w, q, 4);
					sum += w;
					break;
				case 'i':
					memcpy(&sw, q, 4);
					ssum += sw;
					break;
				default:
					memcpy(&d, q, 8);
					sum += d;
					break;
				}
			}
			if (c == 'i')
				used += (size_t)snprintf(buf + used, bufsz - used, "%s%lld",
				                         used ? " " : "", (long long)ssum);
			else
				used += (size_t)snprintf(buf + used, bufsz - used, "%s%llu",
				                         used ? " " : "", (unsigned long long)sum);
			if (used >= bufsz)
				return 0;
		}
	}
	return off;
}

static int is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Dump one map: sorted "map NAME KEY = VALUE" lines; returns -errno or 0. */
static int dump_map(struct pb_obj *obj, const struct dump *d, FILE *out)
{
	struct pb_map *m = pb_find_map(obj, d->map);
	if (!m) {
		fprintf(out, "map %s: not found\n", d->map);
		return -ENOENT;
	}
	uint32_t t = pb_map_type(m), ks = pb_map_key_size(m), vs = pb_map_value_size(m);
	int pc = is_percpu(t);
	int ncpu = pc ? pb_ncpus() : 1;
	size_t stride = pc ? (vs + 7) / 8 * 8 : vs;
	unsigned char *key = calloc(1, ks), *next = calloc(1, ks);
	unsigned char *val = calloc((size_t)ncpu, stride);
	size_t nlines = 0, cap = 64;
	char **lines = malloc(cap * sizeof(*lines));
	int err = 0, first = 1;
	char kb[256], vb[1024];

	for (;;) {
		int r = pb_map_next_key(m, first ? NULL : key, next);
		if (r == -ENOENT)
			break;
		if (r) {
			fprintf(out, "map %s: get_next_key: %d\n", d->map, r);
			err = r;
			break;
		}
		first = 0;
		memcpy(key, next, ks);
		r = pb_map_lookup(m, key, val);
		if (r) {
			fprintf(out, "map %s: lookup: %d\n", d->map, r);
			err = r;
			break;
		}
		if (t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY) {
			int nz = 0;
			for (size_t i = 0; i < (size_t)ncpu * stride; i++)
				nz |= val[i];
			if (!nz)
				continue;
		}
		if (fmt_fields(d->kfmt, key, 1, ks, kb, sizeof(kb)) != ks ||
		    fmt_fields(d->vfmt, val, ncpu, stride, vb, sizeof(vb)) != vs) {
			fprintf(out, "map %s: format %s/%s does not cover %u/%u bytes\n", d->map,
			        d->kfmt, d->vfmt, ks, vs);
			err = -EINVAL;
			break;
		}
		if (nlines == cap)
			lines = realloc(lines, (cap *= 2) * sizeof(*lines));
		size_t n = strlen(d->map) + strlen(kb) + strlen(vb) + 16;
		lines[nlines] = malloc(n);
		snprintf(lines[nlines++], n, "map %s %s = %s", d->map, kb, vb);
		if (nlines > 100000) {
			fprintf(out, "map %s: iteration does not end\n", d->map);
			err = -ELOOP;
			break;
		}
	}
	qsort(lines, nlines, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < nlines; i++) {
		fprintf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	free(key);
	free(next);
	free(val);
	return err;
}

/* ---- running a case ---------------------------------------------------------- */
static void print_packet(FILE *out, const unsigned char *in, uint32_t inlen, const unsigned char *p,
                         uint32_t n)
{
	if (n == inlen && !memcmp(in, p, n)) {
		fprintf(out, " same\n");
		return;
	}
	fprintf(out, " hex ");
	for (uint32_t i = 0; i < n && i < 128; i++)
		fprintf(out, "%02x", p[i]);
	if (n > 128)
		fprintf(out, " fnv %016llx", (unsigned long long)fnv1a(p, n));
	fprintf(out, "\n");
}

/* The __sk_buff of packet i: every field the kernel's test run accepts
 * in ctx_in varies with i (an invalid wire_len every 13th packet). */
static void make_ctx(int i, uint32_t len, struct __sk_buff *skb)
{
	uint32_t u = (uint32_t)i;
	memset(skb, 0, sizeof(*skb));
	skb->mark = u * 0x01000193u;
	skb->priority = u % 8;
	skb->cb[0] = u;
	skb->cb[1] = u * 7;
	skb->cb[3] = u ^ 0x55;
	skb->cb[4] = 0x1000 + u;
	skb->ingress_ifindex = u % 5 == 0;
	skb->tstamp = (uint64_t)u * 1000;
	skb->hwtstamp = (uint64_t)u * 7;
	skb->wire_len = u % 13 == 7 ? 1 : u % 3 == 0 ? 0 : len + u % 3;
	skb->gso_segs = u % 4;
	skb->gso_size = u % 6 == 1 ? 1400 : 0;
}

#define SMALL_OUT 40

static int run_case(const struct pcase *c, FILE *out)
{
	static const char *const tname[] = {"xdp", "tc", "socket", "xdp, ctx_in with metadata"};
	char err[512];
	int n = pktgen_count();
	fprintf(out, "# case %s: object %s, program %s (%s), %d packets, repeat %d\n", c->name,
	        c->obj, c->prog, tname[c->type], n, c->repeat > 1 ? c->repeat : 1);
	struct pb_obj *obj = pb_open(c->obj, err, sizeof(err));
	if (!obj) {
		fprintf(out, "open: %s\n", err);
		return -1;
	}
	/* A program of the object that this kernel refuses: the case is
	 * skipped (a tail call or a setup may need it), with the reason. */
	const char *why, *refused = pb_refused(obj, &why);
	if (refused) {
		fprintf(out, "# skipped: %s refuses program %s of %s: %s\n", pb_backend_name, refused,
		        c->obj, why);
		pb_close(obj);
		return 1;
	}
	struct pb_prog *prog = pb_find_prog(obj, c->prog);
	if (!prog) {
		fprintf(out, "program %s not found\n", c->prog);
		pb_close(obj);
		return -1;
	}
	if (c->setup && c->setup(obj, out)) {
		pb_close(obj);
		return -1;
	}
	static unsigned char in[PKT_MAX], outp[2 * PKT_MAX], metain[PKT_MAX + 4];
	for (int i = 0; i < n; i++) {
		uint32_t len = (uint32_t)pktgen_make(i, in, sizeof(in));
		struct __sk_buff ctx_in, ctx_out;
		struct xdp_md xin, xout;
		struct pb_run r = {.repeat = c->repeat,
		                   .data_in = in,
		                   .data_size_in = len,
		                   .data_out = outp,
		                   .data_size_out = sizeof(outp)};
		if (c->type == T_XDP_META) {
			/* 4 bytes of metadata (the index, big-endian), then the packet */
			metain[0] = (unsigned char)(i >> 24);
			metain[1] = (unsigned char)(i >> 16);
			metain[2] = (unsigned char)(i >> 8);
			metain[3] = (unsigned char)i;
			memcpy(metain + 4, in, len);
			memset(&xin, 0, sizeof(xin));
			memset(&xout, 0, sizeof(xout));
			xin.data = 4;
			xin.data_end = len + 4;
			xin.ingress_ifindex = 1;
			r.data_in = metain;
			r.data_size_in = len + 4;
			r.ctx_in = &xin;
			r.ctx_size_in = sizeof(xin);
			r.ctx_out = &xout;
			r.ctx_size_out = sizeof(xout);
		} else if (c->type != T_XDP) {
			make_ctx(i, len, &ctx_in);
			memset(&ctx_out, 0, sizeof(ctx_out));
			r.ctx_in = &ctx_in;
			r.ctx_size_in = sizeof(ctx_in);
			r.ctx_out = &ctx_out;
			r.ctx_size_out = sizeof(ctx_out);
		}
		/* Every 11th packet gets a data_out too small for it: the kernel
		 * copies what fits, reports the full length and -ENOSPC. */
		if (i % 11 == 5)
			r.data_size_out = SMALL_OUT;
		uint32_t cap = r.data_size_out;
		int e = pb_test_run(prog, &r);
		if (e && e != -ENOSPC) {
			fprintf(out, "pkt %d in %u err %d\n", i, len, e);
			continue;
		}
		if (e)
			fprintf(out, "pkt %d in %u err %d ret %u out %u", i, len, e, r.retval,
			        r.data_size_out);
		else
			fprintf(out, "pkt %d in %u ret %u out %u", i, len, r.retval,
			        r.data_size_out);
		print_packet(out, in, len, outp, r.data_size_out < cap ? r.data_size_out : cap);
		if (c->type == T_XDP_META)
			fprintf(out,
			        "xctx %d data %u data_end %u data_meta %u ingress_ifindex %u "
			        "rx_queue_index %u egress_ifindex %u\n",
			        i, xout.data, xout.data_end, xout.data_meta, xout.ingress_ifindex,
			        xout.rx_queue_index, xout.egress_ifindex);
		else if (c->type != T_XDP)
			fprintf(
			    out,
			    "ctx %d mark %u priority %u cb %u,%u,%u,%u,%u ifindex %u "
			    "ingress_ifindex %u wire_len %u gso_segs %u gso_size %u tstamp %llu\n",
			    i, ctx_out.mark, ctx_out.priority, ctx_out.cb[0], ctx_out.cb[1],
			    ctx_out.cb[2], ctx_out.cb[3], ctx_out.cb[4], ctx_out.ifindex,
			    ctx_out.ingress_ifindex, ctx_out.wire_len, ctx_out.gso_segs,
			    ctx_out.gso_size, (unsigned long long)ctx_out.tstamp);
	}
	int bad = 0;
	for (size_t m = 0; m < 6 && c->maps[m].map; m++)
		bad |= dump_map(obj, &c->maps[m], out) != 0;
	pb_close(obj);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OUTDIR [OBJDIR] [CASE...]\n", argv[0]);
		return 2;
	}
	const char *outdir = argv[1];
	const char *objdir = argc > 2 ? argv[2] : "-";
	const char *why = NULL;
	int rc = pb_init(objdir, &why);
	if (rc == 77) {
		printf("SKIP: %s back end cannot run here: %s\n", pb_backend_name, why);
		return 77;
	}
	if (rc) {
		printf("FAIL: %s back end: %s\n", pb_backend_name, why ? why : "init failed");
		return 1;
	}
	int failed = 0;
	for (size_t k = 0; k < NCASES; k++) {
		const struct pcase *c = &cases[k];
		if (argc > 3) {
			int want = 0;
			for (int a = 3; a < argc; a++)
				want |= !strcmp(argv[a], c->name);
			if (!want)
				continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.txt", outdir, c->name);
		FILE *out = fopen(path, "w");
		if (!out) {
			printf("FAIL: cannot write %s: %s\n", path, strerror(errno));
			return 1;
		}
		int r = run_case(c, out);
		fclose(out);
		if (r > 0) {
			printf("%s: %s: skipped (see %s)\n", pb_backend_name, c->name, path);
		} else if (r) {
			printf("%s: %s: could not run completely (see %s)\n", pb_backend_name,
			       c->name, path);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
