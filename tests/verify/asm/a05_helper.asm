# a frame pointer passed to a helper's memory argument counts:
# bpf_probe_read_kernel(r10-64, 16, 0) -> depth 64
mov %r1, %r10
add %r1, -64
mov %r2, 16
mov %r3, 0
call 113
mov %r0, 0
exit
