/*
 * hello.h - the context shared by hello.bpf.c (BPF side) and main.c (the
 * native caller).  Fixed-size fields only, so both sides agree on the
 * layout on every target.
 */
#ifndef HELLO_H
#define HELLO_H

#define HELLO_MAX 60

struct hello_ctx {
	unsigned int len;
	unsigned char data[HELLO_MAX];
};

#endif
