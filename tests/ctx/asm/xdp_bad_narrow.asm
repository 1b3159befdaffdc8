# type: xdp
# expect: invalid bpf_context access off=12 size=1
ldxb %r2, [%r1+12]
mov %r0, 0
exit
