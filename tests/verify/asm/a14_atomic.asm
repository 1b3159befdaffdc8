# an atomic add on the stack counts: depth 24
stdw [%r10-24], 0
mov %r1, 1
lock add [%r10-24], %r1
ldxdw %r0, [%r10-24]
exit
