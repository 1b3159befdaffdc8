/* gen_pcap.c - writes the sample capture of the xdp-pcap example, the
 * same bytes on every run: a fixed list of Ethernet frames, built field by
 * field in network byte order and written with libpcap (pcap_open_dead,
 * pcap_dump_open, pcap_dump) with fixed timestamps.  The frames exercise
 * every rule of xdp_pcap.bpf.c: IPv4 (with options, fragments) and IPv6,
 * TCP/UDP/ICMP/ICMPv6, zero, one, two and three VLAN tags, blocked ports
 * and addresses, the echo port (XDP_TX), the redirect ports (devmap slots
 * set and empty), and headers cut short (XDP_ABORTED).
 *
 * usage: gen_pcap OUT.pcap */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "xdp_pcap.h"

enum { TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58, GRE = 47 };

struct pkt {
	unsigned char b[2048];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}
static void put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = v;
}
static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}
static void put32(struct pkt *p, unsigned long v)
{
	put16(p, v >> 16);
	put16(p, v);
}

static const unsigned char mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const unsigned char mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

/* Ethernet with `ntags` VLAN tags (outer 802.1ad when there are two). */
static void eth(struct pkt *p, unsigned type, int ntags)
{
	int i;
	p->n = 0;
	put(p, mac_b, 6);
	put(p, mac_a, 6);
	for (i = 0; i < ntags; i++) {
		put16(p, i == 0 && ntags > 1 ? 0x88a8 : 0x8100);
		put16(p, 100 + i);
	}
	put16(p, type);
}

