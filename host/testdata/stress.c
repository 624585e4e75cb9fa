// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"stress"' stress.c
// stress_enter counts its entries and checks, on the way in, that someone
// holds a reference on the module: an entry without one is what the Golden
// Rule forbids and the host's guard must make impossible. exit reports both
// counts.
#include <golink/module.h>

MODULE_LICENSE("GPL");

static atomic_t entries = ATOMIC_INIT(0);
static atomic_t unguarded = ATOMIC_INIT(0);

long stress_enter(long x)
{
	volatile long spin;

	atomic_inc(&entries);
	if ((x & 15) == 0 && module_refcount(THIS_MODULE) <= 0)
		atomic_inc(&unguarded);
	for (spin = 0; spin < (x & 63); spin++)
		;
	return x + 1;
}
EXPORT_SYMBOL(stress_enter);

static int __init stress_init(void)
{
	return 0;
}

static void __exit stress_exit(void)
{
	pr_info("stress: %d entries, %d unguarded\n", atomic_read(&entries), atomic_read(&unguarded));
}

module_init(stress_init);
module_exit(stress_exit);
