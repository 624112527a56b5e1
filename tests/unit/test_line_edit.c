#include "unit.h"
#include "monitor/shell/line_edit.h"

static char echo[8192];
static size_t echo_len;

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (echo_len + n < sizeof(echo)) {
		memcpy(echo + echo_len, s, n);
		echo_len += n;
		echo[echo_len] = '\0';
	}
}

static struct line_editor le;

static void fresh(void)
{
	le_init(&le, out, NULL);
	echo_len = 0;
	echo[0] = '\0';
}

/* Feed bytes; return the last non-NONE result (LE_NONE if none). */
static enum le_result feed(const char *s, size_t n)
{
	enum le_result last = LE_NONE;

	for (size_t i = 0; i < n; i++) {
		enum le_result r = le_feed(&le, (uint8_t)s[i]);

		if (r != LE_NONE)
			last = r;
	}
	return last;
}

#define FEED(s) feed((s), sizeof(s) - 1)

UNIT_TEST(line_edit_echoes_and_completes_on_cr)
{
	fresh();
	CHECK_EQ_U64(FEED("md 0x10\r"), LE_LINE);
	CHECK_STREQ(le.line, "md 0x10");
	CHECK_STREQ(echo, "md 0x10\r\n");
}

UNIT_TEST(line_edit_lf_alone_and_crlf_each_end_one_line)
{
	int lines = 0;

	fresh();
	for (const char *p = "a\nb\r\nc\r"; *p; p++)
		if (le_feed(&le, (uint8_t)*p) == LE_LINE)
			lines++;
	CHECK_EQ_U64(lines, 3);
	CHECK_STREQ(le.line, "c");
}

UNIT_TEST(line_edit_backspace_and_del_erase)
{
	fresh();
	CHECK_EQ_U64(FEED("abX\x7f" "c\x08\x08" "d\r"), LE_LINE);
	CHECK_STREQ(le.line, "ad");
	CHECK(strstr(echo, "\b \b") != NULL);
	fresh();
	CHECK_EQ_U64(FEED("\x7f\x7f" "x\r"), LE_LINE);	/* backspace on empty: nothing */
	CHECK_STREQ(le.line, "x");
	CHECK_STREQ(echo, "x\r\n");
}

UNIT_TEST(line_edit_ctrl_u_clears_ctrl_c_abandons)
{
	fresh();
	CHECK_EQ_U64(FEED("garbage\x15ok\r"), LE_LINE);
	CHECK_STREQ(le.line, "ok");
	fresh();
	CHECK_EQ_U64(FEED("half a line\x03"), LE_CANCEL);
	CHECK(strstr(echo, "^C\r\n") != NULL);
	CHECK_EQ_U64(FEED("next\r"), LE_LINE);
	CHECK_STREQ(le.line, "next");
}

UNIT_TEST(line_edit_ignores_control_and_8bit_bytes)
{
	fresh();
	CHECK_EQ_U64(FEED("a\x01\x02\tb\x80\xff" "c\r"), LE_LINE);
	CHECK_STREQ(le.line, "abc");
}

UNIT_TEST(line_edit_swallows_unknown_escape_sequences)
{
	fresh();
	CHECK_EQ_U64(FEED("a\x1b[1;5Cb\x1bOPc\x1b[3~d\x1bxe\r"), LE_LINE);
	CHECK_STREQ(le.line, "abcde");
}

UNIT_TEST(line_edit_bounds_an_overlong_escape_sequence)
{
	char s[64];

	fresh();
	/* ESC [ then 40 parameter digits: after ESC_MAX the rest is typed text */
	memcpy(s, "\x1b[", 2);
	memset(s + 2, '1', 40);
	memcpy(s + 42, "\x15ok\r", 4);
	CHECK_EQ_U64(feed(s, 46), LE_LINE);
	CHECK_STREQ(le.line, "ok");
}

