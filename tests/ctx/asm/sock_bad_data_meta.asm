# type: socket
# expect: invalid bpf_context access off=140 size=4
ldxw %r2, [%r1+140]
mov %r0, 0
exit
