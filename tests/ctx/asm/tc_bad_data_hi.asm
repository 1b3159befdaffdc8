# type: tc
# expect: invalid bpf_context access off=78 size=2
ldxh %r2, [%r1+78]
mov %r0, 0
exit
