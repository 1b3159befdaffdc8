# type: socket
# expect: invalid bpf_context access off=184 size=8
ldxdw %r2, [%r1+184]
mov %r0, 0
exit
