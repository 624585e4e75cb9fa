# as --64 -o cyc-a.ko cyc-a.s
# Exports cyc_a and needs cyc_b: with cyc-a, cyc-b and cyc-c the
# modules depend on each other in a loop.
	.text
	.globl	cyc_a
cyc_a:
	call	cyc_b
	ret

	.section	__ksymtab_strings,"aMS",@progbits,1
__kstrtab_cyc_a:
	.asciz	"cyc_a"
__kstrtabns_cyc_a:
	.asciz	""

	.section	__ksymtab,"a"
	.balign	4
__ksymtab_cyc_a:
	.long	cyc_a - .
	.long	__kstrtab_cyc_a - .
	.long	__kstrtabns_cyc_a - .

	.section	__kcrctab,"a"
	.balign	4
__crc_cyc_a:
	.long	0x000000097

	.section	.modinfo,"a"
	.asciz	"license=GPL"
	.asciz	"name=cyc_a"
