# an offset spilled as a scalar and reloaded is still a constant: -72 -> 72
mov %r1, -72
stxdw [%r10-8], %r1
ldxdw %r2, [%r10-8]
mov %r3, %r10
add %r3, %r2
stb [%r3+0], 0
mov %r0, 0
exit
