# type: tc
# expect: same insn cannot be used with different pointers
stxdw [%r10-8], %r1
ldxw %r2, [%r1+0]
jeq %r2, 0, +3
mov %r3, %r10
add %r3, -16
stxdw [%r10-8], %r3
stdw [%r10-16], 0
ldxdw %r4, [%r10-8]
ldxw %r0, [%r4+0]
exit
