/*
 * driver.h - the one internal header of driver/: subcommands of the
 * bpf2native command line besides compiling.
 */
#ifndef B2N_DRIVER_H
#define B2N_DRIVER_H

/* `bpf2native gen skeleton INPUT [options]` (skeleton.c): argv[0] is "gen".
 * Returns the process exit status. */
int b2n_gen_main(int argc, char **argv);

/* `bpf2native compare PROG.o [options]` (compare.c): bpf2native side by side
 * with the kernel's JIT; argv[0] is "compare".  Returns the exit status. */
int b2n_compare_main(int argc, char **argv);

#endif
