/* kernel_check.c - the oracle of the xdp-pcap example: the same BPF object
 * (bpfel, as clang built it for the x86_64 run) loaded into the running
 * kernel with libbpf, the same rules installed (xp_fill_maps), every packet
 * of the pcap file run through BPF_PROG_TEST_RUN (bpf_prog_test_run_opts
 * with data_in/data_out), and the same report printed (report.c).  The
 * kernel does not tell where an XDP_REDIRECT would go (the test run does
 * not carry it out), so there are no "redirect-target" lines: the test
 * compares everything else with the native run.
 *
 * usage: kernel_check [-v] OBJ.bpf.o FILE.pcap
 * Exits 77 (skipped, with the reason) when the kernel does not let this
 * process load XDP programs or create a devmap, 1 on any other error. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xdp_pcap.h"

static int map_fd(void *ctx, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(ctx, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}

static int update(void *ctx, const char *name, const void *key, const void *value)
{
	int fd = map_fd(ctx, name);
	if (fd < 0)
		return fd;
	return bpf_map_update_elem(fd, key, value, 0) ? -errno : 0;
}

static int lookup(void *ctx, const char *name, const void *key, void *value)
{
	int fd = map_fd(ctx, name);
	if (fd < 0)
		return fd;
	return bpf_map_lookup_elem(fd, key, value) ? -errno : 0;
}

static int next_key(void *ctx, const char *name, const void *key, void *next)
{
	int fd = map_fd(ctx, name);
	if (fd < 0)
		return fd;
	return bpf_map_get_next_key(fd, key, next) ? -errno : 0;
}

struct run {
	const char *path;
	int prog_fd, verbose;
	struct xp_report report;
};

static int run_packet(void *ctx, const unsigned char *pkt, unsigned len)
{
	static unsigned char out[65536 + 4096];
	static const char *const vname[] = {"ABORTED", "DROP", "PASS", "TX", "REDIRECT"};
	struct run *r = ctx;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .data_out = out,
	            .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(r->prog_fd, &o)) {
		int err = -errno;
		fprintf(stderr, "%s: packet %lu (%u bytes): BPF_PROG_TEST_RUN: %s\n", r->path,
		        r->report.packets + 1, len, strerror(-err));
		return err;
	}
	xp_report_packet(&r->report, o.retval, out, o.data_size_out);
	if (r->verbose)
		printf("packet %lu: %u bytes: %s\n", r->report.packets, len,
		       o.retval < 5 ? vname[o.retval] : "?");
	return 0;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	struct xp_map_ops ops = {.lookup = lookup, .next_key = next_key};
	struct run r = {0};
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	int err, rc = 1, probe;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		r.verbose = 1;
		argv++, argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kernel_check [-v] OBJ.bpf.o FILE.pcap\n");
		return 1;
	}
	libbpf_set_print(quiet_print);
	probe = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (probe <= 0) {
		printf("SKIP: the kernel does not load XDP programs here (%s)\n",
		       probe < 0 ? strerror(-probe) : "unsupported");
		return 77;
	}
	probe = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_DEVMAP, NULL);
	if (probe <= 0) {
		printf("SKIP: the kernel does not create devmaps here (%s)\n",
		       probe < 0 ? strerror(-probe) : "unsupported");
		return 77;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "%s: open: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((err = bpf_object__load(obj))) {
		fprintf(stderr, "%s: load: %s\n", argv[1], strerror(-err));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_filter");
	if (!prog) {
		fprintf(stderr, "%s: no program xdp_filter\n", argv[1]);
		goto out;
	}
	ops.ctx = obj;
	if ((err = xp_fill_maps(obj, update))) {
		fprintf(stderr, "filling the maps: %s\n", strerror(-err));
		goto out;
	}
	r.path = argv[2];
	r.prog_fd = bpf_program__fd(prog);
	if (xp_for_each_packet(argv[2], run_packet, &r) || xp_report_print(&r.report, &ops))
		goto out;
	rc = 0;
out:
	bpf_object__close(obj);
	return rc;
}
