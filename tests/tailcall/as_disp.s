# as_disp.s - record(ctx, 400), then tail-call slot ctx[0] (the full
# 64-bit value in r3) of the prog_array ctx[1]; else 4000.
mov %r6, %r1
mov %r2, 400
call 250
mov %r1, %r6
ldxdw %r2, [%r6+8]
ldxdw %r3, [%r6]
call 12
mov %r0, 4000
exit
