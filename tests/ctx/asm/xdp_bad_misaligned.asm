# type: xdp
# expect: invalid bpf_context access off=14 size=4
ldxw %r2, [%r1+14]
mov %r0, 0
exit
