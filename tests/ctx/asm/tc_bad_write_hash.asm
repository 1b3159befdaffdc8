# type: tc
# expect: invalid bpf_context access off=68 size=4 \(write
mov %r2, 1
stxw [%r1+68], %r2
mov %r0, 0
exit
