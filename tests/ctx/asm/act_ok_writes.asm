# type: sched_act
# expect: ok
# dump: ldxdw %r3, [%r1+192]
mov %r2, 7
stxw [%r1+8], %r2
stxw [%r1+72], %r2
ldxw %r3, [%r1+76]
mov %r0, 0
exit
