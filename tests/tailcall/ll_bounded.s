# ll_bounded.s - r0 counts the iterations of a loop of K = ctx[0] rounds:
# K - 1 back edges.  With --loop-limit 1000, K = 1001 (1000 back edges)
# returns 1001 and K = 1002 returns B2N_LOOP_LIMIT_EXCEEDED.
ldxdw %r2, [%r1]
mov %r0, 0
loop:
add %r0, 1
jlt %r0, %r2, loop
exit
