# type: tc
# expect: ok
# dump: ldxsb %r2, [%r1]
ldxsb %r2, [%r1+0]
ldxsh %r3, [%r1+8]
ldxsw %r4, [%r1+48]
mov %r0, 0
exit
