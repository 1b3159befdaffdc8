# type: xdp
# expect: BPF_ATOMIC stores into R1 ctx is not allowed
mov %r2, 1
lock add32 [%r1+12], %r2
mov %r0, 0
exit
