// The C runtime of golink's host kernel: the functions and data a kernel
// module expects to find exported (printk, kmalloc and kfree, the string
// functions, the module reference calls, the parameter ops), compiled into
// the Go binary by cgo. Nothing here is named as the kernel names it, so
// that the process's own libc stays untouched; golink_exports maps the
// kernel's names to these functions, and modules link against that table.
//
// Allocation: every kmalloc carries a header that links it into a ledger
// with its owner — the module whose code called kmalloc, found from the
// return address — so that what a module leaves allocated can be reported
// and freed when it is removed.

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "_cgo_export.h"

#define CALLER ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* The module the calling thread entered last through golink_call. */
static __thread int32_t current_owner;

uint64_t golink_call(int32_t owner, uint64_t fn, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
	typedef uint64_t (*fn6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	int32_t saved = current_owner;
	current_owner = owner;
	uint64_t r = ((fn6)(uintptr_t)fn)(a, b, c, d, e, f);
	current_owner = saved;
	return r;
}

void *golink_rt_ptr(uint64_t addr) { return (void *)(uintptr_t)addr; }

/* ---- Owners: the code ranges of loaded modules. ---- */

struct range {
	uint64_t lo, hi;
	int32_t owner;
};
static struct range *ranges;
static int nranges, capranges;
static pthread_rwlock_t range_mu = PTHREAD_RWLOCK_INITIALIZER;

void golink_rt_register(int32_t owner, uint64_t lo, uint64_t hi)
{
	pthread_rwlock_wrlock(&range_mu);
	if (nranges == capranges) {
		int n = capranges ? 2 * capranges : 16;
		struct range *r = realloc(ranges, n * sizeof *r);
		if (!r)
			abort();
		ranges = r;
		capranges = n;
	}
	ranges[nranges++] = (struct range){lo, hi, owner};
	pthread_rwlock_unlock(&range_mu);
}

/* Removes the owner's range starting at lo, or all its ranges if lo is 0. */
void golink_rt_unregister(int32_t owner, uint64_t lo)
{
	pthread_rwlock_wrlock(&range_mu);
	for (int i = 0; i < nranges;) {
		if (ranges[i].owner == owner && (lo == 0 || ranges[i].lo == lo))
			ranges[i] = ranges[--nranges];
		else
			i++;
	}
	pthread_rwlock_unlock(&range_mu);
}

/* The module whose memory holds pc; failing that, the one the thread
 * entered (pc is then host code: a tail call from the module skipped its
 * own frame). */
int32_t golink_rt_owner(uint64_t pc)
{
	int32_t owner = current_owner;
	pthread_rwlock_rdlock(&range_mu);
	for (int i = 0; i < nranges; i++) {
		if (pc - ranges[i].lo < ranges[i].hi - ranges[i].lo) {
			owner = ranges[i].owner;
			break;
		}
	}
	pthread_rwlock_unlock(&range_mu);
	return owner;
}

/* ---- The allocation ledger. ---- */

#define HDR_MAGIC 0x676f6c696e6b6d6dULL /* "golinkmm" */
#define HDR_FREED 0x676f6c696e6b6666ULL /* "golinkff" */

/* 64 bytes, so that the payload keeps malloc's 16-byte alignment. */
struct hdr {
	uint64_t magic;
	struct hdr *prev, *next;
	uint64_t size;
	uint64_t caller;
	int32_t owner; /* > 0 a module; < 0 the kernel, on behalf of module -owner; 0 the kernel */
	int32_t pad0;
	uint64_t pad1[2];
};
_Static_assert(sizeof(struct hdr) == 64, "allocation header must be 64 bytes");

static struct hdr ledger = {0, &ledger, &ledger, 0, 0, 0, 0, {0, 0}};
static pthread_mutex_t ledger_mu = PTHREAD_MUTEX_INITIALIZER;

uint64_t golink_rt_alloc_for(int32_t owner, uint64_t size, uint64_t caller, int zero)
{
	if (size > (1ULL << 32))
		return 0;
	struct hdr *h = zero ? calloc(1, sizeof *h + size) : malloc(sizeof *h + size);
	if (!h)
		return 0;
	h->magic = HDR_MAGIC;
	h->size = size;
	h->caller = caller;
	h->owner = owner;
	pthread_mutex_lock(&ledger_mu);
	h->next = ledger.next;
	h->prev = &ledger;
	ledger.next->prev = h;
	ledger.next = h;
	pthread_mutex_unlock(&ledger_mu);
	return (uint64_t)(uintptr_t)(h + 1);
}

static void *k_alloc(size_t size, uint64_t caller, int zero)
{
	return (void *)(uintptr_t)golink_rt_alloc_for(golink_rt_owner(caller), size, caller, zero);
}

static struct hdr *hdr_of(const void *p, uint64_t caller, const char *who)
{
	struct hdr *h = (struct hdr *)p - 1;
	if (h->magic != HDR_MAGIC) {
		char msg[160];
		int n = snprintf(msg, sizeof msg, "\0013%s: %p was not allocated by kmalloc%s\n", who, p,
				 h->magic == HDR_FREED ? " (freed already)" : "");
		golinkPrintk(caller, msg, n);
		return NULL;
	}
	return h;
}

static void unlink_hdr(struct hdr *h)
{
	h->prev->next = h->next;
	h->next->prev = h->prev;
	h->magic = HDR_FREED;
}

static void k_free(const void *p, uint64_t caller)
{
	if (!p || (uintptr_t)p < 4096) /* NULL and ZERO_SIZE_PTR */
		return;
	struct hdr *h = hdr_of(p, caller, "kfree");
	if (!h)
		return;
	pthread_mutex_lock(&ledger_mu);
	unlink_hdr(h);
	pthread_mutex_unlock(&ledger_mu);
	free(h);
}

/* Frees everything owner (a module) and the kernel on its behalf still hold,
 * and describes up to max of the module's own allocations in out: its
 * leaks. Returns how many leaks there were. */
int golink_rt_collect(int32_t owner, struct golink_alloc_info *out, int max)
{
	int n = 0;
	pthread_mutex_lock(&ledger_mu);
	for (struct hdr *h = ledger.next, *next; h != &ledger; h = next) {
		next = h->next;
		if (h->owner != owner && h->owner != -owner)
			continue;
		if (h->owner == owner) {
			if (n < max)
				out[n] = (struct golink_alloc_info){(uint64_t)(uintptr_t)(h + 1), h->size, h->caller};
			n++;
		}
		unlink_hdr(h);
		free(h);
	}
	pthread_mutex_unlock(&ledger_mu);
	return n;
}

int64_t golink_rt_outstanding(int32_t owner, int64_t *bytes)
{
	int64_t n = 0, b = 0;
	pthread_mutex_lock(&ledger_mu);
	for (struct hdr *h = ledger.next; h != &ledger; h = h->next) {
		if (h->owner == owner) {
			n++;
			b += h->size;
		}
	}
	pthread_mutex_unlock(&ledger_mu);
	*bytes = b;
	return n;
}

/* ---- Exported to modules: allocation. ---- */

#define GFP_ZERO 0x100u

static void *k_kmalloc(size_t size, unsigned int gfp)
{
	return k_alloc(size, CALLER, (gfp & GFP_ZERO) != 0);
}

static void *k_kzalloc(size_t size, unsigned int gfp)
{
	(void)gfp;
	return k_alloc(size, CALLER, 1);
}

static void *k_kcalloc(size_t n, size_t size, unsigned int gfp)
{
	(void)gfp;
	if (size && n > (size_t)-1 / size)
		return NULL;
	return k_alloc(n * size, CALLER, 1);
}

static void k_kfree(const void *p) { k_free(p, CALLER); }

static void *k_krealloc(const void *p, size_t size, unsigned int gfp)
{
	(void)gfp;
	uint64_t caller = CALLER;
	void *q = k_alloc(size, caller, 0);
	if (!q || !p)
		return q;
	struct hdr *h = hdr_of(p, caller, "krealloc");
	if (!h) {
		k_free(q, caller);
		return NULL;
	}
	memcpy(q, p, h->size < size ? h->size : size);
	k_free(p, caller);
	return q;
}

static char *k_kstrdup(const char *s, unsigned int gfp)
{
	(void)gfp;
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = k_alloc(n, CALLER, 0);
	if (p)
		memcpy(p, s, n);
	return p;
}

static void *k_kmemdup(const void *s, size_t n, unsigned int gfp)
{
	(void)gfp;
	void *p = k_alloc(n, CALLER, 0);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- Exported to modules: memory and strings. ---- */

static void *k_memcpy(void *d, const void *s, size_t n) { return memcpy(d, s, n); }
static void *k_memmove(void *d, const void *s, size_t n) { return memmove(d, s, n); }
static void *k_memset(void *s, int c, size_t n) { return memset(s, c, n); }
static int k_memcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }
static size_t k_strlen(const char *s) { return strlen(s); }
static size_t k_strnlen(const char *s, size_t n) { return strnlen(s, n); }
static int k_strcmp(const char *a, const char *b) { return strcmp(a, b); }
static int k_strncmp(const char *a, const char *b, size_t n) { return strncmp(a, b, n); }
static char *k_strchr(const char *s, int c) { return strchr(s, c); }
static char *k_strrchr(const char *s, int c) { return strrchr(s, c); }
static char *k_strstr(const char *h, const char *n) { return strstr(h, n); }
static char *k_strcpy(char *d, const char *s) { return strcpy(d, s); }
static char *k_strncpy(char *d, const char *s, size_t n) { return strncpy(d, s, n); }
static char *k_strcat(char *d, const char *s) { return strcat(d, s); }

/* strscpy: copy with truncation; the length copied, or -E2BIG if src did
 * not fit (dst is then truncated and terminated). */
static long k_strscpy(char *dst, const char *src, size_t size)
{
	if (size == 0)
		return -E2BIG;
	size_t n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

static int k_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) { return vsnprintf(buf, size, fmt, ap); }

static int k_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* scnprintf: the number of characters written, not what would have been. */
static int k_vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);
	if (n < 0 || size == 0)
		return 0;
	return (size_t)n < size ? n : (int)size - 1;
}

