# type: xdp
# expect: negative offset ctx ptr R1 off=-4 disallowed
sub %r1, 4
ldxw %r0, [%r1+4]
exit
