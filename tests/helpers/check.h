/*
 * check.h - the counters and CHECK macros of the helpers test.  Every check
 * counts as one pass or one failure; a failure prints its file, line,
 * expression and the values involved.  main() prints "N passed, M failed"
 * last and exits non-zero when anything failed.
 */
#ifndef B2N_TEST_HELPERS_CHECK_H
#define B2N_TEST_HELPERS_CHECK_H

#include <inttypes.h>
#include <stdio.h>

extern int t_pass, t_fail;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			__atomic_fetch_add(&t_pass, 1, __ATOMIC_RELAXED);                          \
		} else {                                                                           \
			__atomic_fetch_add(&t_fail, 1, __ATOMIC_RELAXED);                          \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
		}                                                                                  \
	} while (0)

/* Compare two values as 64-bit integers and print both on failure. */
#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                 \
		if (va_ == vb_) {                                                                  \
			__atomic_fetch_add(&t_pass, 1, __ATOMIC_RELAXED);                          \
		} else {                                                                           \
			__atomic_fetch_add(&t_fail, 1, __ATOMIC_RELAXED);                          \
			printf("FAIL %s:%d: %s == %s: got %" PRId64 " (0x%" PRIx64                 \
			       "), want %" PRId64 " (0x%" PRIx64 ")\n",                            \
			       __FILE__, __LINE__, #a, #b, (int64_t)va_, va_, (int64_t)vb_, vb_);  \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *sa_ = (a), *sb_ = (b);                                                 \
		if (strcmp(sa_, sb_) == 0) {                                                       \
			__atomic_fetch_add(&t_pass, 1, __ATOMIC_RELAXED);                          \
		} else {                                                                           \
			__atomic_fetch_add(&t_fail, 1, __ATOMIC_RELAXED);                          \
			printf("FAIL %s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,    \
			       #a, sa_, sb_);                                                      \
		}                                                                                  \
	} while (0)

#define NEG(e) ((uint64_t)(int64_t) - (e))
#define U(x) ((uint64_t)(uintptr_t)(x))

/* test_ringbuf.c */
void test_ringbuf(int under_emulation);

/* monotonic milliseconds */
double now_ms(void);

#endif
