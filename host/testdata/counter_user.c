// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"counter_user"' counter_user.c
// Uses counter's exports: counter_bump resolved at load (so it holds
// counter), counter_value through symbol_get (a reference while it has it).
#include <golink/module.h>

MODULE_LICENSE("GPL");

extern long counter_bump(long n);
extern long counter_value(void);

static int times = 3;
module_param(times, int, 0444);

static int __init user_init(void)
{
	long (*value)(void);
	int i;

	for (i = 0; i < times; i++)
		counter_bump(i + 1);
	value = symbol_get(counter_value);
	if (!value) {
		pr_err("counter_user: no counter_value\n");
		return -ENOENT;
	}
	pr_info("counter_user: value %ld, own refcount %d\n", value(), module_refcount(THIS_MODULE));
	symbol_put(counter_value);
	return 0;
}

static void __exit user_exit(void)
{
	pr_info("counter_user: bye at %ld\n", counter_bump(0));
}

module_init(user_init);
module_exit(user_exit);
