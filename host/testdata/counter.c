// Compiled by the tests at test time (host_test.go), with the kernel's flags
// and with plain gcc -c: gcc -c -I../../include -DKBUILD_MODNAME='"counter"' counter.c
// A kernel-style module: typed parameters (int, charp, int array, bool,
// string), kmalloc'd state under a spinlock, exports, a callback the host
// calls by name, printk with pr_fmt and KERN_CONT.
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <golink/module.h>

MODULE_LICENSE("GPL");
MODULE_AUTHOR("golink tests");
MODULE_DESCRIPTION("a counter with typed parameters");
MODULE_VERSION("1.0");

static int step = 1;
module_param(step, int, 0644);
MODULE_PARM_DESC(step, "how much each bump adds (> 0)");

static char *label = "count";
module_param(label, charp, 0444);
MODULE_PARM_DESC(label, "what is being counted");

static int weights[8] = {1, 1};
static unsigned int nweights = 2;
module_param_array(weights, int, &nweights, 0444);
MODULE_PARM_DESC(weights, "a weight per bump, cycled");

static bool verbose;
module_param(verbose, bool, 0644);

static char tag[16] = "none";
module_param_string(tag, tag, sizeof(tag), 0444);

struct counter_state {
	spinlock_t lock;
	long value;
	unsigned int bumps;
	char name[24];
};
static struct counter_state *st;

long counter_bump(long n)
{
	long v;

	spin_lock(&st->lock);
	st->value += n * step * weights[st->bumps % nweights];
	st->bumps++;
	v = st->value;
	spin_unlock(&st->lock);
	if (verbose)
		pr_info("bump %ld -> %ld\n", n, v);
	return v;
}
EXPORT_SYMBOL_GPL(counter_bump);

long counter_value(void)
{
	return st->value;
}
EXPORT_SYMBOL_GPL(counter_value);

static int __init counter_init(void)
{
	unsigned int i;
	int sum = 0;

	if (step <= 0) {
		pr_err("step must be positive, not %d\n", step);
		return -EINVAL;
	}
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	spin_lock_init(&st->lock);
	if (strscpy(st->name, label, sizeof(st->name)) < 0)
		pr_warn("label truncated to %s\n", st->name);
	for (i = 0; i < nweights; i++)
		sum += weights[i];
	pr_info("%s by %d, %u weights summing to %d, tag %s\n", st->name, step, nweights, sum, tag);
	pr_info("weights:");
	for (i = 0; i < nweights; i++)
		pr_cont(" %d", weights[i]);
	pr_cont("\n");
	if (golink_register_callback("counter.bump", counter_bump, THIS_MODULE))
		pr_warn("callback not registered\n");
	return 0;
}

static void __exit counter_exit(void)
{
	golink_unregister_callback("counter.bump");
	pr_info("%s: %ld after %u bumps\n", st->name, st->value, st->bumps);
	kfree(st);
}

module_init(counter_init);
module_exit(counter_exit);
