# r6 is never written
mov %r0, %r6
exit
