# type: socket
# expect: ok
mov %r2, 1
stxw [%r1+48], %r2
stxb [%r1+67], %r2
stxdw [%r1+56], %r2
mov %r0, 0
exit
