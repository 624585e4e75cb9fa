// The parameter ops the kernel exports (kernel/params.c): param_ops_int and
// the other standard types, with working set and get functions, and
// param_array_ops. golink's loader stores parameter values itself
// (package params), so these run only when module code calls them — a
// module's own ops built on param_set_int, say.

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#define CALLER ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* ---- Exported to modules: the parameter ops (kernel/params.c). ---- */

/*
 * These structs restate include/golink/module.h's (the kernel's
 * include/linux/moduleparam.h) because this file cannot include that
 * header: module.h is freestanding and types int64_t and uint64_t as the
 * kernel does (long long), which clashes with the <stdint.h> that
 * runtime.h and libc need here (long), and it redefines offsetof. Besides,
 * cgo's build cache does not see headers outside host/ (golang/go#24355),
 * so an edit to module.h would not rebuild this file. The assertions below
 * pin the layout both declarations must have, the x86_64 kernel ABI that
 * module code built against module.h expects; module.h asserts the same.
 */
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
	void *mod;
	const struct kernel_param_ops *ops;
	const uint16_t perm;
	int8_t level;
	uint8_t flags;
	union {
		void *arg;
		const struct kparam_string *str;
		const struct kparam_array *arr;
	};
};
#define ABI(t, m, off) _Static_assert(__builtin_offsetof(struct t, m) == off, #t "." #m " at " #off)
_Static_assert(sizeof(struct kernel_param_ops) == 32, "struct kernel_param_ops is 32 bytes");
ABI(kernel_param_ops, flags, 0);
ABI(kernel_param_ops, set, 8);
ABI(kernel_param_ops, get, 16);
ABI(kernel_param_ops, free, 24);
_Static_assert(sizeof(struct kparam_string) == 16, "struct kparam_string is 16 bytes");
ABI(kparam_string, maxlen, 0);
ABI(kparam_string, string, 8);
_Static_assert(sizeof(struct kparam_array) == 32, "struct kparam_array is 32 bytes");
ABI(kparam_array, max, 0);
ABI(kparam_array, elemsize, 4);
ABI(kparam_array, num, 8);
ABI(kparam_array, ops, 16);
ABI(kparam_array, elem, 24);
_Static_assert(sizeof(struct kernel_param) == 40, "struct kernel_param is 40 bytes");
ABI(kernel_param, name, 0);
ABI(kernel_param, mod, 8);
ABI(kernel_param, ops, 16);
ABI(kernel_param, perm, 24);
ABI(kernel_param, level, 26);
ABI(kernel_param, flags, 27);
ABI(kernel_param, arg, 32);
#undef ABI

#define KERNEL_PARAM_OPS_FL_NOARG 1
#define PAGE_SIZE 4096

#define STANDARD_PARAM(name, type, fmt, parse, ptype)                                  \
	int golink_param_set_##name(const char *val, const struct kernel_param *kp)    \
	{                                                                              \
		ptype v;                                                               \
		int err = parse;                                                       \
		if (err)                                                               \
			return err;                                                    \
		*(type *)kp->arg = (type)v;                                            \
		return 0;                                                              \
	}                                                                              \
	int golink_param_get_##name(char *buf, const struct kernel_param *kp)          \
	{                                                                              \
		return snprintf(buf, PAGE_SIZE, fmt "\n", *(type *)kp->arg);           \
	}                                                                              \
	const struct kernel_param_ops golink_param_ops_##name = {0, golink_param_set_##name, golink_param_get_##name, NULL};

STANDARD_PARAM(byte, unsigned char, "%hhu", golink_kstrtoull_range(val, 0, &v, 0xff), unsigned long long)
STANDARD_PARAM(short, short, "%hi", golink_kstrtoll_range(val, 0, &v, -32768, 32767), long long)
STANDARD_PARAM(ushort, unsigned short, "%hu", golink_kstrtoull_range(val, 0, &v, 0xffff), unsigned long long)
STANDARD_PARAM(int, int, "%i", golink_kstrtoll_range(val, 0, &v, -2147483648LL, 2147483647LL), long long)
STANDARD_PARAM(uint, unsigned int, "%u", golink_kstrtoull_range(val, 0, &v, 0xffffffffULL), unsigned long long)
STANDARD_PARAM(long, long, "%li", golink_kstrtoll_range(val, 0, &v, (-9223372036854775807LL - 1), 9223372036854775807LL), long long)
STANDARD_PARAM(ulong, unsigned long, "%lu", golink_kstrtoull_range(val, 0, &v, ~0ULL), unsigned long long)
STANDARD_PARAM(ullong, unsigned long long, "%llu", golink_kstrtoull_range(val, 0, &v, ~0ULL), unsigned long long)
STANDARD_PARAM(hexint, unsigned int, "%#08x", golink_kstrtoull_range(val, 0, &v, 0xffffffffULL), unsigned long long)

/* kstrtobool: y/Y/1/on and n/N/0/off. */
static int strtobool_(const char *s, _Bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = 1;
		return 0;
	case 'n': case 'N': case '0':
		*res = 0;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = 1;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = 0;
			return 0;
		}
	}
	return -EINVAL;
}