static int k_scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = k_vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int k_sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

/* kstrto*: the whole string (one trailing newline allowed) must be a number
 * in range; -EINVAL or -ERANGE otherwise. */
int golink_kstrtoll_range(const char *s, unsigned int base, long long *res, long long min, long long max)
{
	char *end;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, base);
	if (end == s || (*end && !(*end == '\n' && !end[1])))
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*res = v;
	return 0;
}

int golink_kstrtoull_range(const char *s, unsigned int base, unsigned long long *res, unsigned long long max)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (end == s || (*end && !(*end == '\n' && !end[1])))
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*res = v;
	return 0;
}

static int k_kstrtoint(const char *s, unsigned int base, int *res)
{
	long long v;
	int err = golink_kstrtoll_range(s, base, &v, -2147483648LL, 2147483647LL);
	if (!err)
		*res = (int)v;
	return err;
}

static int k_kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int err = golink_kstrtoull_range(s, base, &v, 0xffffffffULL);
	if (!err)
		*res = (unsigned int)v;
	return err;
}

static int k_kstrtoll(const char *s, unsigned int base, long long *res)
{
	return golink_kstrtoll_range(s, base, res, (-9223372036854775807LL - 1), 9223372036854775807LL);
}

static int k_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	return golink_kstrtoull_range(s, base, res, ~0ULL);
}

