# the branch on a known constant is always taken: the store at -200 is
# never executed (the kernel does not count it); depth 16
mov %r3, 1
jeq %r3, 1, skip
stb [%r10-200], 0
skip:
stb [%r10-16], 0
mov %r0, 0
exit
