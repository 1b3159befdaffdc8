/*
 * skeleton.c - `bpf2native gen skeleton`: placeholder until the skeleton
 * generator lands (issue #3).
 */
#include <stdio.h>

#include "driver/driver.h"

int b2n_gen_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "bpf2native: error: 'gen skeleton' is not implemented yet\n");
	return 1;
}
