# type: xdp
# expect: invalid bpf_context access off=-4 size=4
ldxw %r2, [%r1-4]
mov %r0, 0
exit
