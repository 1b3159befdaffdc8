# type: xdp
# expect: invalid bpf_context access off=12 size=4 \(write
stw [%r1+12], 1
mov %r0, 0
exit
