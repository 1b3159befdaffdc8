/* report.c - what both runners share (see xdp_pcap.h): the capture reader,
 * the rules they install and the report they print.  The reader is libpcap's
 * pcap_open_offline / pcap_next_ex loop; it lives here rather than in the
 * runners because <pcap/pcap.h> and libbpf's <bpf/bpf.h> cannot be included
 * together (both define struct bpf_insn and struct bpf_program).  The report lists the packet
 * count, the verdict counts, an FNV-1a hash of every packet as the program left it, then each map:
 * the proto_stats and redirect_stats arrays slot by slot, the hash maps and the devmap entry by
 * entry in ascending key order (keys collected with get_next_key, then sorted).  Addresses and
 * ports are printed from their network-order bytes, so the output is the same on every host. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdp_pcap.h"

static const char *const verdict_names[5] = {"ABORTED", "DROP", "PASS", "TX", "REDIRECT"};

void xp_report_packet(struct xp_report *r, unsigned verdict, const void *pkt, size_t len)
{
	const unsigned char *b = pkt;
	unsigned long long h = r->out_hash ? r->out_hash : 0xcbf29ce484222325ULL;
	size_t i;

	r->packets++;
	if (verdict < 5)
		r->verdicts[verdict]++;
	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL; /* packet separator */
	r->out_hash = h;
	r->out_bytes += len;
}

int xp_for_each_packet(const char *path,
                       int (*fn)(void *ctx, const unsigned char *pkt, unsigned len), void *ctx)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const unsigned char *pkt;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	int err;

	if (!pc) {
		fprintf(stderr, "%s\n", errbuf); /* names the file */
		return -EINVAL;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "%s: link type %s, not Ethernet\n", path,
		        pcap_datalink_val_to_name(pcap_datalink(pc)));
		pcap_close(pc);
		return -EINVAL;
	}
	while ((err = pcap_next_ex(pc, &hdr, &pkt)) == 1) {
		int ret = fn(ctx, pkt, hdr->caplen);
		if (ret) {
			pcap_close(pc);
			return ret;
		}
	}
	if (err != PCAP_ERROR_BREAK) {
		fprintf(stderr, "%s: %s\n", path, pcap_geterr(pc));
		pcap_close(pc);
		return -EIO;
	}
	pcap_close(pc);
	return 0;
}

static size_t key_size_for_sort;
static int qsort_cmp(const void *a, const void *b)
{
	return memcmp(a, b, key_size_for_sort);
}

/* All keys of a map, sorted bytewise (network-order keys sort numerically;
 * the u32 keys of the devmap are converted by the caller). */
static int collect_keys(const struct xp_map_ops *ops, const char *map, size_t ksz,
                        unsigned char **out, size_t *n)
{
	unsigned char *keys = NULL, cur[16];
	size_t cap = 0;
	int err;

	*n = 0;
	for (err = ops->next_key(ops->ctx, map, NULL, cur); !err;
	     err = ops->next_key(ops->ctx, map, keys + (*n - 1) * ksz, cur)) {
		if (*n == cap) {
			unsigned char *k = realloc(keys, (cap = cap ? 2 * cap : 16) * ksz);
			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
		}
		memcpy(keys + (*n)++ * ksz, cur, ksz);
		if (*n > 4096) {
			free(keys);
			return -ELOOP;
		}
	}
	if (err != -ENOENT) {
		free(keys);
		fprintf(stderr, "%s: get_next_key: %s\n", map, strerror(-err));
		return err;
	}
	key_size_for_sort = ksz;
	if (*n)
		qsort(keys, *n, ksz, qsort_cmp);
	*out = keys;
	return 0;
}

static void print_key(const char *map, const unsigned char *k)
{
	if (!strcmp(map, "block_ports")) {
		printf("port %u", k[0] << 8 | k[1]);
	} else if (!strcmp(map, "block_v4")) {
		printf("%u.%u.%u.%u", k[0], k[1], k[2], k[3]);
	} else {
		int i;
		for (i = 0; i < 16; i += 2)
			printf("%s%x", i ? ":" : "", k[i] << 8 | k[i + 1]);
	}
}

