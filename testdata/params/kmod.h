/*
 * kmod.h — just enough of a 6.1 x86_64 module's ABI for golink's test
 * objects, without kernel headers: struct kernel_param (40 bytes) in
 * __param, struct kparam_string and struct kparam_array beside it,
 * .modinfo "tag=value" strings, struct module's name at offset 24 of a
 * 0x380-byte .gnu.linkonce.this_module, and place-relative __ksymtab
 * entries (three s32 offsets, 12 bytes).
 *
 * It stands apart from include/golink/module.h on purpose: these objects pin
 * the 6.1 ABI by hand, so that changing the authors' header cannot move the
 * fixtures the parameter, kallsyms and disassembly goldens are made from.
 */
#define NULL ((void *)0)
#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __aligned(n) __attribute__((__aligned__(n)))
#define __cat2(a, b) a##b
#define __cat(a, b) __cat2(a, b)
#define __uniq(p) __cat(p, __COUNTER__)

struct module;
struct kernel_param;

struct kernel_param_ops {
	unsigned int flags;
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
	void (*free)(void *arg);
};

struct kparam_string {
	unsigned int maxlen;
	char *string;
};

struct kparam_array {
	unsigned int max;
	unsigned int elemsize;
	unsigned int *num;
	const struct kernel_param_ops *ops;
	void *elem;
};

/* const on x86_64 (__moduleparam_const), so __param is read-only. */
struct kernel_param {
	const char *name;
	struct module *mod;
	const struct kernel_param_ops *ops;
	const unsigned short perm;
	signed char level;
	unsigned char flags;
	union {
		void *arg;
		const struct kparam_string *str;
		const struct kparam_array *arr;
	};
};

/* struct module, 6.1 x86_64: state, list, then name[56] at 24; 0x380 bytes. */
struct module {
	int state;
	void *list[2];
	char name[56];
	char rest[0x380 - 24 - 56];
};

extern struct module __this_module;
#define THIS_MODULE (&__this_module)

#define MODULE_INFO(tag, info) \
	static const char __uniq(__modinfo_)[] __used __section(".modinfo") __aligned(1) = #tag "=" info
#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_PARM_DESC(name, desc) MODULE_INFO(parm, #name ":" desc)
#define MODULE_PARM_TYPE(name, type) MODULE_INFO(parmtype, #name ":" type)

#define KERNEL_PARAM_OPS_FL_NOARG 1
#define KERNEL_PARAM_FL_UNSAFE 1

#define PARAM_ENTRY(name, ops, perm, flags, argp)                                   \
	static const char __param_str_##name[] = #name;                             \
	static const struct kernel_param __param_##name __used __section("__param")     \
		__aligned(sizeof(void *)) = { __param_str_##name, THIS_MODULE, ops, \
					      perm, -1, flags, { argp } }

#define module_param_named(name, var, type, perm)                 \
	extern const struct kernel_param_ops param_ops_##type;   \
	PARAM_ENTRY(name, &param_ops_##type, perm, 0, &var);     \
	MODULE_PARM_TYPE(name, #type)
#define module_param(var, type, perm) module_param_named(var, var, type, perm)
#define module_param_unsafe(var, type, perm)                     \
	extern const struct kernel_param_ops param_ops_##type;   \
	PARAM_ENTRY(var, &param_ops_##type, perm, KERNEL_PARAM_FL_UNSAFE, &var); \
	MODULE_PARM_TYPE(var, #type)
#define module_param_cb(name, ops, arg, perm) PARAM_ENTRY(name, ops, perm, 0, arg)

#define module_param_array(name, type, nump, perm)                                    \
	extern const struct kernel_param_ops param_array_ops, param_ops_##type;      \
	static const struct kparam_array __param_arr_##name = {                      \
		sizeof(name) / sizeof(name[0]), sizeof(name[0]), nump,              \
		&param_ops_##type, name };                                           \
	PARAM_ENTRY(name, &param_array_ops, perm, 0, .arr = &__param_arr_##name);   \
	MODULE_PARM_TYPE(name, "array of " #type)

#define module_param_string(name, string, len, perm)                          \
	extern const struct kernel_param_ops param_ops_string;               \
	static const struct kparam_string __param_string_##name = { len, string }; \
	PARAM_ENTRY(name, &param_ops_string, perm, 0, .str = &__param_string_##name); \
	MODULE_PARM_TYPE(name, "string")

/* EXPORT_SYMBOL: a 12-byte place-relative struct kernel_symbol. */
#define __EXPORT(sym, sec)                                                       \
	static const char __kstrtab_##sym[] __used __section("__ksymtab_strings") = #sym; \
	__asm__(".section \"" sec "\", \"a\"\n"                                  \
		".balign 4\n"                                                     \
		"__ksymtab_" #sym ":\n"                                          \
		".long " #sym " - .\n"                                           \
		".long __kstrtab_" #sym " - .\n"                                 \
		".long 0\n"                                                       \
		".previous\n")
#define EXPORT_SYMBOL(sym) __EXPORT(sym, "__ksymtab")
#define EXPORT_SYMBOL_GPL(sym) __EXPORT(sym, "__ksymtab_gpl")

#define __init __section(".init.text")
#define __exit __section(".exit.text")
#define __percpu_var __section(".data..percpu")

/* Kernel functions and data the test objects call. */
extern int _printk(const char *fmt, ...);
extern void *kmalloc_trace(void *cache, unsigned int flags, unsigned long size);
extern void kfree(const void *p);
extern unsigned long strlen(const char *s);
extern void *kmalloc_caches[];
extern volatile unsigned long jiffies;
