# type: tc
# expect: at the time of BPF_LD_ABS\|IND R6 != pointer to skb
mov %r6, 0
ldabsb 12
exit
