# type: tc
# expect: ok
# BPF_ST into writable fields is an ordinary write since Linux 6.3
# dump: stw [%r1+8], 1
stw [%r1+8], 1
sth [%r1+48], 2
stdw [%r1+56], 3
stw [%r1+72], 4
mov %r0, 0
exit
