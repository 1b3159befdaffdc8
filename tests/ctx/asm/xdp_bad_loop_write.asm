# type: xdp
# expect: invalid bpf_context access off=12 size=4 \(write
# kernel: skip (bpf_loop callbacks need BTF func_info, which asm input has none of)
stxdw [%r10-8], %r1
mov %r1, 4
lddw %r2, func 7
mov %r3, %r10
add %r3, -8
mov %r4, 0
call 181
mov %r0, 2
exit
ldxdw %r3, [%r2+0]
mov %r4, 0
stxw [%r3+12], %r4
mov %r0, 0
exit
