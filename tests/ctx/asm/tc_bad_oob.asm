# type: tc
# expect: invalid bpf_context access off=192 size=4
ldxw %r2, [%r1+192]
mov %r0, 0
exit
