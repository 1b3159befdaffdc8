/*
 * str_cases.h - bpf_strtol/bpf_strtoul and bpf_strncmp cases shared by
 * kernel_str.bpf.c (run in the kernel) and kernel_fmt_test.c (the same
 * calls on the runtime).  STRTOX_CASES(X): X(index, buffer, length, flags)
 * with length >= 1 (the verifier wants a non-zero constant size);
 * STRNCMP_CASES(X): X(index, s1, s1_sz, s2) with s1_sz <= sizeof(s1).
 */
#ifndef B2N_TEST_STR_CASES_H
#define B2N_TEST_STR_CASES_H

#define ZEROS10 "0000000000"
#define STRTOX_CASES(X)                                                                            \
	X(0, "123", 3, 0)                                                                          \
	X(1, "123", 2, 10)                                                                         \
	X(2, "  -42xyz", 8, 10)                                                                    \
	X(3, "+5", 2, 10)                                                                          \
	X(4, "\t\n\v\f\r 7", 7, 0)                                                                 \
	X(5, "0x1f", 4, 0)                                                                         \
	X(6, "0X1F", 4, 16)                                                                        \
	X(7, "1f", 2, 16)                                                                          \
	X(8, "0x", 2, 0)                                                                           \
	X(9, "0xg", 3, 16)                                                                         \
	X(10, "0xg", 3, 0)                                                                         \
	X(11, "017", 3, 0)                                                                         \
	X(12, "019", 3, 0)                                                                         \
	X(13, "019", 3, 8)                                                                         \
	X(14, "019", 3, 10)                                                                        \
	X(15, "   ", 3, 0)                                                                         \
	X(16, "-", 1, 0)                                                                           \
	X(17, "abc", 3, 10)                                                                        \
	X(18, "-0", 2, 10)                                                                         \
	X(19, "18446744073709551615", 20, 10)                                                      \
	X(20, "18446744073709551616", 20, 10)                                                      \
	X(21, "0xffffffffffffffff", 18, 0)                                                         \
	X(22, "9223372036854775807", 19, 10)                                                       \
	X(23, "9223372036854775808", 19, 10)                                                       \
	X(24, "-9223372036854775808", 20, 10)                                                      \
	X(25, "-9223372036854775809", 20, 10)                                                      \
	X(26, "-1", 2, 0)                                                                          \
	X(27, ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 "5", 71, 10)                 \
	X(28, "  -" ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 "012", 66, 10)                 \
	X(29,                                                                                      \
	  "\xa0"                                                                                   \
	  "5",                                                                                     \
	  2, 10)                                                                                   \
	X(30, "12", 2, 2)                                                                          \
	X(31, "12", 2, 0x20 | 10)                                                                  \
	X(32, "777", 3, 8)                                                                         \
	X(33, "ffffffffffffffff0", 17, 16)                                                         \
	X(34, "0x8000000000000000", 18, 16)                                                        \
	X(35, "-0x8000000000000000", 19, 0)                                                        \
	X(36, "42", 1, 10)
#define STRTOX_NCASES 37

#define STRNCMP_CASES(X)                                                                           \
	X(0, "abc", 3, "abc")                                                                      \
	X(1, "abd", 3, "abc")                                                                      \
	X(2, "abc", 3, "abd")                                                                      \
	X(3, "abc", 2, "abx")                                                                      \
	X(4, "abc", 4, "abc")                                                                      \
	X(5, "ab", 3, "a")                                                                         \
	X(6, "\xff", 1, "a")                                                                       \
	X(7, "abcdefgh", 8, "abcdefgi")                                                            \
	X(8, "abc", 3, "abcd")                                                                     \
	X(9, "abc", 4, "abcd")                                                                     \
	X(10, "", 1, "")                                                                           \
	X(11, "a", 1, "")
#define STRNCMP_NCASES 12

/* bpf_loop: X(index, nr_loops, callback returns 1 at this index, flags) */
#define LOOP_CASES(X)                                                                              \
	X(0, 10, -1, 0)                                                                            \
	X(1, 10, 4, 0)                                                                             \
	X(2, 0, -1, 0)                                                                             \
	X(3, 3, -1, 1)                                                                             \
	X(4, (1 << 23) + 1, -1, 0)                                                                 \
	X(5, 1000, 999, 0)                                                                         \
	X(6, 1, 0, 0)
#define LOOP_NCASES 7

#endif
