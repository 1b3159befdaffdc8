# type: tc
# expect: invalid bpf_context access off=92 size=4
ldxw %r2, [%r1+92]
mov %r0, 0
exit
