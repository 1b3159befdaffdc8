# a loop stores r10-32+i for i in [0, 32): depth 32
mov %r1, 0
loop:
mov %r2, %r10
add %r2, %r1
stb [%r2-32], 0
add %r1, 1
jlt %r1, 32, loop
mov %r0, 0
exit
