// lds.s: an object shaped by the kernel's module linker script
// (arch/ia64/module.lds): one-byte placeholders for .core.plt, .init.plt,
// .got and .opd that the pre-pass resizes, and one .IA_64.unwind table,
// written here out of order so that the loader's in-place sort shows.
//
// link: core
// link: far init=0x4000000
	.include "module.inc"
	module	lds

	.section .core.plt,"ax",@progbits
	data1	0
	.section .init.plt,"ax",@progbits
	data1	0
	.section .got,"aws",@progbits
	data1	0
	.section .opd,"aw",@progbits
	data1	0

	.text
	.global	fa
fa:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = printk ;;
	}
// check: stub_ip(br(fa+2)) == entry(printk)
// check: br(fa+2) == sec(".core.plt")
fa_end:
	.global	fb
fb:
	{ .mii
	addl	r2 = @ltoff(jiffies), gp
	nop.i	0
	nop.i	0 ;;
	}
// check: gp + addl(fb) == sec(".got")
// check: *8(sec(".got")) == jiffies
fb_end:

	.section .init.text,"ax",@progbits
	.global	init_module
init_module:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = fa ;;
	}
// check[core]: br(init_module+2) == fa
// check[far]: stub_ip(br(init_module+2)) == fa
// check[far]: br(init_module+2) == sec(".init.plt")
// check[far]: *8(sec(".opd")) == fa
init_end:

	.section .IA_64.unwind_info,"a",@progbits
	.align	8
info:	data8	0

// Entries {start, end, info}, all @segrel (absolute for modules), out of order.
	.section .IA_64.unwind,"a",@progbits
	.align	8
	data8	@segrel(fb), @segrel(fb_end), @segrel(info)
	data8	@segrel(init_module), @segrel(init_end), @segrel(info)
	data8	@segrel(fa), @segrel(fa_end), @segrel(info)
// Sorted by start address; init (placed after core) comes last.
// check: *8(sec(".IA_64.unwind")) == fa
// check: *8(sec(".IA_64.unwind") + 24) == fb
// check: *8(sec(".IA_64.unwind") + 48) == init_module
// check: *8(sec(".IA_64.unwind") + 56) == init_end
