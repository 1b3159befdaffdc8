# the same through a copy of r10 with a constant offset
mov %r1, 1
stdw [%r10-8], 0
mov %r2, %r10
add %r2, -4
lock add32 [%r2-2], %r1
mov %r0, 0
exit
