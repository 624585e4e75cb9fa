// Build: make -C testdata (kernel flags). Exports with the absolute struct
// kernel_symbol of kernels before 4.19 ({value, name} pointers, 16 bytes,
// R_X86_64_64 relocations) instead of 6.1's place-relative one.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
int old_add(int a, int b)
{
	return a + b;
}
int old_sub(int a, int b)
{
	return a - b;
}
__asm__(".section \"__ksymtab_strings\",\"aMS\",%progbits,1\n"
	"__kstrtab_old_add: .asciz \"old_add\"\n"
	"__kstrtab_old_sub: .asciz \"old_sub\"\n"
	".previous\n"
	".section \"__ksymtab\",\"a\"\n"
	".balign 8\n"
	"__ksymtab_old_add: .quad old_add, __kstrtab_old_add\n"
	".previous\n"
	".section \"__ksymtab_gpl\",\"a\"\n"
	".balign 8\n"
	"__ksymtab_old_sub: .quad old_sub, __kstrtab_old_sub\n"
	".previous\n");
static int __init oldexport_init(void)
{
	return 0;
}
module_init(oldexport_init);