/* ---- Exported to modules: printk. ---- */

#define LOG_LINE_MAX 1024

/* Each printk finds its caller itself: a shared helper's return address
 * would be the wrapper's. */
static int k_printk(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	golinkPrintk(CALLER, buf, n < (int)sizeof buf ? n : (int)sizeof buf - 1);
	return n;
}

static int k_vprintk_export(const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return n;
	golinkPrintk(CALLER, buf, n < (int)sizeof buf ? n : (int)sizeof buf - 1);
	return n;
}

/* ---- Exported to modules: references and symbols. ---- */

static _Bool k_try_module_get(void *m) { return golinkTryModuleGet((uint64_t)(uintptr_t)m) != 0; }
static void k_module_put(void *m) { golinkModulePut((uint64_t)(uintptr_t)m); }
static void k___module_get(void *m) { golinkModuleGet((uint64_t)(uintptr_t)m); }
static int k_module_refcount(void *m) { return golinkModuleRefcount((uint64_t)(uintptr_t)m); }

static void *k___symbol_get(const char *name)
{
	return (void *)(uintptr_t)golinkSymbolGet(CALLER, (char *)name);
}

static void k___symbol_put(const char *name) { golinkSymbolPut(CALLER, (char *)name); }

static int k_register_callback(const char *name, long (*fn)(long), void *owner)
{
	return golinkRegisterCallback(CALLER, (char *)name, (uint64_t)(uintptr_t)fn, (uint64_t)(uintptr_t)owner);
}

