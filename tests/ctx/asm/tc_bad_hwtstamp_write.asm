# type: tc
# expect: invalid bpf_context access off=184 size=8 \(write
mov %r2, 1
stxdw [%r1+184], %r2
mov %r0, 0
exit
