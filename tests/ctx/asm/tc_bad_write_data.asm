# type: tc
# expect: invalid bpf_context access off=76 size=4 \(write
mov %r2, 1
stxw [%r1+76], %r2
mov %r0, 0
exit
