# type: xdp
# expect: invalid bpf_context access off=0 size=2
ldxh %r2, [%r1+0]
mov %r0, 0
exit
