# type: tc
# expect: invalid bpf_context access off=88 size=4
ldxw %r2, [%r1+88]
mov %r0, 0
exit
