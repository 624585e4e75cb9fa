// got.s: the linkage table: LTOFF22, LTOFF64I (GOT slots, shared by value
// across the module), LTOFF22X + LDXMOV relaxed when the target is
// gp-addressable and left as a GOT load when it is not.
//
// link: core
	.include "module.inc"
	module	got

	.text
	.global	fn
	.proc	fn
fn:
ltoff22:
	{ .mii
	addl	r14 = @ltoff(var), gp
	addl	r15 = @ltoff(jiffies), gp
	nop.i	0 ;;
	}
// check: in(gp + addl(ltoff22), ".got") == 1
// check: *8(gp + addl(ltoff22)) == var
// check: *8(gp + addl(ltoff22+1)) == jiffies
ltoff64:
	{ .mlx
	nop.m	0
	movl	r16 = @ltoff(var) ;;
	}
// One GOT slot per value: the same slot as ltoff22's.
// check: movl(ltoff64) == addl(ltoff22)
ltoff_addend:
	{ .mii
	addl	r17 = @ltoff(var + 8), gp
	nop.i	0
	nop.i	0 ;;
	}
// check: *8(gp + addl(ltoff_addend)) == var + 8
ltoffx_near:
	{ .mmi
	addl	r2 = @ltoffx(var), gp ;;
	ld8.mov	r2 = [r2], var
	nop.i	0 ;;
	}
// var is gp-addressable: addl gets S+A-gp and the ld8 becomes "add r2=r0,r2" (mov).
// check: gp + addl(ltoffx_near) == var
// check: opcode(ltoffx_near+1) == 8
ltoffx_far:
	{ .mmi
	addl	r3 = @ltoffx(init_task), gp ;;
	ld8.mov	r3 = [r3], init_task
	nop.i	0 ;;
	}
// init_task is in the kernel, far from gp: a GOT slot, and the ld8 stays.
// check: *8(gp + addl(ltoffx_far)) == init_task
// check: opcode(ltoffx_far+1) == 4
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	fn

	.data
	.align	16
var:	data8	1, 2
