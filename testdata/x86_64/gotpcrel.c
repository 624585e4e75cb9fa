// Build: make -C testdata (kernel flags). Loads an address through the GOT
// (R_X86_64_REX_GOTPCRELX), which the kernel's x86_64 loader does not apply.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
static int __init gotpcrel_init(void)
{
	void *p;
	__asm__("movq kfree@GOTPCREL(%%rip), %0" : "=r"(p));
	return p != NULL;
}
module_init(gotpcrel_init);
