# type: tc
# expect: invalid bpf_context access off=0 size=4 \(write of __sk_buff.len
stw [%r1+0], 1
mov %r0, 0
exit
