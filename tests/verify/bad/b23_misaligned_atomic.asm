# an atomic on a misaligned stack slot: SIGBUS on strict-alignment targets,
# and refused by the kernel (the stack is always strictly aligned)
mov %r1, 1
stdw [%r10-8], 0
lock add32 [%r10-6], %r1
mov %r0, 0
exit
