# type: socket
# expect: invalid bpf_context access off=152 size=8
ldxdw %r2, [%r1+152]
mov %r0, 0
exit
