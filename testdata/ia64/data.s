// data.s: the value formulas that need no GOT or PLT, into every format
// the kernel writes: IMM22, IMM64 (movl), DIR32/64LSB, GPREL*, SEGREL*,
// SECREL*, PCREL22/64I/32LSB/64LSB, REL32/64LSB (BDREL), PCREL21BI and
// SUB (retyped by the Makefile: binutils has no syntax for it).
//
// link: core
	.include "module.inc"
	module	data

	.text
	.global	fn
	.proc	fn
fn:
imm22:
	{ .mii
	addl	r2 = small_const, r0
	addl	r3 = small_const + 0x100, r0
	nop.i	0 ;;
	}
// check: addl(imm22) == small_const
// check: addl(imm22+1) == small_const + 0x100
imm64:
	{ .mlx
	nop.m	0
	movl	r2 = var + 8 ;;
	}
// check: movl(imm64) == var + 8
imm64k:
	{ .mlx
	nop.m	0
	movl	r2 = jiffies ;;
	}
// check: movl(imm64k) == jiffies
gprel22:
	{ .mii
	addl	r14 = @gprel(var), gp
	addl	r15 = @gprel(big + 0x10), gp
	nop.i	0 ;;
	}
// check: gp + addl(gprel22) == var
// check: gp + addl(gprel22+1) == big + 0x10
gprel64:
	{ .mlx
	nop.m	0
	movl	r2 = @gprel(fn) ;;
	}
// check: gp + movl(gprel64) == fn
pcrel22:
	{ .mii
	addl	r2 = @pcrel(var), r0
	nop.i	0
	nop.i	0 ;;
	}
// check: pcrel22 + addl(pcrel22) == var
pcrel64:
	{ .mlx
	nop.m	0
	movl	r2 = @pcrel(jiffies + 4) ;;
	}
// check: pcrel64 + movl(pcrel64) == jiffies + 4
sub64:
	{ .mlx
	nop.m	0
	movl	r2 = var + 0x40 ;;
	}
// The Makefile retypes the IMM64 above to R_IA64_SUB: A-S.
// check: movl(sub64) == 0x40 - var
pcrel21bi:
	{ .mib
	nop.m	0
	nop.i	0
	br.few	pcrel21bi ;;
	}
	.reloc	pcrel21bi+2, PCREL21BI, fn2
// check: br(pcrel21bi+2) == fn2
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	fn
	.global	fn2
	.proc	fn2
fn2:
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	fn2

	.data
	.align	16
var:	data8	0
d_dir64:	data8	var + 24
// check: *8(d_dir64) == var + 24
d_dir64k:	data8	jiffies
// check: *8(d_dir64k) == jiffies
d_dir64f:	data8	printk
// A kernel function's value is its descriptor, as the kernel's exports are.
// check: *8(d_dir64f) == printk
// check: *8(printk) == entry(printk)
d_dir32:	data4	small_const + 1
// check: *4(d_dir32) == small_const + 1
d_dir32k:	data4	jiffies
// check: *4(d_dir32k) == lo32(jiffies)
d_gprel64:	data8	@gprel(var)
// check: gp + *8(d_gprel64) == var
d_gprel32:	data4	@gprel(big)
// check: lo32(gp + *4(d_gprel32)) == lo32(big)
	data4	0
d_segrel64:	data8	@segrel(fn2)
// check: *8(d_segrel64) == fn2
d_segrel32:	data4	@segrel(var)
// check: *4(d_segrel32) == lo32(var)
d_secrel32:	data4	@secrel(d_pcrel64)
// check: *4(d_secrel32) == d_pcrel64 - sec(".data")
d_secrel64:	data8	@secrel(fn2)
// SECREL subtracts the address of the section being relocated (.data), not the symbol's.
// check: *8(d_secrel64) == fn2 - sec(".data")
d_pcrel64:	data8	@pcrel(jiffies)
// check: d_pcrel64 + *8(d_pcrel64) == jiffies
d_pcrel32:	data4	@pcrel(var)
// check: lo32(d_pcrel32 + *4(d_pcrel32)) == lo32(var)
d_rel32:	data4	0
	.reloc	d_rel32, REL32LSB, var
// check: *4(d_rel32) == var - core
d_rel64:	data8	0
	.reloc	d_rel64, REL64LSB, init_fn
// check: *8(d_rel64) == init_fn - init
d_rel64c:	data8	0
	.reloc	d_rel64c, REL64LSB, fn2
// check: *8(d_rel64c) == fn2 - core

	.section .sdata,"aws",@progbits
	.align	8
big:	data8	0

	.section .init.text,"ax",@progbits
	.global	init_fn
init_fn:
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
