// Compiled by the tests (no KBUILD_MODNAME: the loader names it after its
// file, custom_param): gcc -c -I../../include custom_param.c
// A parameter with ops of its own (module_param_cb): the host runs its set
// function, which uses the kernel's param_set_int and checks the range.
#include <golink/module.h>

MODULE_LICENSE("GPL");

static int percent = 50;

static int percent_set(const char *val, const struct kernel_param *kp)
{
	int err = param_set_int(val, kp);

	if (err)
		return err;
	if (*(int *)kp->arg < 0 || *(int *)kp->arg > 100)
		return -ERANGE;
	return 0;
}

static const struct kernel_param_ops percent_ops = {
	.set = percent_set,
	.get = param_get_int,
};
module_param_cb(percent, &percent_ops, &percent, 0644);

static int __init custom_init(void)
{
	pr_info("percent is %d\n", percent);
	return 0;
}

static void __exit custom_exit(void)
{
}

module_init(custom_init);
module_exit(custom_exit);
