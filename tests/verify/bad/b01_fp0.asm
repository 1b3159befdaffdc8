# [r10+0] is above the frame
stb [%r10+0], 1
mov %r0, 0
exit