int golink_param_set_bool(const char *val, const struct kernel_param *kp)
{
	if (!val)
		val = "1"; /* no value: set it */
	return strtobool_(val, (_Bool *)kp->arg);
}
int golink_param_get_bool(char *buf, const struct kernel_param *kp)
{
	return snprintf(buf, PAGE_SIZE, "%c\n", *(_Bool *)kp->arg ? 'Y' : 'N');
}
const struct kernel_param_ops golink_param_ops_bool = {KERNEL_PARAM_OPS_FL_NOARG, golink_param_set_bool, golink_param_get_bool, NULL};

static int param_set_bool_enable_only(const char *val, const struct kernel_param *kp)
{
	_Bool v;
	int err;
	if (!val)
		val = "1";
	if ((err = strtobool_(val, &v)))
		return err;
	if (!v && *(_Bool *)kp->arg)
		return -EROFS;
	*(_Bool *)kp->arg = v;
	return 0;
}
const struct kernel_param_ops golink_param_ops_bool_enable_only = {KERNEL_PARAM_OPS_FL_NOARG, param_set_bool_enable_only,
								  golink_param_get_bool, NULL};

static int param_set_invbool(const char *val, const struct kernel_param *kp)
{
	_Bool v;
	int err;
	if (!val)
		val = "1";
	if ((err = strtobool_(val, &v)))
		return err;
	*(_Bool *)kp->arg = !v;
	return 0;
}
static int param_get_invbool(char *buf, const struct kernel_param *kp)
{
	return snprintf(buf, PAGE_SIZE, "%c\n", *(_Bool *)kp->arg ? 'N' : 'Y');
}
const struct kernel_param_ops golink_param_ops_invbool = {0, param_set_invbool, param_get_invbool, NULL};

static int param_set_bint(const char *val, const struct kernel_param *kp)
{
	_Bool v;
	int err;
	if (!val)
		val = "1";
	if ((err = strtobool_(val, &v)))
		return err;
	*(int *)kp->arg = v;
	return 0;
}
static int param_get_bint(char *buf, const struct kernel_param *kp)
{
	return snprintf(buf, PAGE_SIZE, "%i\n", *(int *)kp->arg);
}
const struct kernel_param_ops golink_param_ops_bint = {KERNEL_PARAM_OPS_FL_NOARG, param_set_bint, param_get_bint, NULL};

/* charp: a kmalloc'd copy, owned by the kernel on the module's behalf. */
int golink_param_set_charp(const char *val, const struct kernel_param *kp)
{
	if (strlen(val) > 1024)
		return -ENOSPC;
	int32_t owner = golink_rt_owner((uint64_t)(uintptr_t)kp->arg);
	char *p = (char *)(uintptr_t)golink_rt_alloc_for(owner ? -owner : 0, strlen(val) + 1, CALLER, 0);
	if (!p)
		return -ENOMEM;
	strcpy(p, val);
	*(char **)kp->arg = p;
	return 0;
}
int golink_param_get_charp(char *buf, const struct kernel_param *kp)
{
	return snprintf(buf, PAGE_SIZE, "%s\n", *(char **)kp->arg ? *(char **)kp->arg : "(null)");
}
const struct kernel_param_ops golink_param_ops_charp = {0, golink_param_set_charp, golink_param_get_charp, NULL};

static int param_set_copystring(const char *val, const struct kernel_param *kp)
{
	const struct kparam_string *kps = kp->str;
	if (strlen(val) + 1 > kps->maxlen)
		return -ENOSPC;
	strcpy(kps->string, val);
	return 0;
}
static int param_get_string(char *buf, const struct kernel_param *kp)
{
	return snprintf(buf, PAGE_SIZE, "%s\n", kp->str->string);
}
const struct kernel_param_ops golink_param_ops_string = {0, param_set_copystring, param_get_string, NULL};

/* Arrays: comma-separated values, each set by the element ops. */
static int param_array_set(const char *val, const struct kernel_param *kp)
{
	const struct kparam_array *arr = kp->arr;
	char buf[1024];
	unsigned int n = 0;
	if (strlen(val) >= sizeof buf)
		return -ENOSPC;
	strcpy(buf, val);
	for (char *s = buf, *comma;; s = comma + 1) {
		if (n >= arr->max)
			return -EINVAL;
		comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		struct kernel_param elem = {kp->name, kp->mod, arr->ops, kp->perm, kp->level, kp->flags,
					    {(char *)arr->elem + (size_t)arr->elemsize * n}};
		int err = arr->ops->set(s, &elem);
		if (err)
			return err;
		n++;
		if (!comma)
			break;
	}
	if (arr->num)
		*arr->num = n;
	return 0;
}
static int param_array_get(char *buf, const struct kernel_param *kp)
{
	const struct kparam_array *arr = kp->arr;
	unsigned int num = arr->num ? *arr->num : arr->max;
	int off = 0;
	for (unsigned int i = 0; i < num; i++) {
		struct kernel_param elem = {kp->name, kp->mod, arr->ops, kp->perm, kp->level, kp->flags,
					    {(char *)arr->elem + (size_t)arr->elemsize * i}};
		if (i)
			buf[off - 1] = ',';
		off += arr->ops->get(buf + off, &elem);
	}
	return off;
}
const struct kernel_param_ops golink_param_array_ops = {0, param_array_set, param_array_get, NULL};

