# as_sub.s - a tail call from a subprogram: sub tail-calls slot ctx[0] of
# the prog_array ctx[1] and returns 7 when that fails; the program returns
# sub's result * 10 + 1, so a target's value comes back to the caller.
mov %r6, %r1
call local sub
mul %r0, 10
add %r0, 1
exit
sub:
ldxdw %r2, [%r1+8]
ldxdw %r3, [%r1]
call 12
mov %r0, 7
exit
