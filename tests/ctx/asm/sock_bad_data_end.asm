# type: socket
# expect: invalid bpf_context access off=80 size=4
ldxw %r2, [%r1+80]
mov %r0, 0
exit
