# main 300 bytes calls f 300 bytes: 320 + 320 = 640 > 512
stb [%r10-300], 0
call local f
mov %r0, 0
exit
f:
stb [%r10-300], 0
mov %r0, 0
exit
