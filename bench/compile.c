/*
 * compile.c - compile time and peak memory of `bpf2native -O2` on
 * generated programs of 1k, 10k, 100k and 1M instructions.
 *
 * The generator writes raw bytecode (8 bytes per insn, little-endian) of
 * one program shaped like real straight-line BPF code, from a fixed seed:
 *   - a prologue that sets r0 and r2..r9 and stores 16 stack slots;
 *   - then blocks of 4..12 instructions, each instruction drawn from:
 *     64-bit and 32-bit ALU with a register or an immediate (add, sub,
 *     mul, or, and, xor, shifts by constants, mov, neg), a load of a
 *     stack slot or of the context (r1 + 0..63), a stack store, a byte
 *     swap, and, closing about half the blocks, a forward conditional
 *     jump (register or immediate compare) over 1..6 instructions of the
 *     next block;
 *   - an epilogue `r0 = r5; exit`.
 * No loops and no helper calls, so the code is what the verifier and the
 * optimiser see in real packet code, scaled up.
 * Each size is compiled in a child (fork + exec) waited for with wait4:
 * wall time, and the child's ru_maxrss as peak memory.  Sizes are run
 * from the smallest; the line for each gives insns/second and the time
 * per 1k instructions relative to the 10k program (1.00 = linear).
 *
 * A compile that takes longer than LIMIT seconds of wall time (default
 * 600, environment B2N_COMPILE_LIMIT) is killed and reported as such: a
 * measured result, not a failure.
 *
 * usage: compile BPF2NATIVE WORKDIR CSV SIZE...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void put(FILE *f, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	uint8_t b[8] = {code,
	                (uint8_t)(dst | src << 4),
	                (uint8_t)off,
	                (uint8_t)((uint16_t)off >> 8),
	                (uint8_t)imm,
	                (uint8_t)(imm >> 8),
	                (uint8_t)(imm >> 16),
	                (uint8_t)((uint32_t)imm >> 24)};
	fwrite(b, 1, 8, f);
}

/* A scratch register: r0, r2..r9 (r1 keeps the context). */
static int reg(void)
{
	int r = (int)rnd(9);
	return r == 1 ? 9 : r;
}

static const uint8_t alu_ops[] = {0x00, 0x10, 0x20, 0x40,
                                  0x50, 0xa0, 0xb0}; /* add sub mul or and xor mov */

/* One instruction that is not a jump. */
static void gen_insn(FILE *f)
{
	uint32_t k = rnd(100);
	int d = reg(), s = reg();
	if (k < 30) { /* ALU64 reg */
		put(f, 0x07 | 0x08 | alu_ops[rnd(sizeof(alu_ops))], d, s, 0, 0);
	} else if (k < 50) { /* ALU64 imm */
		put(f, 0x07 | alu_ops[rnd(sizeof(alu_ops))], d, 0, 0, (int32_t)rnd(4096) - 2048);
	} else if (k < 60) { /* ALU32 reg/imm */
		if (rnd(2))
			put(f, 0x04 | 0x08 | alu_ops[rnd(sizeof(alu_ops))], d, s, 0, 0);
		else
			put(f, 0x04 | alu_ops[rnd(sizeof(alu_ops))], d, 0, 0,
			    (int32_t)rnd(1 << 20));
	} else if (k < 66) { /* shifts by a constant: lsh, rsh, arsh */
		static const uint8_t sh[] = {0x60, 0x70, 0xc0};
		put(f, 0x07 | sh[rnd(3)], d, 0, 0, (int32_t)rnd(64));
	} else if (k < 68) {
		put(f, 0x87, d, 0, 0, 0); /* neg */
	} else if (k < 70) {
		put(f, 0xd4 | 0x08, d, 0, 0, 32); /* be32 */
	} else if (k < 80) {                      /* load a stack slot */
		put(f, 0x79, d, 10, (int16_t)(-8 * (1 + (int)rnd(16))), 0);
	} else if (k < 88) {                                          /* load the context */
		static const uint8_t sz[] = {0x61, 0x69, 0x71, 0x79}; /* w h b dw */
		int i = (int)rnd(4);
		int bytes = (int[]){4, 2, 1, 8}[i];
		put(f, sz[i], d, 1, (int16_t)(bytes * (int)rnd(64 / (unsigned)bytes)), 0);
	} else { /* store to a stack slot */
		put(f, 0x7b, 10, s, (int16_t)(-8 * (1 + (int)rnd(16))), 0);
	}
}

