# main 300 bytes calls f 300 bytes: 304 + 304 = 608 > 512 (frames rounded to 16)
stb [%r10-300], 0
call local f
mov %r0, 0
exit
f:
stb [%r10-300], 0
mov %r0, 0
exit
