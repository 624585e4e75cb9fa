// llvm-mc -triple=aarch64-linux-gnu -filetype=obj mini.s -o mini.ko
// A minimal aarch64 module object for kmod's machine-independent readers:
// .modinfo, __versions, struct module's name and an undefined symbol.
	.text
	.globl	init_module
	.type	init_module, %function
init_module:
	stp	x29, x30, [sp, #-16]!
	adrp	x0, msg
	add	x0, x0, :lo12:msg
	bl	_printk
	mov	w0, #0
	ldp	x29, x30, [sp], #16
	ret
	.size	init_module, .-init_module

	.section .rodata.str1.1, "aMS", %progbits, 1
msg:	.asciz	"hello from aarch64\n"

	.section .modinfo, "a"
	.asciz	"license=GPL"
	.asciz	"description=aarch64 test module"
	.asciz	"parm=verbose:Talk more"
	.asciz	"parmtype=verbose:bool"
	.asciz	"depends="
	.asciz	"name=mini"
	.asciz	"vermagic=6.1.0-47-arm64 SMP mod_unload modversions aarch64"

	.section __versions, "a"
	.balign	8
	.quad	0x12345678
	.asciz	"module_layout"
	.zero	56 - 14
	.quad	0x92997ed8
	.asciz	"_printk"
	.zero	56 - 8

	.section .gnu.linkonce.this_module, "aw"
	.balign	64
	.globl	__this_module
__this_module:
	.zero	24
	.ascii	"mini"
	.zero	0x400 - 28
	.size	__this_module, 0x400
