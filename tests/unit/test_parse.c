#include "unit.h"
#include "monitor/shell/parse.h"

static const struct ksym syms[] = {
	{ 0x1000, 0x40, 0, 'T' },	/* kmain */
	{ 0x1040, 0x10, 6, 't' },	/* helper */
	{ 0x2000, 0x8, 13, 'D' },	/* work_mix */
};
static const char names[] = "kmain\0helper\0work_mix";
static const struct symtab tab = { syms, 3, names, 0x3000 };

UNIT_TEST(parse_numbers_hex_with_prefix_decimal_without)
{
	uint64_t v;

	CHECK(parse_u64("0x10", &v) == ST_OK && v == 16);
	CHECK(parse_u64("0XfF", &v) == ST_OK && v == 255);
	CHECK(parse_u64("10", &v) == ST_OK && v == 10);
	CHECK(parse_u64("0", &v) == ST_OK && v == 0);
	CHECK(parse_u64("18446744073709551615", &v) == ST_OK && v == UINT64_MAX);
	CHECK(parse_u64("0xffffffffffffffff", &v) == ST_OK && v == UINT64_MAX);
}

UNIT_TEST(parse_rejects_malformed_and_overflowing_numbers)
{
	uint64_t v = 7;

	CHECK_EQ_U64(parse_u64("", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_u64("0x", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_u64("12zz", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_u64("ff", &v), ST_BAD_NUMBER);	/* hex needs 0x */
	CHECK_EQ_U64(parse_u64("-1", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_u64("18446744073709551616", &v), ST_NUMBER_RANGE);
	CHECK_EQ_U64(parse_u64("0x10000000000000000", &v), ST_NUMBER_RANGE);
	CHECK_EQ_U64(v, 7);	/* untouched on failure */
}

UNIT_TEST(parse_sizes_take_k_m_g_suffixes)
{
	uint64_t v;

	CHECK(parse_size("4k", &v) == ST_OK && v == 4096);
	CHECK(parse_size("1m", &v) == ST_OK && v == 1 << 20);
	CHECK(parse_size("1G", &v) == ST_OK && v == 1ull << 30);
	CHECK(parse_size("0x10", &v) == ST_OK && v == 16);
	CHECK_EQ_U64(parse_size("4kb", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_size("0xffffffffffffffffk", &v), ST_NUMBER_RANGE);
}

UNIT_TEST(parse_addresses_take_symbols_and_offsets)
{
	uint64_t v;

	CHECK(parse_addr(&tab, "kmain", &v) == ST_OK && v == 0x1000);
	CHECK(parse_addr(&tab, "work_mix+0x10", &v) == ST_OK && v == 0x2010);
	CHECK(parse_addr(&tab, "helper+3", &v) == ST_OK && v == 0x1043);
	CHECK(parse_addr(&tab, "0x1234", &v) == ST_OK && v == 0x1234);
	CHECK_EQ_U64(parse_addr(&tab, "nosuch", &v), ST_NO_SYMBOL);
	CHECK_EQ_U64(parse_addr(&tab, "kmain+zz", &v), ST_BAD_NUMBER);
	CHECK_EQ_U64(parse_addr(&tab, "kmain+0xffffffffffffffff", &v), ST_NUMBER_RANGE);
}

UNIT_TEST(parse_widths_are_1_2_4_8)
{
	unsigned int w;

	CHECK(parse_width("1", &w) == ST_OK && w == 1);
	CHECK(parse_width("8", &w) == ST_OK && w == 8);
	CHECK_EQ_U64(parse_width("3", &w), ST_BAD_WIDTH);
	CHECK_EQ_U64(parse_width("16", &w), ST_BAD_WIDTH);
}

UNIT_TEST(parse_split_words_and_refuse_too_many)
{
	char line[] = "  md\t kmain   64 ";
	char many[] = "a b c d e";
	char *argv[4];

	CHECK_EQ_U64(parse_split(line, argv, 4), 3);
	CHECK_STREQ(argv[0], "md");
	CHECK_STREQ(argv[1], "kmain");
	CHECK_STREQ(argv[2], "64");
	CHECK_EQ_U64(parse_split(many, argv, 4), (uint64_t)-1);
}

UNIT_TEST(parse_ratio_three_numbers_not_all_zero)
{
	unsigned int r[3];

	CHECK(parse_ratio("7:2:1", 1000, r) == ST_OK && r[0] == 7 && r[1] == 2 && r[2] == 1);
	CHECK(parse_ratio("0:0x10:1000", 1000, r) == ST_OK && r[1] == 16 && r[2] == 1000);
	CHECK_EQ_U64(parse_ratio("0:0:0", 1000, r), ST_NUMBER_RANGE);
	CHECK_EQ_U64(parse_ratio("7:2", 1000, r), ST_USAGE);
	CHECK_EQ_U64(parse_ratio("7:2:1:", 1000, r), ST_USAGE);
	CHECK_EQ_U64(parse_ratio("7:2:1001", 1000, r), ST_USAGE);
	CHECK_EQ_U64(parse_ratio("7::1", 1000, r), ST_USAGE);
	CHECK_EQ_U64(parse_ratio("a:2:1", 1000, r), ST_USAGE);
}
