#include "monitor/lib/fmt.h"
#include <stdint.h>
#include <stdbool.h>

struct spec {
	bool left, zero;
	int width, prec;
};

static int emit_padded(fmt_sink sink, void *ctx, const char *s, int len,
		       const struct spec *sp, char pad)
{
	int n = 0;
	int fill = sp->width > len ? sp->width - len : 0;

	if (!sp->left)
		for (; fill > 0; fill--, n++)
			sink(ctx, pad);
	for (int i = 0; i < len; i++, n++)
		sink(ctx, s[i]);
	for (; fill > 0; fill--, n++)
		sink(ctx, ' ');
	return n;
}

static void repeat(fmt_sink sink, void *ctx, char c, int count)
{
	for (int i = 0; i < count; i++)
		sink(ctx, c);
}

static int emit_number(fmt_sink sink, void *ctx, uint64_t v, bool neg,
		       unsigned int base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[20];		/* 2^64 - 1 has 20 decimal digits */
	int i = sizeof(buf);
	int ndigits, zeros, len, fill;
	bool zero_fill = sp->zero && !sp->left;

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	ndigits = (int)sizeof(buf) - i;
	/* the precision's leading zeros are counted, not stored: a precision
	 * may be longer than any number's digits */
	zeros = sp->prec > ndigits ? sp->prec - ndigits : 0;
	len = (neg ? 1 : 0) + zeros + ndigits;
	fill = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !zero_fill)
		repeat(sink, ctx, ' ', fill);
	if (neg)
		sink(ctx, '-');		/* the sign before zero padding: -0042 */
	if (zero_fill)
		repeat(sink, ctx, '0', fill);
	repeat(sink, ctx, '0', zeros);
	for (; i < (int)sizeof(buf); i++)
		sink(ctx, buf[i]);
	if (sp->left)
		repeat(sink, ctx, ' ', fill);
	return len + fill;
}

/* Digits of a width or precision, at most FMT_FIELD_MAX. */
static int field(const char **f)
{
	int v = 0;

	while (**f >= '0' && **f <= '9') {
		if (v < FMT_FIELD_MAX)
			v = v * 10 + (*(*f)++ - '0');
		else
			(*f)++;
	}
	return v < FMT_FIELD_MAX ? v : FMT_FIELD_MAX;
}

static int bounded(int v)
{
	return v > FMT_FIELD_MAX ? FMT_FIELD_MAX : v < -FMT_FIELD_MAX ? -FMT_FIELD_MAX : v;
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *f, va_list ap)
{
	int n = 0;

	for (; *f; f++) {
		struct spec sp = { .prec = -1 };
		int lng = 0;

		if (*f != '%') {
			sink(ctx, *f);
			n++;
			continue;
		}
		f++;
		for (;; f++) {
			if (*f == '-')
				sp.left = true;
			else if (*f == '0')
				sp.zero = true;
			else
				break;
		}
		if (*f == '*') {
			sp.width = bounded(va_arg(ap, int));
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			f++;
		} else {
			sp.width = field(&f);
		}
		if (*f == '.') {
			f++;
			sp.prec = 0;
			if (*f == '*') {
				sp.prec = bounded(va_arg(ap, int));
				f++;
			} else {
				sp.prec = field(&f);
			}
		}
		while (*f == 'l' || *f == 'z') {
			lng++;
			f++;
		}
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			n += emit_number(sink, ctx, mag, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);

			n += emit_number(sink, ctx, v, false, *f == 'u' ? 10 : 16, *f == 'X', &sp);
			break;
		}
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);

			sink(ctx, '0');
			sink(ctx, 'x');
			n += 2 + emit_number(sink, ctx, v, false, 16, false, &sp);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while (s[len] && (sp.prec < 0 || len < sp.prec))
				len++;
			n += emit_padded(sink, ctx, s, len, &sp, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			n += emit_padded(sink, ctx, &c, 1, &sp, ' ');
			break;
		}
		case '%':
			sink(ctx, '%');
			n++;
			break;
		case '\0':
			return n;
		default:	/* unknown conversion: show it rather than guess */
			sink(ctx, '%');
			sink(ctx, *f);
			n += 2;
			break;
		}
	}
	return n;
}

struct buf_sink {
	char *buf;
	size_t size, len;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int fmt_vsnprintf(char *buf, size_t n, const char *f, va_list ap)
{
	struct buf_sink b = { buf, n, 0 };
	int r = fmt_vformat(buf_put, &b, f, ap);

	if (n)
		buf[b.len < n ? b.len : n - 1] = '\0';
	return r;
}

int fmt_snprintf(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = fmt_vsnprintf(buf, n, f, ap);
	va_end(ap);
	return r;
}
