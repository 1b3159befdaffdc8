/*
 * bench.h - what the benchmark runner (runner.c) shares with the native
 * kernels (native.c) and the compile-time benchmark (compile.c).
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdint.h>

typedef uint64_t (*bench_native_fn)(uint8_t *d, const uint8_t *end);

uint64_t nat_fnv1a(uint8_t *d, const uint8_t *end);
uint64_t nat_crc32(uint8_t *d, const uint8_t *end);
uint64_t nat_sort(uint8_t *d, const uint8_t *end);
uint64_t nat_parse(uint8_t *d, const uint8_t *end);
uint64_t nat_rewrite(uint8_t *d, const uint8_t *end);
uint64_t nat_lpm(uint8_t *d, const uint8_t *end);
uint64_t nat_jhash(uint8_t *d, const uint8_t *end);
uint64_t nat_strmatch(uint8_t *d, const uint8_t *end);
uint64_t nat_fsm(uint8_t *d, const uint8_t *end);
uint64_t nat_loop(uint8_t *d, const uint8_t *end);
uint64_t nat_empty(uint8_t *d, const uint8_t *end);

#endif
