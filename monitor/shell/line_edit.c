#include "monitor/shell/line_edit.h"
#include "monitor/lib/string.h"

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

#define CTRL(c)	((c) & 0x1f)
#define BS	0x08
#define DEL	0x7f
#define BEL	0x07
#define ESC	0x1b

static void put(struct line_editor *le, const char *s, size_t n)
{
	le->out(le->out_ctx, s, n);
}

void le_init(struct line_editor *le, void (*out)(void *, const char *, size_t), void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->out = out;
	le->out_ctx = ctx;
	le->hist_pos = -1;
}

static void erase_shown(struct line_editor *le)
{
	for (size_t i = 0; i < le->len; i++)
		put(le, "\b \b", 3);
}

static void replace_line(struct line_editor *le, const char *s)
{
	erase_shown(le);
	le->len = strlen(s);
	memcpy(le->buf, s, le->len);
	le->dropped = 0;
	put(le, le->buf, le->len);
}

static const char *history_back(const struct line_editor *le, unsigned int back)
{
	unsigned int slot = (le->hist_next + HISTORY_LINES - 1 - back) % HISTORY_LINES;

	return le->history[slot];
}

static void history_add(struct line_editor *le, const char *s)
{
	if (!*s)
		return;
	if (le->hist_count && strcmp(history_back(le, 0), s) == 0)
		return;
	strcpy(le->history[le->hist_next], s);
	le->hist_next = (le->hist_next + 1) % HISTORY_LINES;
	if (le->hist_count < HISTORY_LINES)
		le->hist_count++;
}

static void history_up(struct line_editor *le)
{
	if (le->hist_pos + 1 >= (int)le->hist_count)
		return;
	if (le->hist_pos < 0) {
		memcpy(le->draft, le->buf, le->len);
		le->draft[le->len] = '\0';
	}
	le->hist_pos++;
	replace_line(le, history_back(le, le->hist_pos));
}

static void history_down(struct line_editor *le)
{
	if (le->hist_pos < 0)
		return;
	le->hist_pos--;
	replace_line(le, le->hist_pos < 0 ? le->draft : history_back(le, le->hist_pos));
}

static void reset_line(struct line_editor *le)
{
	le->len = 0;
	le->dropped = 0;
	le->hist_pos = -1;
}

/* Escape sequences: ESC [ params intermediates final (CSI) and ESC O x (SS3).
 * Up and Down walk the history; every other sequence is swallowed whole. */
static void feed_escape(struct line_editor *le, uint8_t c)
{
	switch (le->esc_state) {
	case ESC_START:
		le->esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
		return;
	case ESC_SS3:
		le->esc_state = ESC_NONE;
		break;
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f && ++le->esc_len < ESC_MAX)
			return;		/* parameter or intermediate byte */
		le->esc_state = ESC_NONE;
		if (c < 0x40 || c > 0x7e)
			return;		/* malformed or too long: drop it */
		break;
	}
	if (c == 'A')
		history_up(le);
	else if (c == 'B')
		history_down(le);
}

enum le_result le_feed(struct line_editor *le, uint8_t c)
{
	bool was_cr = le->last_cr;

	le->last_cr = false;
	if (le->esc_state != ESC_NONE) {
		/* a control byte ends any sequence and keeps its meaning, so
		 * Ctrl-C and Enter always work, whatever came before */
		if (c >= 0x20) {
			feed_escape(le, c);
			return LE_NONE;
		}
		le->esc_state = ESC_NONE;
	}
	switch (c) {
	case ESC:
		le->esc_state = ESC_START;
		le->esc_len = 0;
		return LE_NONE;
	case '\n':
		if (was_cr)
			return LE_NONE;	/* second half of CRLF */
		/* fall through */
	case '\r':
		le->last_cr = c == '\r';
		put(le, "\r\n", 2);
		if (le->dropped) {
			le->refused_len = le->len + le->dropped;
			le->line[0] = '\0';
			reset_line(le);
			return LE_TOO_LONG;
		}
		le->buf[le->len] = '\0';
		memcpy(le->line, le->buf, le->len + 1);
		history_add(le, le->line);
		reset_line(le);
		return LE_LINE;
	case CTRL('C'):
		put(le, "^C\r\n", 4);
		reset_line(le);
		return LE_CANCEL;
	case CTRL('U'):
		erase_shown(le);
		reset_line(le);
		return LE_NONE;
	case BS:
	case DEL:
		if (le->dropped) {
			le->dropped--;
		} else if (le->len) {
			le->len--;
			put(le, "\b \b", 3);
		}
		return LE_NONE;
	}
	if (c < 0x20 || c > 0x7e)
		return LE_NONE;		/* other control bytes and 8-bit bytes */
	if (le->len == LINE_MAX) {
		if (!le->dropped)
			put(le, "\a", 1);	/* tell the typist once */
		le->dropped++;
		return LE_NONE;
	}
	le->buf[le->len++] = (char)c;
	put(le, (const char *)&c, 1);
	return LE_NONE;
}

bool le_only_acks(const struct line_editor *le)
{
	for (size_t i = 0; i < le->len; i++)
		if (le->buf[i] != '+')
			return false;
	return le->esc_state == 0 && le->dropped == 0;
}

void le_discard(struct line_editor *le)
{
	le->len = 0;
	le->buf[0] = '\0';
	le->dropped = 0;
	le->hist_pos = -1;
}
