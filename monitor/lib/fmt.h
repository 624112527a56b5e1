/* Freestanding formatted output (portable: host unit tests build it too). */
#ifndef MONITOR_FMT_H
#define MONITOR_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, char c);

/* Supports %d %i %u %x %X %p %s %c %%, flags '-' '0', width, precision
 * (and '*' for both), length modifiers l, ll, z. Returns characters emitted. */
/* Widths and precisions above this are taken as this. */
#define FMT_FIELD_MAX 512

int fmt_vformat(fmt_sink sink, void *ctx, const char *f, va_list ap);
int fmt_snprintf(char *buf, size_t n, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t n, const char *f, va_list ap);

#endif
