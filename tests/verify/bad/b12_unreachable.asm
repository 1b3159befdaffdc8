# the second instruction can never run
ja +1
mov %r0, 1
mov %r0, 0
exit
