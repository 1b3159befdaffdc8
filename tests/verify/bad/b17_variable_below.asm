# r10 - [0, 1023] - 1 can go below -512
mov %r1, %r1
and %r1, 1023
mov %r2, %r10
sub %r2, %r1
stb [%r2-1], 0
mov %r0, 0
exit
