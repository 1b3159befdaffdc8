# store through a copy of r10 with a constant offset: r10-40+4 = -36 -> 40
mov %r1, %r10
add %r1, -40
stw [%r1+4], 7
mov %r0, 0
exit
