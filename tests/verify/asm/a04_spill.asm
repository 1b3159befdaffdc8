# a stack pointer (r10-48) spilled at r10-8 and reloaded keeps its offset:
# the store through the reloaded pointer is at -48 -> depth 48
mov %r1, %r10
add %r1, -48
stxdw [%r10-8], %r1
ldxdw %r2, [%r10-8]
stb [%r2+0], 1
mov %r0, 0
exit
