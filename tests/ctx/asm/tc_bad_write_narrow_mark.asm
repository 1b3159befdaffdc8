# type: tc
# expect: invalid bpf_context access off=8 size=1 \(write
mov %r2, 1
stxb [%r1+8], %r2
mov %r0, 0
exit
