# f calls itself
call local f
exit
f:
mov %r0, 0
jeq %r1, 0, done
call local f
done:
exit
