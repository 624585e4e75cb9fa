# as --64 -o cyc-c.ko cyc-c.s
# Exports cyc_c and needs cyc_a: with cyc-a, cyc-b and cyc-c the
# modules depend on each other in a loop.
	.text
	.globl	cyc_c
cyc_c:
	call	cyc_a
	ret

	.section	__ksymtab_strings,"aMS",@progbits,1
__kstrtab_cyc_c:
	.asciz	"cyc_c"
__kstrtabns_cyc_c:
	.asciz	""

	.section	__ksymtab,"a"
	.balign	4
__ksymtab_cyc_c:
	.long	cyc_c - .
	.long	__kstrtab_cyc_c - .
	.long	__kstrtabns_cyc_c - .

	.section	__kcrctab,"a"
	.balign	4
__crc_cyc_c:
	.long	0x000000099

	.section	.modinfo,"a"
	.asciz	"license=GPL"
	.asciz	"name=cyc_c"
