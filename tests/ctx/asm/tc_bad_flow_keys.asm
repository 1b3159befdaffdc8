# type: tc
# expect: invalid bpf_context access off=144 size=8
ldxdw %r2, [%r1+144]
mov %r0, 0
exit
