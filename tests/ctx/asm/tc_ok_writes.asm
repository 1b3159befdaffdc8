# type: tc
# expect: ok
# dump: stxw [%r1+8], %r2
# dump: stxdw [%r1+56], %r2
mov %r2, 7
stxw [%r1+8], %r2
stxw [%r1+32], %r2
stxw [%r1+12], %r2
stxw [%r1+44], %r2
stxw [%r1+72], %r2
stxw [%r1+48], %r2
stxw [%r1+64], %r2
stxb [%r1+50], %r2
stxh [%r1+54], %r2
stxdw [%r1+56], %r2
stxdw [%r1+152], %r2
mov %r0, 0
exit
