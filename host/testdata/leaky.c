// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"leaky"' leaky.c
// Allocates three buffers and frees one: two leaks for the host to report.
#include <golink/module.h>

MODULE_LICENSE("GPL");

static char *a, *b, *c;

static int __init leaky_init(void)
{
	a = kmalloc(100, GFP_KERNEL);
	b = kstrdup("kept", GFP_KERNEL);
	c = kzalloc(32, GFP_KERNEL);
	if (!a || !b || !c)
		return -ENOMEM;
	kfree(a);
	kfree(NULL);
	pr_info("leaky: holding %s\n", b);
	return 0;
}

static void __exit leaky_exit(void)
{
	pr_info("leaky: goodbye\n");
}

module_init(leaky_init);
module_exit(leaky_exit);
