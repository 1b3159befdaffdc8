# main stores at -8 and passes r10-8 to f, which reads [r1+0] (-8 of main)
# and stores at its own -24: depths 8 and 24; chain 16+32
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call local f
exit
f:
stdw [%r10-24], 1
ldxdw %r0, [%r1+0]
exit
