/*
 * golink/module.h — the names kernel module authors write, producing the
 * section formats of Linux 6.1 on x86_64, so that golink's loader treats a
 * module built against this header exactly as a real .ko:
 *
 *   .modinfo                   "tag=value" strings (MODULE_LICENSE, ...)
 *   .gnu.linkonce.this_module  struct module: name at offset 24, init at
 *                              0x138, exit at 0x350, size 0x380
 *   __ksymtab, __ksymtab_gpl   12-byte place-relative struct kernel_symbol
 *   __ksymtab_strings          the exported names and namespaces
 *   __kcrctab, __kcrctab_gpl   CRCs parallel to the ksymtab entries
 *   __param                    40-byte struct kernel_param entries
 *
 * Build with the kernel's flags (gcc -c -mcmodel=kernel -fno-pic
 * -fno-common -mno-red-zone) for the kernel's layout, or with plain gcc -c.
 * Each source must define KBUILD_MODNAME (e.g. -DKBUILD_MODNAME='"hello"').
 */
#ifndef GOLINK_MODULE_H
#define GOLINK_MODULE_H

#ifndef KBUILD_MODNAME
#error "define KBUILD_MODNAME, e.g. -DKBUILD_MODNAME='\"hello\"'"
#endif

typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long ssize_t;
typedef unsigned long size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __aligned(n) __attribute__((__aligned__(n)))
#define __init __section(".init.text")
#define __exit __section(".exit.text")
#define __initdata __section(".init.data")

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* errno values */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38

/* Allocation */
typedef unsigned int gfp_t;
#define GFP_KERNEL ((gfp_t)0xcc0)
#define GFP_ATOMIC ((gfp_t)0xa20)
void *__kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void kfree(const void *p);
#define kmalloc(size, flags) __kmalloc(size, flags)

/* Strings and memory */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
ssize_t strscpy(char *dst, const char *src, size_t size);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* printk: the level is a SOH-prefixed digit at the start of the format. */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"
int _printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define printk(fmt, ...) _printk(fmt, ##__VA_ARGS__)
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)

/* struct module, as .gnu.linkonce.this_module (Linux 6.1, x86_64). */
struct module {
	int state;
	char __pad0[20];
	char name[56];
	char __pad1[0x138 - 80];
	int (*init)(void);
	char __pad2[0x350 - 0x140];
	void (*exit)(void);
	char __pad3[0x380 - 0x358];
} __aligned(64);
extern struct module __this_module;
#define THIS_MODULE (&__this_module)

bool try_module_get(struct module *m);
void module_put(struct module *m);
void *__symbol_get(const char *name);
void __symbol_put(const char *name);
#define symbol_get(x) ((__typeof__(&x))(__symbol_get(__stringify(x))))
#define symbol_put(x) __symbol_put(__stringify(x))

/* module_init/module_exit alias the entry points as init_module and
 * cleanup_module, which __this_module points at, as modpost's .mod.c does. */
