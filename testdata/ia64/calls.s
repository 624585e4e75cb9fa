// calls.s: branches and calls (PCREL21B, PCREL60B, PCREL21BI), PLT stubs
// for calls that leave the module and for init<->core calls out of reach,
// function descriptors (FPTR*, LTOFF_FPTR*, IPLTLSB), PLTOFF*.
//
// link: near
// link: far init=0x4000000
// link: far48 init=0x4000000 plt48
	.include "module.inc"
	module	calls

	.section .init.text,"ax",@progbits
	.global	init_module
	.proc	init_module
init_module:
init_call_core:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = helper ;;
	}
// check[near]: br(init_call_core+2) == helper
// check[far]: in(br(init_call_core+2), ".init.plt") == 1
// check[far]: stub_ip(br(init_call_core+2)) == helper
// check[far]: stub_gp(br(init_call_core+2)) == gp
// check[far48]: stub_ip(br(init_call_core+2)) == helper
init_call_kernel:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = printk ;;
	}
// check: in(br(init_call_kernel+2), ".init.plt") == 1
// check: stub_ip(br(init_call_kernel+2)) == entry(printk)
// check: stub_gp(br(init_call_kernel+2)) == kgp
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	init_module

	.text
	.global	helper
	.proc	helper
helper:
call_kernel:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = printk ;;
	}
// check: in(br(call_kernel+2), ".core.plt") == 1
// check: stub_ip(br(call_kernel+2)) == entry(printk)
// check: stub_gp(br(call_kernel+2)) == kgp
call_kernel_again:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = printk ;;
	}
// check: br(call_kernel_again+2) == br(call_kernel+2)
call_kmalloc:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = kmalloc ;;
	}
// check: stub_ip(br(call_kmalloc+2)) == entry(kmalloc)
// check: br(call_kmalloc+2) - br(call_kernel+2) == pltsize
call_local:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = helper2 ;;
	}
// check: br(call_local+2) == helper2
call_init:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = init_module ;;
	}
// check[near]: br(call_init+2) == init_module
// check[far]: stub_ip(br(call_init+2)) == init_module
// check[far]: in(br(call_init+2), ".core.plt") == 1
cond_branch:
	{ .mib
	nop.m	0
	nop.i	0
(p6)	br.cond.dptk.many helper2 ;;
	}
// check: br(cond_branch+2) == helper2
brl_local:
	{ .mlx
	nop.m	0
	brl.call.sptk.many b0 = helper2 ;;
	}
// check: br(brl_local+1) == helper2
brl_init:
	{ .mlx
	nop.m	0
	brl.sptk.many init_module ;;
	}
// check: br(brl_init+1) == init_module
fptr_local:
	{ .mlx
	nop.m	0
	movl	r2 = @fptr(helper2) ;;
	}
// check: in(movl(fptr_local), ".opd") == 1
// check: *8(movl(fptr_local)) == helper2
// check: *8(movl(fptr_local) + 8) == gp
fptr_kernel:
	{ .mlx
	nop.m	0
	movl	r3 = @fptr(kfree) ;;
	}
// check: movl(fptr_kernel) == kfree
// check: *8(kfree) == entry(kfree)
// check: *8(kfree + 8) == kgp
ltoff_fptr:
	{ .mmi
	addl	r14 = @ltoff(@fptr(helper2)), gp
	addl	r15 = @ltoff(@fptr(schedule)), gp
	nop.i	0 ;;
	}
// check: in(gp + addl(ltoff_fptr), ".got") == 1
// check: *8(gp + addl(ltoff_fptr)) == movl(fptr_local)
// check: *8(gp + addl(ltoff_fptr+1)) == schedule
// check: *8(schedule) == entry(schedule)
ltoff_fptr64:
	{ .mlx
	nop.m	0
	movl	r16 = @ltoff(@fptr(helper)) ;;
	}
// check: *8(*8(gp + movl(ltoff_fptr64))) == helper
// check: *8(*8(gp + movl(ltoff_fptr64)) + 8) == gp
pltoff64:
	{ .mlx
	nop.m	0
	movl	r17 = @pltoff(kmalloc) ;;
	}
// check: movl(pltoff64) == br(call_kmalloc+2)
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	helper

	.global	helper2
	.proc	helper2
helper2:
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	helper2

	.data
	.align	16
d_fptr64:	data8	@fptr(helper2)
// check: *8(d_fptr64) == movl(fptr_local)
d_fptr64k:	data8	@fptr(printk)
// check: *8(d_fptr64k) == printk
d_fptr32:	data4	@fptr(helper)
// check: *4(d_fptr32) == lo32(*8(gp + movl(ltoff_fptr64)))
	data4	0
d_ltoff_fptr64:	data8	@ltoff(@fptr(kmalloc))
// check: *8(gp + *8(d_ltoff_fptr64)) == kmalloc
d_ltoff_fptr32:	data4	@ltoff(@fptr(helper2))
// check: *4(d_ltoff_fptr32) == lo32(addl(ltoff_fptr))
	data4	0
d_pltoff:	data8	@pltoff(printk)
// check: *8(d_pltoff) == br(call_kernel+2)
	.align	16
d_iplt:	data16	@iplt(kfree)
// check: *8(*8(d_iplt)) == br(call_kfree_via_iplt+2)
// check: in(*8(*8(d_iplt)), ".core.plt") == 1
// check: stub_ip(*8(*8(d_iplt))) == entry(kfree)
// check: *8(*8(d_iplt) + 8) == gp
	.text
call_kfree_via_iplt:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = kfree ;;
	}
