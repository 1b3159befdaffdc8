# only r1 and r10 are set at program entry
mov %r0, 0
add %r0, %r3
exit