UNIT_TEST(line_edit_control_byte_ends_an_escape_sequence)
{
	fresh();
	CHECK_EQ_U64(FEED("abc\x1b[\x03"), LE_CANCEL);	/* Ctrl-C always works */
	fresh();
	CHECK_EQ_U64(FEED("ab\x1b\r"), LE_LINE);		/* so does Enter */
	CHECK_STREQ(le.line, "ab");
}

UNIT_TEST(line_edit_refuses_overlong_lines)
{
	char s[LINE_MAX + 20];

	fresh();
	memset(s, 'x', sizeof(s));
	CHECK_EQ_U64(feed(s, sizeof(s)), LE_NONE);
	CHECK_EQ_U64(FEED("\r"), LE_TOO_LONG);
	CHECK_EQ_U64(le.refused_len, sizeof(s));
	CHECK(strchr(echo, '\a') != NULL);	/* the typist is told once */
	/* exactly LINE_MAX characters is fine */
	fresh();
	CHECK_EQ_U64(feed(s, LINE_MAX), LE_NONE);
	CHECK_EQ_U64(FEED("\r"), LE_LINE);
	CHECK_EQ_U64(strlen(le.line), LINE_MAX);
}

UNIT_TEST(line_edit_backspace_after_overflow_undoes_dropped_first)
{
	char s[LINE_MAX + 2];

	fresh();
	memset(s, 'y', sizeof(s));
	feed(s, sizeof(s));		/* two dropped */
	CHECK_EQ_U64(FEED("\x7f\x7f\r"), LE_LINE);	/* back within the limit */
	CHECK_EQ_U64(strlen(le.line), LINE_MAX);
}

UNIT_TEST(line_edit_history_up_down_and_draft)
{
	fresh();
	FEED("one\r");
	FEED("two\r");
	FEED("two\r");			/* a repeat of the newest is not stored twice */
	CHECK_EQ_U64(FEED("\x1b[A\x1b[A\r"), LE_LINE);
	CHECK_STREQ(le.line, "one");
	CHECK_EQ_U64(FEED("\x1bOA\r"), LE_LINE);	/* SS3 form of Up */
	CHECK_STREQ(le.line, "one");
	CHECK_EQ_U64(FEED("dra\x1b[A\x1b[Bft\r"), LE_LINE);	/* Down returns to the draft */
	CHECK_STREQ(le.line, "draft");
	CHECK_EQ_U64(FEED("\x1b[B\x1b[Bx\r"), LE_LINE);	/* Down past the newest: nothing */
	CHECK_STREQ(le.line, "x");
	CHECK_EQ_U64(FEED("\r"), LE_LINE);	/* empty lines are not stored */
	CHECK_EQ_U64(FEED("\x1b[A\r"), LE_LINE);
	CHECK_STREQ(le.line, "x");
}

UNIT_TEST(line_edit_history_keeps_the_newest_lines)
{
	char line[16];

	fresh();
	for (int i = 0; i < HISTORY_LINES + 5; i++) {
		int n = snprintf(line, sizeof(line), "cmd%d\r", i);

		feed(line, (size_t)n);
	}
	/* Up as many times as there are slots, and more: stops at the oldest kept */
	for (int i = 0; i < HISTORY_LINES + 3; i++)
		FEED("\x1b[A");
	CHECK_EQ_U64(FEED("\r"), LE_LINE);
	snprintf(line, sizeof(line), "cmd%d", 5);
	CHECK_STREQ(le.line, line);
}

UNIT_TEST(line_edit_survives_a_byte_storm)
{
	unsigned int x = 12345;

	fresh();
	for (int i = 0; i < 100000; i++) {
		x = x * 1103515245u + 12345u;
		le_feed(&le, (uint8_t)(x >> 16));
		CHECK(le.len <= LINE_MAX);
	}
	FEED("\x03");
	CHECK_EQ_U64(FEED("sym kmain\r"), LE_LINE);
	CHECK_STREQ(le.line, "sym kmain");
}
