# a tail call in a subprogram whose caller uses 200 bytes (208 < 256 once
# rounded to 16): accepted; depths 200, 0; chain 208+0
stb [%r10-200], 0
mov %r6, %r1
call local t
mov %r0, 0
exit
t:
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 0
exit
