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
 * kbuild defines KBUILD_MODNAME for each source (-DKBUILD_MODNAME='"hello"');
 * without it the module has no name of its own, and golink's loader names
 * it after its file, as kbuild would have (hello-world.o: hello_world).
 *
 * golink's host (package host) provides every function declared here; the
 * kernel proper provides them too, except golink_register_callback and
 * golink_unregister_callback.
 */
#ifndef GOLINK_MODULE_H
#define GOLINK_MODULE_H

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME ""
#endif

typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef signed short s16;
typedef unsigned int u32;
typedef signed int s32;
typedef unsigned long long u64;
typedef signed long long s64;
typedef long ssize_t;
typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef long long loff_t;
typedef s8 int8_t;
typedef u8 uint8_t;
typedef s16 int16_t;
typedef u16 uint16_t;
typedef s32 int32_t;
typedef u32 uint32_t;
typedef s64 int64_t;
typedef u64 uint64_t;
typedef _Bool bool;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define true 1
#define false 0
#define NULL ((void *)0)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __read_mostly
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)

#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __aligned(n) __attribute__((__aligned__(n)))
#define __init __section(".init.text")
#define __exit __section(".exit.text")
#define __initdata __section(".init.data")
#define __initconst __section(".init.rodata")
#define __exitdata __section(".exit.data")
#define __ro_after_init __section(".data..ro_after_init")

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* errno values */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOTTY 25
#define ENOSPC 28
#define EROFS 30
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define EALREADY 114

/* Error pointers. */
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE((unsigned long)ptr); }

/* Allocation */
typedef unsigned int gfp_t;
#define GFP_KERNEL ((gfp_t)0xcc0)
#define GFP_ATOMIC ((gfp_t)0xa20)
#define __GFP_ZERO ((gfp_t)0x100)
void *__kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *krealloc(const void *p, size_t size, gfp_t flags);
char *kstrdup(const char *s, gfp_t flags);
void *kmemdup(const void *p, size_t size, gfp_t flags);
void kfree(const void *p);
#define kmalloc(size, flags) __kmalloc(size, flags)
#define kmalloc_array(n, size, flags) kcalloc(n, size, flags)

/* Strings and memory */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
char *strcat(char *dst, const char *src);
ssize_t strscpy(char *dst, const char *src, size_t size);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int sprintf(char *buf, const char *fmt, ...) __printf(2, 3);
int kstrtoint(const char *s, unsigned int base, int *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
#define kstrtol(s, base, res) kstrtoll(s, base, (long long *)(res))
#define kstrtoul(s, base, res) kstrtoull(s, base, (unsigned long long *)(res))

/* Time, randomness, sleeping. */
u64 ktime_get_ns(void);
u32 get_random_u32(void);
void msleep(unsigned int msecs);

/* Atomics, spinlocks and mutexes, on the compiler's atomic builtins. A
 * mutex spins here; nothing in a golink host sleeps holding one. */
typedef struct { int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }
static inline int atomic_read(const atomic_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }
static inline void atomic_set(atomic_t *v, int i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }
static inline int atomic_add_return(int i, atomic_t *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }
static inline int atomic_sub_return(int i, atomic_t *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }
#define atomic_add(i, v) ((void)atomic_add_return(i, v))
#define atomic_sub(i, v) ((void)atomic_sub_return(i, v))
#define atomic_inc(v) atomic_add(1, v)
#define atomic_dec(v) atomic_sub(1, v)
#define atomic_inc_return(v) atomic_add_return(1, v)
#define atomic_dec_return(v) atomic_sub_return(1, v)
#define atomic_dec_and_test(v) (atomic_sub_return(1, v) == 0)

typedef struct { int locked; } spinlock_t;
#define __SPIN_LOCK_UNLOCKED(x) { 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
static inline void spin_lock_init(spinlock_t *l) { l->locked = 0; }
static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}
static inline void spin_unlock(spinlock_t *l) { __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE); }
#define spin_lock_irqsave(l, flags) do { (void)(flags); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)
struct mutex { spinlock_t lock; };
#define DEFINE_MUTEX(x) struct mutex x = { __SPIN_LOCK_UNLOCKED(x) }
#define mutex_init(m) spin_lock_init(&(m)->lock)
#define mutex_lock(m) spin_lock(&(m)->lock)
#define mutex_unlock(m) spin_unlock(&(m)->lock)

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
int vprintk(const char *fmt, va_list ap) __printf(1, 0);

/* Doubly linked lists (include/linux/list.h). */
struct list_head {
	struct list_head *next, *prev;
};
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *head) { __list_add(n, head, head->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *head) { __list_add(n, head->prev, head); }
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = NULL;
}
static inline bool list_empty(const struct list_head *head) { return head->next == head; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)                                 \
	for (pos = list_first_entry(head, __typeof__(*pos), member);           \
	     &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)                         \
	for (pos = list_first_entry(head, __typeof__(*pos), member),           \
	     n = list_next_entry(pos, member);                                 \
	     &pos->member != (head); pos = n, n = list_next_entry(n, member))

