# type: tc
# expect: invalid bpf_context access off=76 size=4 .*sign-extended
ldxsw %r2, [%r1+76]
mov %r0, 0
exit
