/* main.c - the xdp-pcap example: runs the XDP program of xdp_pcap.bpf.c,
 * compiled by bpf2native and linked statically with the runtime, over every
 * packet of a pcap file.
 *
 * It opens the object through its generated skeleton (xdp_pcap.skel.h),
 * installs the block lists and the devmap slots (xp_fill_maps, as the
 * kernel checker does), reads the capture with libpcap (pcap_open_offline,
 * pcap_next_ex, in report.c) and runs the program over each packet with
 * b2n_program__test_run, which gives the verdict, the packet as the program
 * left it (XDP_TX rewrites it) and, for XDP_REDIRECT, the redirect target.
 * It then prints the report of report.c (verdict counts, a hash of the
 * output packets, every map) and the redirect targets, one
 * "redirect-target" line per (map, slot, ifindex).
 *
 * usage: xdp-pcap [-v] FILE.pcap     -v: one line per packet
 * Exit status 0, or 1 on any error (message on stderr). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xdp_pcap.h"
#include "xdp_pcap.skel.h"

struct redirect_target {
	const struct b2n_map *map;
	unsigned key, ifindex;
	unsigned long count;
};

struct run {
	const char *path;
	struct b2n_program *prog;
	int verbose;
	struct xp_report report;
	struct redirect_target targets[64];
	unsigned ntargets;
};

static struct b2n_map *map_by_name(void *ctx, const char *name)
{
	struct xdp_pcap *skel = ctx;
	return b2n_object__find_map_by_name(skel->obj, name);
}

static int update(void *ctx, const char *name, const void *key, const void *value)
{
	struct b2n_map *m = map_by_name(ctx, name);
	if (!m)
		return -ENOENT;
	return b2n_map__update_elem(m, key, b2n_map__key_size(m), value, b2n_map__value_size(m), 0);
}

static int lookup(void *ctx, const char *name, const void *key, void *value)
{
	struct b2n_map *m = map_by_name(ctx, name);
	if (!m)
		return -ENOENT;
	return b2n_map__lookup_elem(m, key, b2n_map__key_size(m), value, b2n_map__value_size(m), 0);
}

static int next_key(void *ctx, const char *name, const void *key, void *next)
{
	struct b2n_map *m = map_by_name(ctx, name);
	if (!m)
		return -ENOENT;
	return b2n_map__get_next_key(m, key, next, b2n_map__key_size(m));
}

static int run_packet(void *ctx, const unsigned char *pkt, unsigned len)
{
	static unsigned char out[65536 + 4096];
	static const char *const vname[] = {"ABORTED", "DROP", "PASS", "TX", "REDIRECT"};
	struct run *r = ctx;
	struct b2n_test_run_opts o = {
	    .sz = sizeof(o),
	    .data_in = pkt,
	    .data_size_in = len,
	    .data_out = out,
	    .data_size_out = sizeof(out),
	};
	unsigned i;
	int err = b2n_program__test_run(r->prog, &o);

	if (err) {
		fprintf(stderr, "%s: packet %lu (%u bytes): test_run: %s\n", r->path,
		        r->report.packets + 1, len, strerror(-err));
		return err;
	}
	xp_report_packet(&r->report, o.retval, out, o.data_size_out);
	if (r->verbose)
		printf("packet %lu: %u bytes: %s\n", r->report.packets, len,
		       o.retval < 5 ? vname[o.retval] : "?");
	if (o.retval != 4 /* XDP_REDIRECT */)
		return 0;
	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].map == o.redirect_map && r->targets[i].key == o.redirect_key &&
		    r->targets[i].ifindex == o.redirect_ifindex)
			break;
	if (i == r->ntargets && i < sizeof(r->targets) / sizeof(r->targets[0]))
		r->targets[r->ntargets++] =
		    (struct redirect_target){o.redirect_map, o.redirect_key, o.redirect_ifindex, 0};
	if (i < r->ntargets)
		r->targets[i].count++;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct xp_map_ops ops = {.lookup = lookup, .next_key = next_key};
	struct xdp_pcap *skel;
	unsigned i;
	int err, rc = 1;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		r.verbose = 1;
		argv++, argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: xdp-pcap [-v] FILE.pcap\n");
		return 1;
	}
	skel = xdp_pcap__open();
	if (!skel || (err = xdp_pcap__load(skel))) {
		fprintf(stderr, "xdp_pcap: open/load failed: %s\n", strerror(errno));
		goto out;
	}
	ops.ctx = skel;
	if ((err = xp_fill_maps(skel, update))) {
		fprintf(stderr, "xdp_pcap: filling the maps: %s\n", strerror(-err));
		goto out;
	}
	r.path = argv[1];
	r.prog = skel->progs.xdp_filter;
	if (xp_for_each_packet(argv[1], run_packet, &r) || xp_report_print(&r.report, &ops))
		goto out;
	for (i = 0; i < r.ntargets; i++)
		printf("redirect-target %s[%u] ifindex %u: %lu packets\n",
		       r.targets[i].map ? b2n_map__name(r.targets[i].map) : "(bpf_redirect)",
		       r.targets[i].key, r.targets[i].ifindex, r.targets[i].count);
	rc = 0;
out:
	xdp_pcap__destroy(skel);
	return rc;
}
