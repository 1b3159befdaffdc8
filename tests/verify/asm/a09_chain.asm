# main (104) -> f1 (200) -> f2 (0): rounded to 16 each, 112+208+0 = 320
stb [%r10-100], 0
call local f1
mov %r0, 0
exit
f1:
stb [%r10-200], 0
call local f2
mov %r0, 0
exit
f2:
mov %r0, 0
exit
