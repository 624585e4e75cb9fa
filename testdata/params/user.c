/* gcc -c -mcmodel=kernel -fno-pic -fno-common -mno-red-zone -O2 -fno-asynchronous-unwind-tables -fno-stack-protector -fcf-protection=none -fno-jump-tables -ffreestanding -nostdinc -o user.o user.c
 *
 * A second module that uses demo's exports: kallsyms then lists two
 * modules, and the disassembly calls into another module. */
#include "kmod.h"

MODULE_INFO(name, "user");
MODULE_LICENSE("GPL");
MODULE_INFO(depends, "demo");

struct module __this_module __section(".gnu.linkonce.this_module") = {
	.name = "user",
};

extern int demo_greet(const char *who);
extern unsigned long demo_ticks(void);

static char *who = "user";
module_param(who, charp, 0444);
MODULE_PARM_DESC(who, "passed to demo_greet");

static unsigned long started;

static int __init user_init(void)
{
	started = demo_ticks();
	return demo_greet(who);
}

int init_module(void) __attribute__((alias("user_init")));
