/*
 * bad_reloc.S - a relocation type that has no meaning in code
 * (R_BPF_64_ABS64 on an instruction): refused with one diagnostic.
 */
	.section "xdp","ax"
	.globl prog
	.type prog,@function
prog:
	r0 = 1
	.quad prog
	exit
	.size prog, .-prog
