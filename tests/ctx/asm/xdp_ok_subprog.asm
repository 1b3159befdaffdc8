# type: xdp
# expect: ok
# dump: ldxdw %r2, [%r6+40]
# dump: ldxdw %r0, [%r1+32]
# dump: ldxdw %r2, [%r1+24]
mov %r6, %r1
call local sub
ldxw %r2, [%r6+8]
exit
sub:
ldxw %r0, [%r1+4]
ldxw %r2, [%r1+0]
sub %r0, %r2
exit
