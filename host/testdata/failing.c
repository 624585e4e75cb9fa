// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"failing"' failing.c
// An init that fails after taking and giving back what it used, or, with
// leak=1, without giving back its memory.
#include <golink/module.h>

MODULE_LICENSE("GPL");

static bool leak;
module_param(leak, bool, 0444);

static int __init failing_init(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	pr_err("failing: no device\n");
	if (!leak)
		kfree(p);
	return -ENODEV;
}

static void __exit failing_exit(void)
{
}

module_init(failing_init);
module_exit(failing_exit);
