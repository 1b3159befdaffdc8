# bpf_loop(4, cb, r10-16, 0): cb reads [r2+0] = main's -16 and stores at
# its own -8: depths 16 and 8, chain 16+16; the kernel then inlines the
# bpf_loop (flags 0, one callback) and adds 24 bytes to main: 40 and 8
stdw [%r10-16], 0
mov %r1, 4
lddw %r2, func 7
mov %r3, %r10
add %r3, -16
mov %r4, 0
call 181
mov %r0, 0
exit
cb:
stdw [%r10-8], 1
ldxdw %r0, [%r2+0]
mov %r0, 0
exit