/* BUG_ON stops the thread as the kernel's oops would; WARN_ON warns once
 * per call site and returns the condition. */
#define BUG() do { printk(KERN_EMERG "kernel BUG at %s:%d!\n", __FILE__, __LINE__); __builtin_trap(); } while (0)
#define BUG_ON(c) do { if (unlikely(c)) BUG(); } while (0)
#define WARN_ON(c) ({                                                          \
	bool __w = !!(c);                                                      \
	if (unlikely(__w))                                                     \
		printk(KERN_WARNING "WARNING: at %s:%d %s\n", __FILE__, __LINE__, __func__); \
	unlikely(__w);                                                         \
})
#define WARN(c, fmt, ...) ({ bool __w = !!(c); if (unlikely(__w)) printk(KERN_WARNING fmt, ##__VA_ARGS__); unlikely(__w); })

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
void __module_get(struct module *m);
int module_refcount(struct module *m);
void *__symbol_get(const char *name);
void __symbol_put(const char *name);
#define symbol_get(x) ((__typeof__(&x))(__symbol_get(__stringify(x))))
#define symbol_put(x) __symbol_put(__stringify(x))

/* golink only: a callback the host calls by name, owned by owner. The host
 * takes a reference on owner around every call (the Golden Rule), so the
 * callback can run while the module is being removed only if it started
 * before. Returns 0, -EEXIST or -EINVAL. */
int golink_register_callback(const char *name, long (*fn)(long), struct module *owner);
int golink_unregister_callback(const char *name);

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
#define MODULE_SOFTDEP(d) MODULE_INFO(softdep, d)
#define MODULE_FIRMWARE(f) MODULE_INFO(firmware, f)
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

/* Permissions for module_param (include/linux/stat.h). */
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#define S_IRWXUGO (S_IRWXU | S_IRWXG | S_IRWXO)
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)
#define S_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)

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
/* The x86_64 layout; host/paramops.c restates these structs and asserts the same. */
#define __golink_abi(t, m, off) _Static_assert(offsetof(struct t, m) == off, #t "." #m " at " #off)
_Static_assert(sizeof(struct kernel_param_ops) == 32, "struct kernel_param_ops is 32 bytes");
__golink_abi(kernel_param_ops, flags, 0);
__golink_abi(kernel_param_ops, set, 8);
__golink_abi(kernel_param_ops, get, 16);
__golink_abi(kernel_param_ops, free, 24);
_Static_assert(sizeof(struct kparam_string) == 16, "struct kparam_string is 16 bytes");
__golink_abi(kparam_string, maxlen, 0);
__golink_abi(kparam_string, string, 8);
_Static_assert(sizeof(struct kparam_array) == 32, "struct kparam_array is 32 bytes");
__golink_abi(kparam_array, max, 0);
__golink_abi(kparam_array, elemsize, 4);
__golink_abi(kparam_array, num, 8);
__golink_abi(kparam_array, ops, 16);
__golink_abi(kparam_array, elem, 24);
_Static_assert(sizeof(struct kernel_param) == 40, "struct kernel_param is 40 bytes");
__golink_abi(kernel_param, name, 0);
__golink_abi(kernel_param, mod, 8);
__golink_abi(kernel_param, ops, 16);
__golink_abi(kernel_param, perm, 24);
__golink_abi(kernel_param, level, 26);
__golink_abi(kernel_param, flags, 27);
__golink_abi(kernel_param, arg, 32);
#undef __golink_abi

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

#define module_param_cb(name, ops, arg, perm) __golink_param(name, ops, arg, perm)
#define __MODULE_PARM_TYPE(name, _type) __param_type(name, _type)

int param_set_int(const char *val, const struct kernel_param *kp);
int param_get_int(char *buffer, const struct kernel_param *kp);
int param_set_uint(const char *val, const struct kernel_param *kp);
int param_get_uint(char *buffer, const struct kernel_param *kp);
int param_set_bool(const char *val, const struct kernel_param *kp);
int param_get_bool(char *buffer, const struct kernel_param *kp);
int param_set_charp(const char *val, const struct kernel_param *kp);
int param_get_charp(char *buffer, const struct kernel_param *kp);

#define module_param_string(name, string, len, perm)                         \
	extern const struct kernel_param_ops param_ops_string;                   \
	static const struct kparam_string __param_string_##name = { len, string }; \
	__golink_param(name, &param_ops_string, (void *)&__param_string_##name, perm); \
	__param_type(name, "string")

#endif /* GOLINK_MODULE_H */
