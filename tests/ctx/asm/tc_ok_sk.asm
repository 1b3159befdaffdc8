# type: tc
# expect: ok
ldxdw %r2, [%r1+168]
mov %r0, 0
exit