#define module_init(fn)                                                      \
	int init_module(void) __attribute__((__alias__(#fn)));                   \
	struct module __this_module __used __section(".gnu.linkonce.this_module") \
		= { .name = KBUILD_MODNAME, .init = init_module, .exit = __golink_exit }
#define module_exit(fn) void cleanup_module(void) __attribute__((__alias__(#fn)))
/* A module with module_init must say whether it has an exit; modpost does
 * this by looking for cleanup_module. */
#ifdef GOLINK_NO_EXIT
#define __golink_exit NULL
#else
#define __golink_exit cleanup_module
void cleanup_module(void);
#endif

/* .modinfo */
#define __MODULE_INFO(tag, info)                                              \
	static const char __UNIQUE_ID(tag)[] __used __section(".modinfo")        \
		__aligned(1) = __stringify(tag) "=" info
#define MODULE_INFO(tag, info) __MODULE_INFO(tag, info)
#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_AUTHOR(a) MODULE_INFO(author, a)
#define MODULE_DESCRIPTION(d) MODULE_INFO(description, d)
#define MODULE_VERSION(v) MODULE_INFO(version, v)
#define MODULE_ALIAS(a) MODULE_INFO(alias, a)
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, __stringify(ns))
#define MODULE_PARM_DESC(p, d) MODULE_INFO(parm, #p ":" d)
/* modpost adds these; a module built outside the kernel carries them itself. */
__MODULE_INFO(name, KBUILD_MODNAME);
#ifndef GOLINK_VERMAGIC
#define GOLINK_VERMAGIC "6.1.0-47-amd64 SMP preempt mod_unload modversions "
#endif
__MODULE_INFO(vermagic, GOLINK_VERMAGIC);

/* Exports: 6.1's place-relative struct kernel_symbol, its name and namespace
 * in __ksymtab_strings, and a CRC (0 unless GOLINK_CRC_<sym> is given). */
#define ___EXPORT_SYMBOL(sym, sec, ns, crc)                                   \
	__asm__(".section \"__ksymtab_strings\",\"aMS\",%progbits,1\n"           \
		"__kstrtab_" #sym ": .asciz \"" #sym "\"\n"                      \
		"__kstrtabns_" #sym ": .asciz \"" ns "\"\n"                      \
		".previous\n"                                                    \
		".section \"__ksymtab" sec "\",\"a\"\n"                          \
		".balign 4\n"                                                    \
		"__ksymtab_" #sym ":\n"                                          \
		".long " #sym " - .\n"                                           \
		".long __kstrtab_" #sym " - .\n"                                 \
		".long __kstrtabns_" #sym " - .\n"                               \
		".previous\n"                                                    \
		".section \"__kcrctab" sec "\",\"a\"\n"                          \
		".balign 4\n"                                                    \
		"__crc_" #sym ": .long " crc "\n"                                \
		".previous\n")
#define EXPORT_SYMBOL(sym) ___EXPORT_SYMBOL(sym, "", "", "0")
#define EXPORT_SYMBOL_GPL(sym) ___EXPORT_SYMBOL(sym, "_gpl", "", "0")
#define EXPORT_SYMBOL_NS(sym, ns) ___EXPORT_SYMBOL(sym, "", #ns, "0")
#define EXPORT_SYMBOL_NS_GPL(sym, ns) ___EXPORT_SYMBOL(sym, "_gpl", #ns, "0")

/* Parameters: struct kernel_param (40 bytes) in __param, plus parmtype=. */
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
struct kernel_param {
	const char *name;
	struct module *mod;
	const struct kernel_param_ops *ops;
	const u16 perm;
	s8 level;
	u8 flags;
	union {
		void *arg;
		const struct kparam_string *str;
		const struct kparam_array *arr;
	};
};

#define __param_ops(type) param_ops_##type
#define __golink_param(name, ops, arg, perm)                                 \
	static const char __param_str_##name[] = #name;                          \
	static const struct kernel_param __param_##name __used                   \
		__section("__param") __aligned(sizeof(void *))                   \
		= { __param_str_##name, THIS_MODULE, ops, perm, -1, 0, { arg } }
#define __param_type(name, type) __MODULE_INFO(parmtype, #name ":" type)

#define module_param_named(name, value, type, perm)                          \
	extern const struct kernel_param_ops param_ops_##type;                   \
	__golink_param(name, &param_ops_##type, &value, perm);                   \
	__param_type(name, #type)
#define module_param(name, type, perm) module_param_named(name, name, type, perm)

#define module_param_array_named(name, array, type, nump, perm)              \
	extern const struct kernel_param_ops param_ops_##type;                   \
	extern const struct kernel_param_ops param_array_ops;                    \
	static const struct kparam_array __param_arr_##name = {                  \
		sizeof(array) / sizeof(array[0]), sizeof(array[0]), nump,        \
		&param_ops_##type, array };                                      \
	__golink_param(name, &param_array_ops, (void *)&__param_arr_##name, perm); \
	__param_type(name, "array of " #type)
#define module_param_array(name, type, nump, perm)                           \
	module_param_array_named(name, name, type, nump, perm)

#define module_param_string(name, string, len, perm)                         \
	extern const struct kernel_param_ops param_ops_string;                   \
	static const struct kparam_string __param_string_##name = { len, string }; \
	__golink_param(name, &param_ops_string, (void *)&__param_string_##name, perm); \
	__param_type(name, "string")

#endif /* GOLINK_MODULE_H */