static int print_hash(const struct xp_map_ops *ops, const char *map, size_t ksz)
{
	unsigned char *keys = NULL;
	unsigned long long hits;
	size_t n, i;
	int err = collect_keys(ops, map, ksz, &keys, &n);

	if (err)
		return err;
	printf("map %s: %zu entries\n", map, n);
	for (i = 0; i < n && !err; i++) {
		err = ops->lookup(ops->ctx, map, keys + i * ksz, &hits);
		if (err) {
			fprintf(stderr, "%s: lookup: %s\n", map, strerror(-err));
			break;
		}
		printf("  ");
		print_key(map, keys + i * ksz);
		printf(": %llu hits\n", hits);
	}
	free(keys);
	return err;
}

static int print_array(const struct xp_map_ops *ops, const char *map, unsigned n,
                       const char *const *names)
{
	struct xp_counter c;
	unsigned i;
	int err;

	printf("map %s:\n", map);
	for (i = 0; i < n; i++) {
		err = ops->lookup(ops->ctx, map, &i, &c);
		if (err) {
			fprintf(stderr, "%s[%u]: lookup: %s\n", map, i, strerror(-err));
			return err;
		}
		if (names)
			printf("  %-14s %6llu packets %8llu bytes\n", names[i], c.packets, c.bytes);
		else
			printf("  [%u] port %-6u %6llu packets %8llu bytes\n", i,
			       XP_REDIRECT_PORT + i, c.packets, c.bytes);
	}
	return 0;
}

static int print_devmap(const struct xp_map_ops *ops)
{
	unsigned k, ifindex;
	int err;

	printf("map tx_ports:\n");
	for (k = 0; k < XP_NPORTS; k++) {
		err = ops->lookup(ops->ctx, "tx_ports", &k, &ifindex);
		if (err == -ENOENT) {
			printf("  [%u] empty\n", k);
			continue;
		}
		if (err) {
			fprintf(stderr, "tx_ports[%u]: lookup: %s\n", k, strerror(-err));
			return err;
		}
		printf("  [%u] ifindex %u\n", k, ifindex);
	}
	return 0;
}

int xp_report_print(const struct xp_report *r, const struct xp_map_ops *ops)
{
#define XP_NAME(id, name) name,
	static const char *const stat_names[] = {XP_STATS(XP_NAME)};
#undef XP_NAME
	int i, err;

	printf("packets: %lu\n", r->packets);
	printf("verdicts:");
	for (i = 0; i < 5; i++)
		printf(" %s %lu", verdict_names[i], r->verdicts[i]);
	printf("\npackets out: %lu bytes, fnv1a %016llx\n", r->out_bytes, r->out_hash);
	if ((err = print_array(ops, "proto_stats", XP_NSTATS, stat_names)) ||
	    (err = print_array(ops, "redirect_stats", XP_NPORTS, NULL)) ||
	    (err = print_devmap(ops)) || (err = print_hash(ops, "block_ports", 2)) ||
	    (err = print_hash(ops, "block_v4", 4)) || (err = print_hash(ops, "block_v6", 16)))
		return err;
	return 0;
}

int xp_fill_maps(void *ctx,
                 int (*update)(void *ctx, const char *map, const void *key, const void *value))
{
	static const unsigned char ports[][2] = {{0, 22}, {0x00, 0x17} /* 23 */, {0x0d, 0x3d}};
	static const unsigned char v4[][4] = {{10, 0, 0, 66}, {192, 0, 2, 99}};
	static const unsigned char v6[][16] = {
	    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x66}};
	/* slot 3 stays empty: its redirects fall back to XDP_PASS */
	static const unsigned devs[][2] = {{0, 1}, {1, 1}, {2, 1}};
	unsigned long long zero = 0;
	size_t i;
	int err;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if ((err = update(ctx, "block_ports", ports[i], &zero)))
			return err;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		if ((err = update(ctx, "block_v4", v4[i], &zero)))
			return err;
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		if ((err = update(ctx, "block_v6", v6[i], &zero)))
			return err;
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if ((err = update(ctx, "tx_ports", &devs[i][0], &devs[i][1])))
			return err;
	return 0;
}
