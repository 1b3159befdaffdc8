# type: tc
# expect: ok
mov %r6, %r1
ldabsb 12
ldabsh 12
ldabsw 12
mov %r7, 2
ldindb %r7, 12
ldindh %r7, 12
ldindw %r7, 12
exit
