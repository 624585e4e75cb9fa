// Build: make -C testdata (kernel flags). Exports hello_add, as hello does:
// the second of the two to load is refused ("exports duplicate symbol").
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
int hello_add(int a, int b)
{
	return a - b;
}
EXPORT_SYMBOL(hello_add);
static int __init dupexport_init(void)
{
	return 0;
}
module_init(dupexport_init);
