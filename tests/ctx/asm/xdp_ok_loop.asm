# type: xdp
# expect: ok
# kernel: skip (bpf_loop callbacks need BTF func_info, which asm input has none of)
# dump: ldxdw %r4, [%r3+32]
# dump: ldxdw %r5, [%r3+24]
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
ldxw %r4, [%r3+4]
ldxw %r5, [%r3+0]
mov %r0, 0
exit
