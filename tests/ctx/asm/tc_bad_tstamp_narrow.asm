# type: tc
# expect: invalid bpf_context access off=152 size=4
ldxw %r2, [%r1+152]
mov %r0, 0
exit
