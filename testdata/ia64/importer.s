// importer.s: calls foo, which exporter.s exports: the call goes through
// a PLT stub that loads the exporter's gp and branches to foo's entry,
// both read from the exporter's function descriptor.
	.include "module.inc"
	module	importer

	.text
	.global	bar
	.proc	bar
bar:
call_foo:
	{ .mib
	nop.m	0
	nop.i	0
	br.call.sptk.many b0 = foo ;;
	}
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	bar
	.data
	.align	8
p_foo:	data8	@fptr(foo)
