# type: xdp
# expect: invalid bpf_context access off=0 size=4 \(write
mov %r2, 1
stxw [%r1+0], %r2
mov %r0, 0
exit
