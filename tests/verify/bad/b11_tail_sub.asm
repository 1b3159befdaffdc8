# the caller uses 256 bytes (>= 256): no tail call allowed in the callee
stb [%r10-256], 0
call local t
mov %r0, 0
exit
t:
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 0
exit
