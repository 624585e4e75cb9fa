// refuse.s: relocations the kernel's ia64 loader refuses, and values out
// of their field's range. Linking fails; each must be reported naming the
// type, the symbol and the location.
//
// link: core
// error: R_IA64_IMM14 small_const
// error: R_IA64_DIR64MSB .data
// error: R_IA64_DIR32MSB .data
// error: R_IA64_PCREL21F fn
// error: R_IA64_TPREL22 tls
// error: R_IA64_DTPREL64LSB tls
// error: R_IA64_DTPMOD64LSB tls
// error: R_IA64_LTOFF_TPREL22 tls
// error: R_IA64_LTV64LSB .data
// error: R_IA64_COPY var
// error: R_IA64_NONE var
// error: R_IA64_PCREL21BI printk
// error: R_IA64_GPREL22 jiffies out of range
// error: R_IA64_IMM22 jiffies out of range
// error: R_IA64_PLTOFF22 printk out of range
// error: R_IA64_IMM64 var slot
	.include "module.inc"
	module	refuse

	.text
	.global	fn
	.proc	fn
fn:
	{ .mii
	adds	r2 = small_const, r0
	addl	r3 = @tprel(tls), r0
	addl	r4 = @ltoff(@tprel(tls)), gp ;;
	}
	{ .mii
	addl	r5 = @gprel(jiffies), gp
	addl	r6 = jiffies, r0
	addl	r7 = @pltoff(printk), gp ;;
	}
	{ .mfi
	nop.m	0
	fchkf	fn
	nop.i	0 ;;
	}
bi:
	{ .mib
	nop.m	0
	nop.i	0
	br.few	bi ;;
	}
	.reloc	bi+2, PCREL21BI, printk
slot0:
	{ .mii
	nop.m	0
	nop.i	0
	nop.i	0 ;;
	}
	.reloc	slot0, IMM64, var
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	fn

	.data
	.align	16
var:	data8	@dtprel(tls)
	data8	@dtpmod(tls)
	data8	@ltv(var)
	data8	0
	.reloc	var+24, COPY, var
	.reloc	var+24, BFD_RELOC_NONE, var
	.msb
	data8	var
	data4	var
	.lsb

	.section .tdata,"awT",@progbits
tls:	data8	0