/* Write a program of exactly n instructions (n >= 64). */
static int gen(const char *path, long n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	long left = n;
	put(f, 0xb7, 0, 0, 0, 1);
	for (int r = 2; r <= 9; r++)
		put(f, 0xb7, r, 0, 0, r * 7);
	for (int i = 1; i <= 16; i++)
		put(f, 0x7b, 10, 2 + i % 8, (int16_t)(-8 * i), 0);
	left -= 25;
	left -= 2; /* epilogue */
	static const uint8_t jops[] = {0x10, 0x20, 0x30, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0};
	while (left > 0) {
		long blk = 4 + rnd(9);
		if (blk > left)
			blk = left;
		long body = blk;
		int jump = blk >= 2 && rnd(2);
		if (jump)
			body--;
		for (long i = 0; i < body; i++)
			gen_insn(f);
		left -= blk;
		if (jump) {
			int off = 1 + (int)rnd(6);
			if (off > left)
				off = (int)left; /* never past the epilogue's first insn */
			uint8_t op = jops[rnd(sizeof(jops))];
			if (rnd(2))
				put(f, 0x05 | 0x08 | op, reg(), reg(), (int16_t)off, 0);
			else
				put(f, 0x05 | op, reg(), 0, (int16_t)off, (int32_t)rnd(1000));
		}
	}
	put(f, 0xbf, 0, 5, 0, 0); /* r0 = r5 */
	put(f, 0x95, 0, 0, 0, 0);
	return fclose(f) ? -errno : 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s BPF2NATIVE WORKDIR CSV SIZE...\n", argv[0]);
		return 2;
	}
	FILE *csv = fopen(argv[3], "w");
	if (!csv) {
		fprintf(stderr, "compile: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	fprintf(csv, "insns,wall_s,cpu_s,maxrss_kib,insns_per_s\n");
	double limit = getenv("B2N_COMPILE_LIMIT") ? atof(getenv("B2N_COMPILE_LIMIT")) : 600;
	long ns[64];
	double walls[64], cpus[64], rss[64];
	int nres = 0, rc = 0;
	for (int a = 4; a < argc && nres < 64; a++) {
		long n = strtol(argv[a], NULL, 10);
		char in[4096], out[4096];
		snprintf(in, sizeof(in), "%s/gen%ld.bin", argv[2], n);
		snprintf(out, sizeof(out), "%s/gen%ld.o", argv[2], n);
		if (n < 64 || gen(in, n)) {
			fprintf(stderr, "compile: cannot generate %s\n", in);
			return 1;
		}
		double t0 = now_s();
		pid_t pid = fork();
		if (pid == 0) {
			/* --unsafe: this measures code generation; the safety pass
			 * refuses the 100k and 1M programs (their branchy
			 * straight-line code needs more than 8 instructions of walk
			 * per instruction), see README "Safety" */
			execl(argv[1], argv[1], "-O2", "--unsafe", "-x", "raw", "--object-name", "gen", in,
			      "-o", out, (char *)NULL);
			_exit(127);
		}
		int st = 0;
		struct rusage ru;
		pid_t w = 0;
		while (pid > 0 && (w = wait4(pid, &st, WNOHANG, &ru)) == 0) {
			if (now_s() - t0 > limit) {
				kill(pid, SIGKILL);
				w = wait4(pid, &st, 0, &ru);
				double c = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec;
				printf("%9ld did not finish within the %.0f s limit (%.0f s CPU, "
				       "%.1f MiB "
				       "peak so far): killed\n",
				       n, limit, c, (double)ru.ru_maxrss / 1024.0);
				fprintf(csv, "%ld,>%.0f,%.0f,%ld,\n", n, limit, c, ru.ru_maxrss);
				st = -1;
				break;
			}
			usleep(20000);
		}
		if (st == -1)
			continue;
		if (pid < 0 || w < 0) {
			fprintf(stderr, "compile: fork/wait: %s\n", strerror(errno));
			return 1;
		}
		double wall = now_s() - t0;
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("%9ld FAILED (bpf2native status %d)\n", n, st);
			rc = 1;
			continue;
		}
		fprintf(stderr, "  %ld insns: %.2f s\n", n, cpu);
		ns[nres] = n, walls[nres] = wall, cpus[nres] = cpu;
		rss[nres++] = (double)ru.ru_maxrss / 1024.0;
		fprintf(csv, "%ld,%.3f,%.3f,%ld,%.0f\n", n, wall, cpu, ru.ru_maxrss,
		        (double)n / cpu);
		unlink(out);
	}
	/* linearity: CPU time per instruction relative to the 10k program
	 * (else the first), CPU time because the other processes on the 2
	 * cores inflate the wall time */
	double ref = nres ? cpus[0] / (double)ns[0] : 1;
	for (int i = 0; i < nres; i++)
		if (ns[i] == 10000)
			ref = cpus[i] / (double)ns[i];
	printf("%9s %9s %9s %10s %12s %14s\n", "insns", "wall s", "cpu s", "peak MiB",
	       "insns/cpu-s", "cpu/insn vs10k");
	for (int i = 0; i < nres; i++)
		printf("%9ld %9.3f %9.3f %10.1f %12.0f %14.2f\n", ns[i], walls[i], cpus[i], rss[i],
		       (double)ns[i] / cpus[i], cpus[i] / (double)ns[i] / ref);
	fclose(csv);
	return rc;
}
