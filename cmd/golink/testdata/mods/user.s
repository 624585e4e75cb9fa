# as --64 -o user-mod.ko user.s
# Needs mini_helper (from mini.ko), _printk, an unknown symbol and a weak
# one; its __versions has mini_helper's CRC.
	.text
	.globl	init_module
init_module:
	call	mini_helper
	call	_printk
	call	nowhere_sym
	call	maybe_sym
	ret
	.weak	maybe_sym

	.section	.modinfo,"a"
	.asciz	"license=Dual MIT/GPL"
	.asciz	"import_ns=MINI_NS"
	.asciz	"depends=mini"
	.asciz	"name=user_mod"
	.asciz	"vermagic=6.1.0-47-amd64 SMP preempt mod_unload modversions "

	.section	__versions,"a"
	.balign	32
	.quad	0x1badcafe
	.ascii	"mini_helper"
	.zero	56-11
	.quad	0x92997ed8
	.ascii	"_printk"
	.zero	56-7
	.quad	0x160c03af
	.ascii	"module_layout"
	.zero	56-13
