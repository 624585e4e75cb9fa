// Linked with small.c into a shared library for the dlopen benchmark: the
// kernel functions small.c calls, on libc.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void *__kmalloc(size_t size, unsigned int flags) { return malloc(size); }
void kfree(const void *p) { free((void *)p); }

int _printk(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return n;
}
