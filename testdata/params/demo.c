/* gcc -c -mcmodel=kernel -fno-pic -fno-common -mno-red-zone -O2 -fno-asynchronous-unwind-tables -fno-stack-protector -fcf-protection=none -fno-jump-tables -ffreestanding -nostdinc -o demo.o demo.c
 *
 * A module with one parameter of every standard type, arrays, a string,
 * custom ops, an unsafe parameter, two exports, a per-cpu variable and
 * init/exit code: the test object for golink's params, kallsyms and
 * disasm. */
#include "kmod.h"

MODULE_INFO(name, "demo");
MODULE_LICENSE("GPL");
MODULE_INFO(vermagic, "6.1.0-47-amd64 SMP preempt mod_unload modversions ");

struct module __this_module __section(".gnu.linkonce.this_module") = {
	.name = "demo",
};

static unsigned char b = 7;
module_param(b, byte, 0444);
MODULE_PARM_DESC(b, "a byte");
static short s = -3;
module_param(s, short, 0644);
static unsigned short us = 9;
module_param(us, ushort, 0644);
static int i = -4;
module_param(i, int, 0644);
MODULE_PARM_DESC(i, "an int");
static unsigned int ui = 5;
module_param(ui, uint, 0600);
static long l = -6;
module_param(l, long, 0644);
static unsigned long ul = 7;
module_param(ul, ulong, 0644);
static unsigned long long ull = 8;
module_param(ull, ullong, 0644);
static unsigned int hex = 0x1f;
module_param(hex, hexint, 0644);
static char *name = "world";
module_param(name, charp, 0644);
MODULE_PARM_DESC(name, "who to greet");
static char *nothing;
module_param(nothing, charp, 0);
static _Bool verbose;
module_param(verbose, bool, 0644);
MODULE_PARM_DESC(verbose, "say more");
static _Bool once;
module_param(once, bool_enable_only, 0644);
static _Bool quiet = 1;
module_param(quiet, invbool, 0644);
static int flag;
module_param(flag, bint, 0644);
static int max_retries = 3;
module_param_named(max_retries, max_retries, int, 0644);
static int danger;
module_param_unsafe(danger, int, 0);

static int ints[4] = { 1, 2 };
static unsigned int nints = 2;
module_param_array(ints, int, &nints, 0644);
MODULE_PARM_DESC(ints, "up to four ints");
static char *names[2];
module_param_array(names, charp, NULL, 0444);
static unsigned short shorts[3] = { 10, 20, 30 };
static unsigned int nshorts;
module_param_array(shorts, ushort, &nshorts, 0644);

static char greeting[16] = "hello";
module_param_string(greeting, greeting, sizeof(greeting), 0644);
MODULE_PARM_DESC(greeting, "what to say");

static int level = 1;
static int set_level(const char *val, const struct kernel_param *kp)
{
	return val && val[0] == 'x' ? -22 : 0;
}
static const struct kernel_param_ops level_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = set_level,
};
module_param_cb(level, &level_ops, &level, 0644);
MODULE_PARM_DESC(level, "a custom parameter");
MODULE_PARM_TYPE(level, "int");

__percpu_var int demo_counter;

static void *buf;

int demo_greet(const char *who)
{
	return _printk("\0016demo: %s %s %d\n", greeting, who ? who : name, i);
}
EXPORT_SYMBOL(demo_greet);

unsigned long demo_ticks(void)
{
	return jiffies + (unsigned long)ints[1];
}
EXPORT_SYMBOL_GPL(demo_ticks);

static int __init demo_init(void)
{
	buf = kmalloc_trace(kmalloc_caches[5], 0xcc0, strlen(name) + 1);
	if (!buf)
		return -12;
	return demo_greet(NULL);
}

static void __exit demo_exit(void)
{
	kfree(buf);
}

int init_module(void) __attribute__((alias("demo_init")));
void cleanup_module(void) __attribute__((alias("demo_exit")));