static int k_unregister_callback(const char *name) { return golinkUnregisterCallback(CALLER, (char *)name); }

static void k___stack_chk_fail(void)
{
	char msg[] = "\0010stack-protector: kernel stack is corrupted\n";
	golinkPrintk(CALLER, msg, sizeof msg - 1);
	abort();
}

/* ---- The table. ---- */

#define T(name, fn) {name, (void *)(fn), 'T', 0}
#define TG(name, fn) {name, (void *)(fn), 'T', 1}
#define D(name, var) {name, (void *)&(var), 'D', 0}

const struct golink_export golink_exports[] = {
	T("_printk", k_printk),
	T("printk", k_printk),
	T("vprintk", k_vprintk_export),
	T("__kmalloc", k_kmalloc),
	T("kmalloc", k_kmalloc),
	T("kzalloc", k_kzalloc),
	T("kcalloc", k_kcalloc),
	T("krealloc", k_krealloc),
	T("kfree", k_kfree),
	T("kstrdup", k_kstrdup),
	T("kmemdup", k_kmemdup),
	T("memcpy", k_memcpy),
	T("memmove", k_memmove),
	T("memset", k_memset),
	T("memcmp", k_memcmp),
	T("strlen", k_strlen),
	T("strnlen", k_strnlen),
	T("strcmp", k_strcmp),
	T("strncmp", k_strncmp),
	T("strchr", k_strchr),
	T("strrchr", k_strrchr),
	T("strstr", k_strstr),
	T("strcpy", k_strcpy),
	T("strncpy", k_strncpy),
	T("strcat", k_strcat),
	T("strscpy", k_strscpy),
	T("snprintf", k_snprintf),
	T("vsnprintf", k_vsnprintf),
	T("scnprintf", k_scnprintf),
	T("vscnprintf", k_vscnprintf),
	T("sprintf", k_sprintf),
	T("kstrtoint", k_kstrtoint),
	T("kstrtouint", k_kstrtouint),
	T("kstrtoll", k_kstrtoll),
	T("kstrtoull", k_kstrtoull),
	T("try_module_get", k_try_module_get),
	T("module_put", k_module_put),
	T("__module_get", k___module_get),
	T("module_refcount", k_module_refcount),
	TG("__symbol_get", k___symbol_get),
	T("__symbol_put", k___symbol_put),
	T("golink_register_callback", k_register_callback),
	T("golink_unregister_callback", k_unregister_callback),
	T("__stack_chk_fail", k___stack_chk_fail),
	T("param_set_int", golink_param_set_int),
	T("param_get_int", golink_param_get_int),
	T("param_set_uint", golink_param_set_uint),
	T("param_get_uint", golink_param_get_uint),
	T("param_set_bool", golink_param_set_bool),
	T("param_get_bool", golink_param_get_bool),
	T("param_set_charp", golink_param_set_charp),
	T("param_get_charp", golink_param_get_charp),
	/* Go functions, exported through cgo. */
	T("ktime_get_ns", golinkKtimeGetNs),
	T("msleep", golinkMsleep),
	T("get_random_u32", golinkGetRandomU32),
	D("param_ops_byte", golink_param_ops_byte),
	D("param_ops_short", golink_param_ops_short),
	D("param_ops_ushort", golink_param_ops_ushort),
	D("param_ops_int", golink_param_ops_int),
	D("param_ops_uint", golink_param_ops_uint),
	D("param_ops_long", golink_param_ops_long),
	D("param_ops_ulong", golink_param_ops_ulong),
	D("param_ops_ullong", golink_param_ops_ullong),
	D("param_ops_hexint", golink_param_ops_hexint),
	D("param_ops_bool", golink_param_ops_bool),
	D("param_ops_bool_enable_only", golink_param_ops_bool_enable_only),
	D("param_ops_invbool", golink_param_ops_invbool),
	D("param_ops_bint", golink_param_ops_bint),
	D("param_ops_charp", golink_param_ops_charp),
	D("param_ops_string", golink_param_ops_string),
	D("param_array_ops", golink_param_array_ops),
	{NULL, NULL, 0, 0},
};
