# two paths with different frame offsets join: r10-16 or r10-48, then a
# store through it covers both: depth 48
mov %r2, %r10
add %r2, -16
jeq %r1, 0, other
ja store
other:
mov %r2, %r10
add %r2, -48
store:
stdw [%r2+0], 0
mov %r0, 0
exit
