# type: tc
# expect: invalid bpf_context access off=181 size=1
ldxb %r2, [%r1+181]
mov %r0, 0
exit
