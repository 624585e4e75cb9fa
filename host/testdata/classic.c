// Compiled by the tests, without KBUILD_MODNAME (so named after its file):
// gcc -c -I../../include classic.c
// A textbook module, as written against the kernel's own headers: the
// <linux/*.h> names it includes are golink's wrappers of module.h.
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

MODULE_LICENSE("GPL");
MODULE_AUTHOR("a textbook");
MODULE_DESCRIPTION("ticks");

static int times = 2;
module_param(times, int, S_IRUGO | S_IWUSR);
MODULE_PARM_DESC(times, "how many ticks");

static char *whom = "world";
module_param(whom, charp, S_IRUGO);

static int __init classic_init(void)
{
	int i;
	char *msg = kmalloc(32, GFP_KERNEL);

	if (!msg)
		return -ENOMEM;
	printk(KERN_INFO "hello, %s\n", whom);
	for (i = 0; i < times; i++) {
		snprintf(msg, 32, "tick %d", i);
		printk(KERN_INFO "%s\n", msg);
	}
	kfree(msg);
	return 0;
}

static void __exit classic_exit(void)
{
	printk(KERN_INFO "goodbye, %s\n", whom);
}

module_init(classic_init);
module_exit(classic_exit);
