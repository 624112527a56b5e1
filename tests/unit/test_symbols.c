#include "unit.h"
#include "monitor/lib/symbols.h"

/* sorted by address; an alias pair at 0x1000, a size-0 asm label at 0x1100,
 * a global and a local of the same size at 0x1400 (the local last) */
static const struct ksym syms[] = {
	{ 0x1000, 0x0, 0, 't' },	/* local_alias */
	{ 0x1000, 0x80, 12, 'T' },	/* func */
	{ 0x1100, 0x0, 17, 't' },	/* asm_label */
	{ 0x1200, 0x10, 27, 'd' },	/* dup (static) */
	{ 0x1300, 0x10, 31, 'D' },	/* dup (global) */
	{ 0x1400, 0x20, 35, 'T' },	/* gfunc */
	{ 0x1400, 0x20, 41, 't' },	/* lfunc, its local alias */
};
static const char names[] = "local_alias\0func\0asm_label\0dup\0dup\0gfunc\0lfunc";
static const struct symtab tab = { syms, 7, names, 0x2000 };

static const char *fmt(uint64_t a)
{
	static char buf[64];

	return symtab_format(&tab, a, buf, sizeof(buf));
}

UNIT_TEST(symbols_by_name_prefers_globals)
{
	CHECK_EQ_U64(symtab_by_name(&tab, "func")->addr, 0x1000);
	CHECK_EQ_U64(symtab_by_name(&tab, "dup")->addr, 0x1300);
	CHECK(symtab_by_name(&tab, "nope") == NULL);
}

UNIT_TEST(symbols_by_address_use_sizes_and_aliases)
{
	CHECK_STREQ(fmt(0x1000), "func");		/* sized global beats size-0 alias */
	CHECK_STREQ(fmt(0x107f), "func+0x7f");
	CHECK_STREQ(fmt(0x1080), "[unknown]");	/* past func's size, before the label */
	CHECK_STREQ(fmt(0x11ff), "asm_label+0xff");	/* size 0: up to the next symbol */
	CHECK_STREQ(fmt(0x1210), "[unknown]");
	CHECK_STREQ(fmt(0x1408), "gfunc+0x8");	/* same size: the global */
	CHECK_STREQ(fmt(0xfff), "[unknown]");		/* before the first symbol */
	CHECK_STREQ(fmt(0x2000), "[unknown]");	/* at or past the end bound */
}

UNIT_TEST(symbols_return_addresses_name_the_call_site)
{
	char buf[64];

	/* a noreturn call as func's last instruction returns to 0x1080 */
	CHECK_STREQ(symtab_format_return(&tab, 0x1080, buf, sizeof(buf)), "func+0x80");
	CHECK_STREQ(symtab_format_return(&tab, 0x1010, buf, sizeof(buf)), "func+0x10");
	CHECK_STREQ(symtab_format_return(&tab, 0, buf, sizeof(buf)), "[unknown]");
}
