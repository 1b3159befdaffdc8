# type: xdp
# expect: same insn cannot be used with different pointers
mov %r6, %r1
call local sub
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call local sub
mov %r0, 0
exit
sub:
ldxw %r0, [%r1+4]
exit
