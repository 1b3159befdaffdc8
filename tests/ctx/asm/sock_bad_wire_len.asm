# type: socket
# expect: invalid bpf_context access off=160 size=4
ldxw %r2, [%r1+160]
mov %r0, 0
exit
