// Compiled by the benchmarks (bench_test.go): as a module with the kernel's
// flags, and with dlshim.c as a shared library, to compare loading it with
// golink (load, init, exit, remove) and with dlopen (dlopen, dlsym, init,
// exit, dlclose).
#include <golink/module.h>

MODULE_LICENSE("GPL");

static char *buf;

int small_add(int a, int b)
{
	return a + b;
}
EXPORT_SYMBOL(small_add);

static int __init small_init(void)
{
	buf = kmalloc(64, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	snprintf(buf, 64, "small %d", small_add(2, 3));
	pr_info("%s\n", buf);
	return 0;
}

static void __exit small_exit(void)
{
	kfree(buf);
}

module_init(small_init);
module_exit(small_exit);
