# type: tc
# expect: invalid bpf_context access off=180 size=4
ldxw %r2, [%r1+180]
mov %r0, 0
exit
