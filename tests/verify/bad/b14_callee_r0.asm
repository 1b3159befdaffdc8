# f does not set r0, and main returns it
call local f
exit
f:
mov %r1, 0
exit
