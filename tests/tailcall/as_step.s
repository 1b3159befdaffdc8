# as_step.s - asm tail-call step (group "asm" of tailcall_test.c; needs no
# ELF map support): ctx[1] holds the prog_array handle, ctx[2] counts the
# steps.  n = ++ctx[2]; record(ctx, n); tail-call slot n; else 1000 + n.
mov %r6, %r1
ldxdw %r7, [%r6+16]
add %r7, 1
stxdw [%r6+16], %r7
mov %r2, %r7
call 250
mov %r1, %r6
ldxdw %r2, [%r6+8]
mov %r3, %r7
call 12
mov %r0, %r7
add %r0, 1000
exit
