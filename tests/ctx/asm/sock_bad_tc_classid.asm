# type: socket
# expect: invalid bpf_context access off=72 size=4
ldxw %r2, [%r1+72]
mov %r0, 0
exit
