# main passes r10-32; the callee reads 8 bytes at [r1+8] = main's -24, so
# main's depth is 24 (not 32), the callee's 0; chain 32 + 0
mov %r1, %r10
add %r1, -32
call local g
mov %r0, 0
exit
g:
ldxdw %r0, [%r1+8]
exit
