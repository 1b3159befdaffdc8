# A load through an address the analysis knows to be 0 (see null_store.s):
# it must fault, not be folded to "return 0".
mov %r6, 0
ldxdw %r0, [%r6+0]
exit
