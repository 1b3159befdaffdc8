# type: socket
# expect: invalid bpf_context access off=76 size=4 \(read of __sk_buff.data in a socket filter
ldxw %r2, [%r1+76]
mov %r0, 0
exit
