# type: xdp
# expect: dereference of modified ctx ptr R1 off=4 disallowed
add %r1, 4
ldxw %r2, [%r1+0]
mov %r0, 0
exit
