# r2 is clobbered by the helper call
mov %r2, 1
call 5
mov %r0, %r2
exit
