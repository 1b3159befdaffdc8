# type: xdp
# expect: invalid bpf_context access off=20 size=4 .*egress_ifindex
ldxw %r2, [%r1+20]
mov %r0, 0
exit
