# as --64 -o mini.ko mini.s
# A module-shaped object: exports mini_helper (GPL, namespace MINI_NS,
# with its CRC), imports _printk, carries .modinfo and __versions.
	.text
	.globl	mini_helper
	.type	mini_helper, @function
mini_helper:
	call	_printk
	ret
	.globl	init_module
init_module:
	xorl	%eax, %eax
	ret

	.section	__ksymtab_strings,"aMS",@progbits,1
__kstrtab_mini_helper:
	.asciz	"mini_helper"
__kstrtabns_mini_helper:
	.asciz	"MINI_NS"

	.section	__ksymtab_gpl,"a"
	.balign	4
__ksymtab_mini_helper:
	.long	mini_helper - .
	.long	__kstrtab_mini_helper - .
	.long	__kstrtabns_mini_helper - .

	.section	__kcrctab_gpl,"a"
	.balign	4
__crc_mini_helper:
	.long	0x1badcafe

	.section	.modinfo,"a"
	.asciz	"license=GPL"
	.asciz	"description=A tiny module-shaped object"
	.asciz	"author=golink"
	.asciz	"alias=devname:mini"
	.asciz	"alias=char-major-10-242"
	.asciz	"alias=mini-alias*"
	.asciz	"softdep=pre: crc32c"
	.asciz	"parmtype=count:int"
	.asciz	"parm=count:How many"
	.asciz	"parmtype=quiet:bool"
	.asciz	"depends="
	.asciz	"retpoline=Y"
	.asciz	"intree=Y"
	.asciz	"name=mini"
	.asciz	"vermagic=6.1.0-47-amd64 SMP preempt mod_unload modversions "

	.section	__versions,"a"
	.balign	32
	.quad	0x92997ed8
	.ascii	"_printk"
	.zero	56-7
	.quad	0x160c03af
	.ascii	"module_layout"
	.zero	56-13
