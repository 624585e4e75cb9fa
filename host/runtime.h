/*
 * The C half of golink's host kernel: what module code calls (the
 * functions and data exported to modules, table golink_exports) and what
 * the Go half calls (module entry, the allocation ledger).
 */
#ifndef GOLINK_HOST_RUNTIME_H
#define GOLINK_HOST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* One symbol the host kernel exports to modules. */
struct golink_export {
	const char *name;
	void *addr;
	char type; /* nm letter: 'T' text, 'D' data */
	char gpl;  /* exported with EXPORT_SYMBOL_GPL */
};
extern const struct golink_export golink_exports[];

/* Calls fn with six integer arguments (the SysV registers rdi..r9), as
 * module owner: the owner of what fn calls when its return address does not
 * say (a tail call leaves the caller's caller there). */
uint64_t golink_call(int32_t owner, uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f);

/* The owner table: which module's memory a code address lies in. */
void golink_rt_register(int32_t owner, uint64_t lo, uint64_t hi);
void golink_rt_unregister(int32_t owner, uint64_t lo);
int32_t golink_rt_owner(uint64_t pc);

/* Memory by address, for Go. */
void *golink_rt_ptr(uint64_t addr);

/* The allocation ledger. */
struct golink_alloc_info {
	uint64_t addr;
	uint64_t size;
	uint64_t caller;
};
uint64_t golink_rt_alloc_for(int32_t owner, uint64_t size, uint64_t caller, int zero);
int golink_rt_collect(int32_t owner, struct golink_alloc_info *out, int max);
int64_t golink_rt_outstanding(int32_t owner, int64_t *bytes);

/* kstrto* with a range: 0, -EINVAL or -ERANGE. */
int golink_kstrtoll_range(const char *s, unsigned int base, long long *res, long long min, long long max);
int golink_kstrtoull_range(const char *s, unsigned int base, unsigned long long *res, unsigned long long max);

/* The parameter ops and functions (paramops.c). */
struct kernel_param;
struct kernel_param_ops;
#define GOLINK_PARAM_OPS(name) extern const struct kernel_param_ops golink_param_ops_##name;
GOLINK_PARAM_OPS(byte)
GOLINK_PARAM_OPS(short)
GOLINK_PARAM_OPS(ushort)
GOLINK_PARAM_OPS(int)
GOLINK_PARAM_OPS(uint)
GOLINK_PARAM_OPS(long)
GOLINK_PARAM_OPS(ulong)
GOLINK_PARAM_OPS(ullong)
GOLINK_PARAM_OPS(hexint)
GOLINK_PARAM_OPS(bool)
GOLINK_PARAM_OPS(bool_enable_only)
GOLINK_PARAM_OPS(invbool)
GOLINK_PARAM_OPS(bint)
GOLINK_PARAM_OPS(charp)
GOLINK_PARAM_OPS(string)
extern const struct kernel_param_ops golink_param_array_ops;
int golink_param_set_int(const char *val, const struct kernel_param *kp);
int golink_param_get_int(char *buf, const struct kernel_param *kp);
int golink_param_set_uint(const char *val, const struct kernel_param *kp);
int golink_param_get_uint(char *buf, const struct kernel_param *kp);
int golink_param_set_bool(const char *val, const struct kernel_param *kp);
int golink_param_get_bool(char *buf, const struct kernel_param *kp);
int golink_param_set_charp(const char *val, const struct kernel_param *kp);
int golink_param_get_charp(char *buf, const struct kernel_param *kp);

#endif
