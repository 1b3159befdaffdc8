# type: socket
# expect: invalid bpf_context access off=8 size=4 \(write
mov %r2, 1
stxw [%r1+8], %r2
mov %r0, 0
exit
