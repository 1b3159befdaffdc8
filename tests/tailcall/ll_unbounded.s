# ll_unbounded.s - a loop whose exit depends on a ctx word the driver sets
# to non-zero: it never ends.  Compiled with --loop-limit 1000 it must
# return B2N_LOOP_LIMIT_EXCEEDED.
ldxdw %r2, [%r1]
mov %r0, 0
loop:
add %r0, 1
jne %r2, 0, loop
exit
