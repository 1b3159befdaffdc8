# type: tc
# expect: invalid bpf_context access off=168 size=4
ldxw %r2, [%r1+168]
mov %r0, 0
exit
