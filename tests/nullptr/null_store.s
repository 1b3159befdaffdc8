# A store through an address the analysis knows to be 0.  The kernel
# refuses it; compiled, it must fault (SIGSEGV) like the interpreter, never
# become LLVM undefined behaviour (an empty function that falls through).
mov %r6, 0
stxdw [%r6+0], %r1
mov %r0, 0
exit
