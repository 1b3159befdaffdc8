# type: xdp
# expect: invalid bpf_context access off=16 size=4 \(write
call local sub
mov %r0, 0
exit
sub:
mov %r2, 0
stxw [%r1+16], %r2
mov %r0, 0
exit
