# type: tc
# expect: BPF_ATOMIC stores into R1 ctx is not allowed
mov %r2, 1
lock fetch add [%r1+56], %r2
mov %r0, 0
exit
