// Build: make -C testdata (kernel flags). A section both writable and
// executable: module_enforce_rwx_sections refuses it.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
__asm__(".section .wx,\"awx\",@progbits\n.globl wx_code\nwx_code: ret\n.previous\n");
extern void wx_code(void);
static int __init wx_init(void)
{
	wx_code();
	return 0;
}
module_init(wx_init);
