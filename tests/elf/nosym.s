# nosym.s - BPF assembly without function symbols (as hand-written objects
# often are).  "socket/raw" has no STT_FUNC symbol, so the whole section is
# one program named after it; it calls a local label in its own section
# (relative imm, no relocation) and a label in .text (relocation against the
# .text section symbol), and that .text code calls another .text label.
# Result: 3 * w[0] + (((w[1] + 5) << 2) + 7) (see elf_read_test.c).
	.text
tsub:
	r0 = r1
	r0 <<= 2
	exit
tsub2:
	r1 += 5
	call tsub
	r0 += 7
	exit

	.section "socket/raw","ax"
	r6 = r1
	r1 = *(u32 *)(r6 + 0)
	call .Lsub
	r7 = r0
	r1 = *(u32 *)(r6 + 4)
	call tsub2
	r0 += r7
	exit
.Lsub:
	r0 = r1
	r0 *= 3
	exit
