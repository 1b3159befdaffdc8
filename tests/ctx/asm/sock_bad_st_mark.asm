# type: socket
# expect: invalid bpf_context access off=8 size=4 \(write of __sk_buff.mark in a socket filter
stw [%r1+8], 1
mov %r0, 0
exit