static unsigned csum(const unsigned char *b, size_t n)
{
	unsigned long s = 0;
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		s += b[i] << 8 | b[i + 1];
	if (n & 1)
		s += b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* IPv4 header from a.b.c.d to 10.0.0.2; ihl in words; l4len bytes follow. */
static void ipv4(struct pkt *p, const unsigned char src[4], unsigned proto, unsigned ihl,
                 unsigned frag, size_t l4len)
{
	size_t start = p->n;
	unsigned i;
	put8(p, 0x40 | ihl);
	put8(p, 0);
	put16(p, ihl * 4 + l4len);
	put16(p, 0x1234);
	put16(p, frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	put(p, src, 4);
	put32(p, 0x0a000002);
	for (i = 5; i < ihl; i++)
		put32(p, 0x01010101); /* NOP options */
	i = csum(p->b + start, p->n - start);
	p->b[start + 10] = i >> 8;
	p->b[start + 11] = i;
}

static void ipv6(struct pkt *p, unsigned last, unsigned nexthdr, size_t l4len)
{
	unsigned char src[16] = {0x20, 0x01, 0x0d, 0xb8};
	unsigned char dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	src[15] = last;
	put32(p, 0x60000000);
	put16(p, l4len);
	put8(p, nexthdr);
	put8(p, 64);
	put(p, src, 16);
	put(p, dst, 16);
}

static void payload(struct pkt *p, size_t n, unsigned seed)
{
	size_t i;
	for (i = 0; i < n; i++)
		put8(p, (seed * 7 + i * 13) & 0xff);
}

static void tcp(struct pkt *p, unsigned dport, size_t len)
{
	put16(p, 40000 + dport % 1000);
	put16(p, dport);
	put32(p, 1000);
	put32(p, 0);
	put16(p, 0x5002); /* data offset 5, SYN */
	put16(p, 65535);
	put16(p, 0);
	put16(p, 0);
	payload(p, len, dport);
}

static void udp(struct pkt *p, unsigned dport, size_t len)
{
	put16(p, 50000 + dport % 1000);
	put16(p, dport);
	put16(p, 8 + len);
	put16(p, 0);
	payload(p, len, dport);
}

static const unsigned char h1[4] = {10, 0, 0, 1}, h66[4] = {10, 0, 0, 66}, h99[4] = {192, 0, 2, 99};

/* frame k of the list into p; 0 past the end */
static int frame(struct pkt *p, int k)
{
	/* one frame a line */
	// clang-format off
	switch (k) {
	/* IPv4 */
	case 0: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 40); tcp(p, 80, 20); break;
	case 1: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 443, 0); break;
	case 2: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 22, 0); break;
	case 3: eth(p, 0x0800, 0); ipv4(p, h1, UDP, 5, 0, 40); udp(p, 53, 32); break;
	case 4: eth(p, 0x0800, 0); ipv4(p, h1, UDP, 5, 0, 72); udp(p, XP_ECHO_PORT, 64); break;
	case 5: eth(p, 0x0800, 0); ipv4(p, h66, UDP, 5, 0, 40); udp(p, 53, 32); break;
	case 6: eth(p, 0x0800, 0); ipv4(p, h99, TCP, 5, 0, 20); tcp(p, 80, 0); break;
	case 7: case 8: case 9: case 10: case 11: case 12:
		eth(p, 0x0800, 0);
		ipv4(p, h1, TCP, 5, 0, 20 + k);
		tcp(p, XP_REDIRECT_PORT + (k - 7) % XP_NPORTS, k);
		break;
	case 13: eth(p, 0x0800, 0); ipv4(p, h1, ICMP, 5, 0, 16); payload(p, 16, 1); break;
	case 14: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 6, 0, 20); tcp(p, 23, 0); break;
	case 15: eth(p, 0x0800, 0); ipv4(p, h1, UDP, 5, 185, 100); payload(p, 100, 2); break;
	case 16: eth(p, 0x0800, 0); ipv4(p, h1, GRE, 5, 0, 24); payload(p, 24, 3); break;
	case 17: eth(p, 0x0800, 0); ipv4(p, h66, UDP, 5, 0, 12); udp(p, XP_ECHO_PORT, 4); break;
	case 18: eth(p, 0x0800, 0); ipv4(p, h1, UDP, 5, 0, 1472); udp(p, 5000, 1464); break;
	case 19: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 15, 0, 20); tcp(p, 8080, 0); break;
	/* IPv6 */
	case 20: eth(p, 0x86dd, 0); ipv6(p, 1, TCP, 30); tcp(p, 80, 10); break;
	case 21: eth(p, 0x86dd, 0); ipv6(p, 1, UDP, 48); udp(p, XP_ECHO_PORT, 40); break;
	case 22: eth(p, 0x86dd, 0); ipv6(p, 0x66, TCP, 20); tcp(p, 80, 0); break;
	case 23: eth(p, 0x86dd, 0); ipv6(p, 1, ICMPV6, 8); payload(p, 8, 4); break;
	case 24: eth(p, 0x86dd, 0); ipv6(p, 1, TCP, 20); tcp(p, 8081, 0); break;
	case 25: eth(p, 0x86dd, 0); ipv6(p, 1, UDP, 8); udp(p, 3389, 0); break;
	case 26: eth(p, 0x86dd, 0); ipv6(p, 1, 0 /* hop-by-hop */, 8); payload(p, 8, 5); break;
	/* VLAN */
	case 27: eth(p, 0x0800, 1); ipv4(p, h1, UDP, 5, 0, 20); udp(p, 53, 12); break;
	case 28: eth(p, 0x0800, 1); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 8082, 0); break;
	case 29: eth(p, 0x86dd, 2); ipv6(p, 1, UDP, 24); udp(p, XP_ECHO_PORT, 16); break;
	case 30: eth(p, 0x0800, 2); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 22, 0); break;
	case 31: eth(p, 0x0800, 3); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 80, 0); break;
	case 32: eth(p, 0x86dd, 1); ipv6(p, 1, TCP, 20); tcp(p, 8083, 0); break;
	/* other L2 */
	case 33: /* ARP request */
		eth(p, 0x0806, 0);
		put16(p, 1), put16(p, 0x0800), put8(p, 6), put8(p, 4), put16(p, 1);
		put(p, mac_a, 6), put32(p, 0x0a000001), put32(p, 0), put16(p, 0), put32(p, 0x0a000002);
		payload(p, 18, 6);
		break;
	case 34: eth(p, 0x88cc, 0); payload(p, 46, 7); break; /* LLDP */
	/* cut short: XDP_ABORTED */
	case 35: eth(p, 0x0800, 0); break;
	case 36: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 20); p->b[14] = 0x44; tcp(p, 80, 0); break;
	case 37: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 20); p->b[14] = 0x4f; p->n = 14 + 40; break;
	case 38: eth(p, 0x0800, 0); ipv4(p, h1, TCP, 5, 0, 20); tcp(p, 80, 0); p->n -= 10; break;
	case 39: eth(p, 0x86dd, 0); ipv6(p, 1, TCP, 20); p->n -= 10; break;
	case 40: eth(p, 0x8100, 0); put16(p, 5); break;
	case 41: eth(p, 0x86dd, 0); ipv6(p, 1, UDP, 8); udp(p, 53, 0); p->n -= 1; break;
	case 42: eth(p, 0x0800, 1); ipv4(p, h1, UDP, 5, 0, 8); p->n -= 1; break;
	default: return 0;
	}
	// clang-format on
	return 1;
}

int main(int argc, char **argv)
{
	static struct pkt p;
	pcap_t *dead;
	pcap_dumper_t *d;
	int k;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_pcap OUT.pcap\n");
		return 1;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!dead || !(d = pcap_dump_open(dead, argv[1]))) {
		fprintf(stderr, "%s: %s\n", argv[1], dead ? pcap_geterr(dead) : "pcap_open_dead");
		return 1;
	}
	for (k = 0; frame(&p, k); k++) {
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + k;
		h.ts.tv_usec = k * 1000;
		h.caplen = h.len = p.n;
		pcap_dump((unsigned char *)d, &h, p.b);
	}
	if (pcap_dump_flush(d)) {
		fprintf(stderr, "%s: write error\n", argv[1]);
		return 1;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	printf("gen_pcap: %d frames in %s\n", k, argv[1]);
	return 0;
}
