# bench_step.s - fallback native chain step of the benchmark, for builds
# whose ELF frontend cannot compile bench.bpf.c yet (no maps): the
# prog_array handle comes in ctx[1], ctx[2] counts the steps; step n
# tail-calls slot n and returns 7 when that fails.
ldxdw %r3, [%r1+16]
add %r3, 1
stxdw [%r1+16], %r3
ldxdw %r2, [%r1+8]
call 12
mov %r0, 7
exit
