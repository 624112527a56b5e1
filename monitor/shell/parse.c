#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int parse_split(char *line, char **argv, int max)
{
	int argc = 0;

	for (;;) {
		while (is_blank(*line))
			*line++ = '\0';
		if (!*line)
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = line;
		while (*line && !is_blank(*line))
			line++;
	}
}

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A digit's value, or one no base reaches */
static int digit_value(char c)
{
	int d = parse_hex_digit(c);

	return d < 0 ? 99 : d;
}

/* Parses a number at s; stops at the first character that is not a digit of
 * the base and leaves *end there. */
static enum status parse_prefix(const char *s, uint64_t *out, const char **end)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (digit_value(*p) >= (int)base)
		return ST_BAD_NUMBER;
	for (; digit_value(*p) < (int)base; p++) {
		unsigned int d = (unsigned int)digit_value(*p);

		if (v > (UINT64_MAX - d) / base)
			return ST_NUMBER_RANGE;
		v = v * base + d;
	}
	*out = v;
	*end = p;
	return ST_OK;
}

/* *out is written only on success */
enum status parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	enum status st = parse_prefix(s, &v, &end);

	if (st != ST_OK)
		return st;
	if (*end)
		return ST_BAD_NUMBER;
	*out = v;
	return ST_OK;
}

enum status parse_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned int shift = 0;
	uint64_t v;
	enum status st = parse_prefix(s, &v, &end);

	if (st != ST_OK)
		return st;
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'm' || *end == 'M')
		shift = 20, end++;
	else if (*end == 'g' || *end == 'G')
		shift = 30, end++;
	if (*end)
		return ST_BAD_NUMBER;
	if (shift && v > (UINT64_MAX >> shift))
		return ST_NUMBER_RANGE;
	*out = v << shift;
	return ST_OK;
}

static int is_symbol_start(char c)
{
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

enum status parse_addr(const struct symtab *t, const char *s, uint64_t *out)
{
	char name[128];
	const char *plus;
	size_t len;
	uint64_t off = 0;
	const struct ksym *sym;
	enum status st;

	if (!is_symbol_start(*s))
		return parse_u64(s, out);
	plus = strchr(s, '+');
	len = plus ? (size_t)(plus - s) : strlen(s);
	if (len >= sizeof(name))
		return ST_NO_SYMBOL;
	memcpy(name, s, len);
	name[len] = '\0';
	sym = symtab_by_name(t, name);
	if (!sym)
		return ST_NO_SYMBOL;
	if (plus) {
		st = parse_u64(plus + 1, &off);
		if (st != ST_OK)
			return st;
	}
	if (off > UINT64_MAX - sym->addr)
		return ST_NUMBER_RANGE;
	*out = sym->addr + off;
	return ST_OK;
}

enum status parse_width(const char *s, unsigned int *out)
{
	uint64_t v;

	if (parse_u64(s, &v) != ST_OK || (v != 1 && v != 2 && v != 4 && v != 8))
		return ST_BAD_WIDTH;
	*out = (unsigned int)v;
	return ST_OK;
}

enum status parse_ratio(const char *s, unsigned int max, unsigned int ratio[3])
{
	uint64_t v, total = 0;

	for (int i = 0; i < 3; i++) {
		char num[24];
		size_t n = 0;

		while (*s && *s != ':' && n < sizeof(num) - 1)
			num[n++] = *s++;
		num[n] = '\0';
		if ((i < 2 && *s != ':') || (i == 2 && *s) || parse_u64(num, &v) != ST_OK || v > max)
			return ST_USAGE;
		ratio[i] = (unsigned int)v;
		total += v;
		if (*s)
			s++;
	}
	return total ? ST_OK : ST_NUMBER_RANGE;
}
