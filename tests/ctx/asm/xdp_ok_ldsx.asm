# type: xdp
# expect: ok
ldxsw %r2, [%r1+12]
mov %r0, 0
exit
