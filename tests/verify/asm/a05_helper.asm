# a frame pointer passed to a helper's memory argument counts:
# bpf_get_current_comm(r10-64, 16) -> depth 64
mov %r1, %r10
add %r1, -64
mov %r2, 16
call 16
mov %r0, 0
exit
