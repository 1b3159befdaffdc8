# type: socket
# expect: ok
mov %r6, %r1
ldabsw 0
mov %r8, %r0
ldindh %r8, -4
exit
