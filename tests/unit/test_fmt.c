#include "unit.h"
#include "monitor/lib/fmt.h"

static const char *f(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

UNIT_TEST(fmt_integers_in_every_base_and_width)
{
	CHECK_STREQ(f("%d|%i|%u", -42, 7, 4000000000u), "-42|7|4000000000");
	CHECK_STREQ(f("%x|%X|%lx", 0xbeefu, 0xbeefu, 0x1122334455667788ul),
		    "beef|BEEF|1122334455667788");
	CHECK_STREQ(f("%016lx", 0xabcul), "0000000000000abc");
	CHECK_STREQ(f("%5d|%-5d|%05d", 42, 42, -42), "   42|42   |-0042");
	CHECK_STREQ(f("%ld", (long)INT64_MIN), "-9223372036854775808");
	CHECK_STREQ(f("%zu", (size_t)123456789), "123456789");
	CHECK_STREQ(f("%0*lx", 4, 0xful), "000f");
	CHECK_STREQ(f("%.3u", 5u), "005");
}

UNIT_TEST(fmt_strings_chars_pointers_percent)
{
	CHECK_STREQ(f("[%s][%-8s][%8s]", "ab", "ab", "ab"), "[ab][ab      ][      ab]");
	CHECK_STREQ(f("[%.*s]", 3, "abcdef"), "[abc]");
	CHECK_STREQ(f("%s", (char *)NULL), "(null)");
	CHECK_STREQ(f("%c%c", 'o', 'k'), "ok");
	CHECK_STREQ(f("%p", (void *)0x1000), "0x1000");
	CHECK_STREQ(f("100%%"), "100%");
	CHECK_STREQ(f("%q"), "%q");	/* unknown conversions are shown, not guessed */
}

UNIT_TEST(fmt_snprintf_truncates_and_returns_full_length)
{
	char buf[8];

	CHECK_EQ_U64(fmt_snprintf(buf, sizeof(buf), "%s", "hello world"), 11);
	CHECK_STREQ(buf, "hello w");
	CHECK_EQ_U64(fmt_snprintf(buf, 1, "abc"), 3);
	CHECK_STREQ(buf, "");
	CHECK_EQ_U64(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Regression (issue 16): a precision of 25 or more wrote its zeros below
 * the 24-byte digit buffer. */
UNIT_TEST(fmt_precision_longer_than_the_digit_buffer)
{
	CHECK_STREQ(f("%.30u", 7u), "000000000000000000000000000007");
	CHECK_STREQ(f("%.25lx|", 0xabcul), "0000000000000000000000abc|");
	CHECK_STREQ(f("%32.28d", -5), "   -0000000000000000000000000005");
	CHECK_STREQ(f("%-27.26d|", 1), "00000000000000000000000001 |");
}

/* Fields wider than FMT_FIELD_MAX are cut to it: a typo'd or hostile
 * width must not overflow the int it is parsed into or print for ever. */
static int length_of(const char *fmt, ...)
{
	char big[FMT_FIELD_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(big, sizeof(big), fmt, ap);
	va_end(ap);
	return n;
}

UNIT_TEST(fmt_huge_width_and_precision_are_bounded)
{
	CHECK_EQ_U64(length_of("%99999999999999999999d", 1), FMT_FIELD_MAX);
	CHECK_EQ_U64(length_of("%.99999999999999999999u", 1u), FMT_FIELD_MAX);
	CHECK_EQ_U64(length_of("%*d", -2147483647 - 1, 1), FMT_FIELD_MAX);
	CHECK_EQ_U64(length_of("%.*u", 2147483647, 1u), FMT_FIELD_MAX);
}
