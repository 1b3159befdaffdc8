# type: xdp
# expect: same insn cannot be used with different pointers
mov %r6, %r1
stdw [%r10-8], 0
ldxw %r2, [%r1+12]
jeq %r2, 0, +2
mov %r6, %r10
add %r6, -8
ldxw %r0, [%r6+0]
exit
