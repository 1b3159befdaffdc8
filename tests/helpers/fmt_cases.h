/*
 * fmt_cases.h - bpf_snprintf cases shared by the BPF program
 * kernel_fmt.bpf.c (run in the kernel) and kernel_fmt_test.c (the same
 * calls on the runtime's b2n_h_snprintf).  FMT_CASES(X) expands
 * X(index, format, arguments...) with constant formats (the kernel's
 * verifier checks them) and integer arguments; the includer defines the
 * pointer arguments S (the string "hello"), S2 (""), IP4 (192.168.1.2)
 * and IP6 (2001:db8::1) on its side.  Formats whose output depends on the
 * kernel (plain %p is hashed, %pK follows kptr_restrict, %pus on a kernel
 * address fails) are not listed, nor cases where the kernel reads stale
 * padding of its per-CPU argument area (a number read in place of a
 * pre-formatted string that was not skipped because the buffer was full).
 */
#ifndef B2N_TEST_FMT_CASES_H
#define B2N_TEST_FMT_CASES_H

#define FMT_OUT_SIZE 96
#define FMT_NEG(x) ((unsigned long long)-(long long)(x))

#define FMT_CASES(X)                                                                               \
	X(0, "plain text", 0)                                                                      \
	X(1, "%d|%i|%u", FMT_NEG(5), FMT_NEG(5), FMT_NEG(5))                                       \
	X(2, "%x|%X|%lx|%lX", 0xdeadbeefULL, 0xdeadbeefULL, 0x123456789abcdefULL,                  \
	  0x123456789abcdefULL)                                                                    \
	X(3, "%5d|%-5d|%05d|%+d", 42, 42, 42, 42)                                                  \
	X(4, "% d|%+5d|%-+5d|%-05d|% 05d", 7, 7, 7, 7, FMT_NEG(7))                                 \
	X(5, "%lld|%llu|%llx", 0x8000000000000000ULL, 0xffffffffffffffffULL,                       \
	  0xfedcba9876543210ULL)                                                                   \
	X(6, "%ld %lu %li", FMT_NEG(1), FMT_NEG(1), FMT_NEG(123456789012LL))                       \
	X(7, "%d %u %x", 0x100000005ULL, 0x1ffffffffULL, 0xabc00000123ULL)                         \
	X(8, "%c%c|%3c|%-3c|", 'a', 'b' + 0x100, 'x', 'y')                                         \
	X(9, "%s|%10s|%-10s|%1s", S, S, S, S)                                                      \
	X(10, "[%s][%5s]", S2, S2)                                                                 \
	X(11, "%pks.", S)                                                                          \
	X(12, "%pI4|%pi4", IP4, IP4)                                                               \
	X(13, "%pI6", IP6)                                                                         \
	X(14, "%pi6", IP6)                                                                         \
	X(15, "%%|100%%|%d%%", 9)                                                                  \
	X(16, "%px|%20px|%-20px|", 0x1234, 0xabc, 0xdef)                                           \
	X(17, "%ps|%pS|%12ps|", 0x1000, 0x2000, 0x3000)                                            \
	X(18, "%pB", 0x4000)                                                                       \
	X(19, "%pxyz.", 0x1)                                                                       \
	X(20, "%d%d%d%d%d%d%d%d%d%d%d%d", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)                    \
	X(21, "%20d|%-20u|%020x", FMT_NEG(1), 3, 0xff)                                             \
	X(22, "%d", 1, 2, 3)                                                                       \
	X(23, "tab\there\nnewline %s", S)                                                          \
	X(24, "%0d|%00d|%-0-0d|%+ d|% +d", 1, 2, 3, 4, 5)                                          \
	X(25, "%X%x%lX", 0xa, 0xb, 0xcULL)                                                         \
	X(26, "%010lld|%-10lld|%+lld", FMT_NEG(42), FMT_NEG(42), 42)                               \
	X(27, "%s %s %s", S, S2, S)                                                                \
	X(28, "%80d", 1)                                                                           \
	X(29, "%c", 0)                                                                             \
	X(30, "[%20pks][%-9pI4]", S, IP4)                                                          \
	X(31, "%pks|%pks|%d", S, S, 89)                                                            \
	X(32, "abcdefg%pks%d%s", S, 42, S)                                                         \
	X(33, "%5c|%-2c|%c", 'q', 'r', 's')                                                        \
	X(34, "%ld|%lu|%lx", 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xaULL)

#define FMT_NCASES 35

#endif
