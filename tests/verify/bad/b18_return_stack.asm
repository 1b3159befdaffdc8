# a subprogram returns a pointer into its own frame
call local f
mov %r0, 0
exit
f:
mov %r0, %r10
add %r0, -8
exit
