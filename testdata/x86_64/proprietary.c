// Build: make -C testdata (kernel flags). A module without a GPL-compatible
// license taints the kernel P and cannot see GPL-only exports: its use of
// __symbol_get (EXPORT_SYMBOL_GPL) is an unknown symbol.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("Proprietary");
static int __init proprietary_init(void)
{
	pr_info("proprietary\n");
	return __symbol_get("kfree") ? 0 : -ENOENT;
}
module_init(proprietary_init);
