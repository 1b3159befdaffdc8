# type: xdp
# expect: ok
# dump: ldxdw %r2, [%r1+24]
# dump: ldxdw %r3, [%r1+32]
# dump: ldxdw %r4, [%r1+40]
# dump: ldxw %r5, [%r1+12]
# dump: ldxw %r6, [%r1+16]
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
ldxw %r4, [%r1+8]
ldxw %r5, [%r1+12]
ldxw %r6, [%r1+16]
mov %r0, 0
exit
