# type: tc
# expect: ok
# dump: ldxb %r2, [%r1+3]
# dump: ldxh %r2, [%r1+70]
ldxb %r2, [%r1+0]
ldxb %r2, [%r1+3]
ldxh %r2, [%r1+2]
ldxh %r2, [%r1+16]
ldxb %r2, [%r1+8]
ldxh %r2, [%r1+70]
ldxb %r2, [%r1+49]
mov %r0, 0
exit
