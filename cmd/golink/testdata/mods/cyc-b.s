# as --64 -o cyc-b.ko cyc-b.s
# Exports cyc_b and needs cyc_c: with cyc-a, cyc-b and cyc-c the
# modules depend on each other in a loop.
	.text
	.globl	cyc_b
cyc_b:
	call	cyc_c
	ret

	.section	__ksymtab_strings,"aMS",@progbits,1
__kstrtab_cyc_b:
	.asciz	"cyc_b"
__kstrtabns_cyc_b:
	.asciz	""

	.section	__ksymtab,"a"
	.balign	4
__ksymtab_cyc_b:
	.long	cyc_b - .
	.long	__kstrtab_cyc_b - .
	.long	__kstrtabns_cyc_b - .

	.section	__kcrctab,"a"
	.balign	4
__crc_cyc_b:
	.long	0x000000098

	.section	.modinfo,"a"
	.asciz	"license=GPL"
	.asciz	"name=cyc_b"
