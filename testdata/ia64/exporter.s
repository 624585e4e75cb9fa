// exporter.s: a module exporting a function, as EXPORT_SYMBOL does on
// ia64: the __ksymtab entry's value is the function's descriptor
// (@fptr), so what an importing module resolves is a descriptor in this
// module's .opd. Linked with importer.s (cross-module calls).
	.include "module.inc"
	module	exporter

	.text
	.global	foo
	.proc	foo
foo:
	{ .mib
	nop.m	0
	nop.i	0
	br.ret.sptk.many b0 ;;
	}
	.endp	foo

	.section __ksymtab_strings,"a",@progbits
__kstrtab_foo:
	.string	"foo"

// struct kernel_symbol { value, name, namespace } without PREL32 relocations.
	.section __ksymtab,"a",@progbits
	.align	8
	.global	__ksymtab_foo
__ksymtab_foo:
	data8	@fptr(foo)
	data8	__kstrtab_foo
	data8	0
