/*
 * bad_asm.S - hand-written objects the ELF reader must refuse with one
 * precise diagnostic.  Preprocessed and assembled once per CASE (clang
 * -DCASE=N -c bad_asm.S); CMakeLists.txt holds the expected messages.
 */
	.section "xdp","ax"
	.globl f1
	.type f1,@function
f1:
	r0 = 1
#if CASE == 1
	/* a jump from f1 into f2 */
	if r1 == 0 goto .Lin_f2
#elif CASE == 2
	/* an absolute 64-bit relocation in code */
	.quad f2
#elif CASE == 3
	/* call +100, relative, no relocation: outside the section */
	.byte 0x85, 0x10, 0, 0, 100, 0, 0, 0
#elif CASE == 4
	/* a call relocated against a data symbol */
	call some_data
#elif CASE == 5
	/* calls into overlapping function symbols (see .text below) */
	call t3
	call t2
	call t1
#endif
	exit
	.size f1, .-f1
	.globl f2
	.type f2,@function
f2:
	r0 = 2
.Lin_f2:
	exit
	.size f2, .-f2

#if CASE == 5
	.text
	r0 = 0
	.type t1,@function
t1:
	r0 += 1
	.type t2,@function
t2:
	r0 += 2
	.type t3,@function
t3:
	r0 += 3
	exit
	.size t1, .-t1
	.size t2, .-t2
	.size t3, .-t3
#endif

	.data
some_data:
	.quad 0
