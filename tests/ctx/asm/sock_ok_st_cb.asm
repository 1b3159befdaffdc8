# type: socket
# expect: ok
stw [%r1+48], 1
mov %r0, 0
exit
