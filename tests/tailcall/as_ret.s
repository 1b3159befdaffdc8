# as_ret.s - a tail-call target: record(ctx, 500), return ctx[3] + 5.
mov %r6, %r1
mov %r2, 500
call 250
ldxdw %r0, [%r6+24]
add %r0, 5
exit
