# type: xdp
# expect: invalid size of register fill
stxdw [%r10-8], %r1
ldxw %r3, [%r10-8]
mov %r0, 0
exit
