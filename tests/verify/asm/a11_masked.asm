# index masked to [0, 8]: loads at r10-16+[0,8] -> depth 16
mov %r1, 51
stdw [%r10-16], 0xab
stdw [%r10-8], 0xcd
and %r1, 1
lsh %r1, 3
mov %r2, %r10
add %r2, %r1
ldxdw %r0, [%r2-16]
exit
