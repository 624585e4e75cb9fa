// Build: see testdata/Makefile (hello.ko with the kernel's flags; hello-pie.o and hello-nopic.o without).
// A small kernel-style module: init/exit, printk, kmalloc, a per-cpu
// counter, module parameters and two exports (one GPL-only).
#include <golink/module.h>

MODULE_LICENSE("GPL");
MODULE_AUTHOR("golink");
MODULE_DESCRIPTION("hello: golink's example module");

static int count = 3;
module_param(count, int, 0644);
MODULE_PARM_DESC(count, "how many greetings");

static char *who = "world";
module_param(who, charp, 0444);
MODULE_PARM_DESC(who, "whom to greet");

static int levels[4] = {1, 2};
static unsigned int nlevels;
module_param_array(levels, int, &nlevels, 0444);

__attribute__((section(".data..percpu"))) int hello_hits;

static char *buf;
int hello_total;

int hello_add(int a, int b)
{
	hello_total += a + b;
	return a + b;
}
EXPORT_SYMBOL(hello_add);

const char *hello_who(void)
{
	return who;
}
EXPORT_SYMBOL_GPL(hello_who);

static int __init hello_init(void)
{
	int i;

	buf = kmalloc(64, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		pr_info("hello, %s (%d of %d, level %d)\n", who, i + 1, count, levels[i % 4]);
	return 0;
}

static void __exit hello_exit(void)
{
	kfree(buf);
	pr_info("goodbye, %s: total %d\n", who, hello_total);
}

module_init(hello_init);
module_exit(hello_exit);
