// Build: make -C testdata (kernel flags). Calls a function no kernel exports,
// and reads a weak symbol nobody defines: the first is an unknown symbol,
// the second resolves to 0 as the kernel allows.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
extern int frobnicate(int);
extern int maybe_there __attribute__((weak));
static int __init unknown_init(void)
{
	return frobnicate(&maybe_there ? maybe_there : 0);
}
module_init(unknown_init);
