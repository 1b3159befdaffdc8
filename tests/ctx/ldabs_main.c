/*
 * ldabs_main.c - LD_ABS/LD_IND end to end on one target: the socket
 * filter of ldabs.bpf.c, compiled by bpf2native (b2n_ldabs__ldabs_filter,
 * linked in), runs over a set of packets built here, next to the
 * target-built interpreter on the rewritten bytecode (--emit-raw, read
 * from argv[1]) and a C model of the filter.  Native and interpreter must
 * agree on every packet; on packets long enough for every load the C
 * model must agree too (on shorter ones the compiler may have hoisted a
 * load, so the result is the model's or 0, the out-of-packet exit).
 * Prints "ldabs: N passed, M failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf2native/ctx.h>
#include <bpf2native/isa.h>
#include <bpf2native/runtime.h>

uint64_t b2n_ldabs__ldabs_filter(void *ctx, uint64_t r2);

static uint32_t plen;
static const unsigned char *pkt;
static int oob;

static uint32_t ld(uint32_t off, int size)
{
	if ((uint64_t)off + (uint64_t)size > plen) {
		oob = 1;
		return 0;
	}
	uint32_t v = 0;
	for (int i = 0; i < size; i++)
		v = v << 8 | pkt[off + (uint32_t)i];
	return v;
}

/* The C model: 0 when a load leaves the packet, like the kernel. */
static uint32_t model(void)
{
	uint32_t r;
	oob = 0;
	if (ld(12, 2) != 0x0800) {
		r = (ld(0, 4) ^ ld(5, 1)) & 0x7fff;
	} else {
		uint32_t ihl = (ld(14, 1) & 0xf) * 4;
		if (oob)
			return 0;
		if (ld(23, 1) != 17)
			r = 1;
		else if (ld(14 + ihl + 2, 2) == 53)
			r = 0xffffffffu;
		else
			r = (ld(14 + ihl, 4) & 0xffff) + 2;
	}
	return oob ? 0 : r;
}

static void make(unsigned char *p, uint32_t *len, unsigned seed)
{
	static const unsigned ihls[] = {5, 6, 15};
	uint32_t n = 14 + 60 + 8 + 16;
	srand(seed);
	for (uint32_t i = 0; i < n; i++)
		p[i] = (unsigned char)rand();
	unsigned kind = seed % 6;
	if (kind != 5) {
		p[12] = 0x08, p[13] = 0x00;
		unsigned ihl = ihls[seed % 3];
		p[14] = (unsigned char)(0x40 | ihl);
		p[23] = kind == 4 ? 6 : 17;
		if (kind == 0 || kind == 1) { /* UDP to port 53 */
			p[14 + ihl * 4 + 2] = 0;
			p[14 + ihl * 4 + 3] = 53;
		}
		n = 14 + ihl * 4 + 8 + (seed % 4);
	}
	/* every seventh packet is cut short somewhere */
	if (seed % 7 == 3)
		n = (uint32_t)(seed % (n + 1));
	*len = n;
}

int main(int argc, char **argv)
{
	unsigned char buf[256];
	int pass = 0, fail = 0;
	struct b2n_insn *prog = NULL;
	size_t n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ldabs RAWFILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	unsigned char w[8];
	while (f && fread(w, 1, 8, f) == 8) {
		prog = realloc(prog, (n + 1) * sizeof(*prog));
		prog[n++] = b2n_insn_decode(w, 0);
	}
	if (f)
		fclose(f);
	if (!n) {
		printf("FAIL: no bytecode in %s\nldabs: 0 passed, 1 failed\n", argv[1]);
		return 1;
	}
	for (unsigned seed = 0; seed < 600; seed++) {
		uint32_t len;
		make(buf, &len, seed);
		struct b2n_sk_buff skb;
		memset(&skb, 0, sizeof(skb));
		skb.len = len;
		skb.data_ptr = buf;
		skb.data_end_ptr = buf + len;
		skb.data_meta_ptr = buf;
		pkt = buf, plen = len;
		uint32_t want = model();
		uint32_t got = (uint32_t)b2n_ldabs__ldabs_filter(&skb, 0);
		uint64_t ir = 0;
		int rc = b2n_interp__run(prog, n, &skb, 0, NULL, &ir);
		int full = len >= 14 + 60 + 8;
		if (rc || (uint32_t)ir != got || (full ? got != want : got != want && got != 0)) {
			printf("FAIL packet %u (%u bytes): native %#x, interpreter %#x (rc %d), model "
			       "%#x\n",
			       seed, len, got, (uint32_t)ir, rc, want);
			fail++;
		} else {
			pass++;
		}
	}
	free(prog);
	printf("ldabs: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
