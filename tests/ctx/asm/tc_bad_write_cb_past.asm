# type: tc
# expect: invalid bpf_context access off=64 size=8
mov %r2, 1
stxdw [%r1+64], %r2
mov %r0, 0
exit
