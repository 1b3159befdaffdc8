# type: tc
# expect: invalid bpf_context access off=172 size=4
ldxw %r2, [%r1+172]
mov %r0, 0
exit
