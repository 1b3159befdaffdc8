# type: tc
# expect: invalid bpf_context access off=0 size=8
ldxdw %r2, [%r1+0]
mov %r0, 0
exit
