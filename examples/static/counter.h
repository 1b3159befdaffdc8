/* counter.h - types shared by counter.bpf.c and the application.  Plain C
 * types whose sizes agree between BPF and every 64-bit target. */
#ifndef COUNTER_H
#define COUNTER_H

/* The context a program run receives (its layout is ours to choose). */
struct pkt {
	unsigned int flow;
	unsigned int len;
};

/* Value of the `flows` hash map. */
struct flow_stats {
	unsigned long long packets;
	unsigned long long bytes;
};

/* Slots of the `totals` array. */
enum { TOTAL_PACKETS, TOTAL_BYTES, TOTAL_DROPS, TOTAL_SLOTS };

#endif
