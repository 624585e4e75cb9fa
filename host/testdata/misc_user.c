// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"misc_user"' misc_user.c
// Reads and writes misc's exported variable (through the GOT, when built
// as PIE) and calls its export.
#include <golink/module.h>

MODULE_LICENSE("GPL");

extern int misc_total;
extern long misc_sum(void);

static int __init misc_user_init(void)
{
	pr_info("misc_user: total %d, sum %ld\n", misc_total, misc_sum());
	misc_total = -1;
	return 0;
}

static void __exit misc_user_exit(void)
{
}

module_init(misc_user_init);
module_exit(misc_user_exit);
