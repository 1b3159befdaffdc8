# type: tc
# expect: invalid bpf_context access off=2 size=4
ldxw %r2, [%r1+2]
mov %r0, 0
exit
