# r1-r5 do not survive a local call
call local f
mov %r0, %r1
exit
f:
mov %r0, 0
exit
