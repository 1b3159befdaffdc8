# the boundary of the tail-call rule: the caller uses 240 bytes (240 < 256
# once rounded to 16): accepted; depths 240, 0; chain 240+0
stb [%r10-240], 0
call local t
mov %r0, 0
exit
t:
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 0
exit
