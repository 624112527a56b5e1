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
