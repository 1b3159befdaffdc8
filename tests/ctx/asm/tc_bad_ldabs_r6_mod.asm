# type: tc
# expect: at the time of BPF_LD_ABS\|IND R6 != pointer to skb
mov %r6, %r1
add %r6, 8
ldabsb 12
exit
