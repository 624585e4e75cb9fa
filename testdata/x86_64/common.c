// Build: make -C testdata (kernel flags, but -fcommon). A tentative
// definition compiled with -fcommon becomes an SHN_COMMON symbol, which the
// kernel refuses: "please compile with -fno-common".
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
int shared_counter;
static int __init common_init(void)
{
	return shared_counter;
}
module_init(common_init);
