// Build: make -C testdata (kernel flags). Uses hello's exports: it loads only
// after hello, and holds it.
#include <golink/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("greeter: uses hello_add and hello_who");
extern int hello_add(int a, int b);
extern const char *hello_who(void);
static int __init greeter_init(void)
{
	pr_info("greeter: %s, 2+3=%d\n", hello_who(), hello_add(2, 3));
	return 0;
}
static void __exit greeter_exit(void)
{
}
module_init(greeter_init);
module_exit(greeter_exit);
