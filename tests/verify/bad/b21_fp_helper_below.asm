# a frame pointer passed to a helper below the stack
mov %r1, %r10
add %r1, -600
mov %r2, 16
mov %r3, 0
call 113
mov %r0, 0
exit
