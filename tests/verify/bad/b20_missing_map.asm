# a reference to map #3 of an object without maps
lddw %r1, map_idx 3
mov %r0, 0
exit
