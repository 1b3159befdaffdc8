# type: sched_act
# expect: invalid bpf_context access off=40 size=4 \(write
mov %r2, 1
stxw [%r1+40], %r2
mov %r0, 0
exit
