# type: xdp
# expect: ok
# dump: ldxdw %r2, [%r3+32]
# dump: ldxdw %r0, [%r5+24]
stxdw [%r10-16], %r1
mov %r1, 0
ldxdw %r3, [%r10-16]
ldxw %r2, [%r3+4]
mov %r4, %r3
stxdw [%r10-8], %r4
ldxdw %r5, [%r10-8]
ldxw %r0, [%r5+0]
sub %r2, %r0
mov %r0, %r2
exit
