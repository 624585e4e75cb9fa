// Compiled by the tests: gcc -c -I../../include -DKBUILD_MODNAME='"misc"' misc.c
// The idioms of real module code: a list under a spinlock, atomics, error
// pointers, kstrtoint, WARN_ON, __ro_after_init, __initdata, __initconst,
// an exported variable, kmalloc with __GFP_ZERO, strcpy and strcat.
#include <golink/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kernel idioms");

struct item {
	struct list_head node;
	int v;
	char name[16];
};

static LIST_HEAD(items);
static DEFINE_SPINLOCK(lock);
static atomic_t made = ATOMIC_INIT(0);
static int limit __ro_after_init;
static const char *const names[] __initconst = {"alpha", "beta", "gamma"};
static int __initdata extra = 7;

int misc_total;
EXPORT_SYMBOL(misc_total);

static char *list = "3,4,5";
module_param(list, charp, 0444);
MODULE_PARM_DESC(list, "comma-separated item values");

static struct item *make(const char *name, int v)
{
	struct item *it;

	if (v < 0)
		return ERR_PTR(-EINVAL);
	it = kmalloc(sizeof(*it), GFP_KERNEL | __GFP_ZERO);
	if (!it)
		return ERR_PTR(-ENOMEM);
	if (it->v != 0 || it->name[0] != 0)
		pr_warn("misc: kmalloc with __GFP_ZERO did not zero\n");
	it->v = v;
	strcpy(it->name, name);
	strcat(it->name, "!");
	atomic_inc(&made);
	return it;
}

long misc_sum(void)
{
	struct item *it;
	long s = 0;

	spin_lock(&lock);
	list_for_each_entry(it, &items, node)
		s += it->v;
	spin_unlock(&lock);
	return s;
}
EXPORT_SYMBOL(misc_sum);

static int __init misc_init(void)
{
	char buf[32], *p, *tok;
	struct item *it;
	int i, v;

	limit = 100 + extra;
	strscpy(buf, list, sizeof(buf));
	for (p = buf, i = 0; p && *p; i++) {
		tok = p;
		p = strchr(p, ',');
		if (p)
			*p++ = 0;
		if (kstrtoint(tok, 10, &v))
			return -EINVAL;
		it = make(names[i % ARRAY_SIZE(names)], v);
		if (IS_ERR(it))
			return PTR_ERR(it);
		spin_lock(&lock);
		list_add_tail(&it->node, &items);
		misc_total += v;
		spin_unlock(&lock);
	}
	WARN_ON(atomic_read(&made) != i);
	it = make("bad", -1);
	if (IS_ERR(it))
		pr_info("misc: refused %ld\n", PTR_ERR(it));
	list_for_each_entry(it, &items, node)
		pr_info("misc: %s=%d\n", it->name, it->v);
	pr_info("misc: %d items, total %d, limit %d\n", atomic_read(&made), misc_total, limit);
	return 0;
}

static void __exit misc_exit(void)
{
	struct item *it, *n;

	list_for_each_entry_safe(it, n, &items, node) {
		list_del(&it->node);
		kfree(it);
	}
	pr_info("misc: freed, limit still %d\n", limit);
}

module_init(misc_init);
module_exit(misc_exit);
