/*
 * The shell's line editor (portable: no hardware, host unit tests drive it).
 * Feed it one received byte at a time; it echoes through the output callback
 * and reports when a line is complete, abandoned or too long.
 */
#ifndef MONITOR_LINE_EDIT_H
#define MONITOR_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_MAX	255	/* characters in a line, without the NUL */
#define HISTORY_LINES	32
#define ESC_MAX		16	/* longest escape sequence we wait for */

enum le_result {
	LE_NONE,	/* keep feeding */
	LE_LINE,	/* a line is ready in le->line */
	LE_CANCEL,	/* Ctrl-C: line abandoned */
	LE_TOO_LONG,	/* Enter on a line that exceeded LINE_MAX: refused */
};

struct line_editor {
	void (*out)(void *ctx, const char *s, size_t n);
	void *out_ctx;

	char buf[LINE_MAX + 1];
	size_t len;
	size_t dropped;		/* characters typed past LINE_MAX */
	bool last_cr;		/* swallow the LF of a CRLF */
	int esc_state;
	int esc_len;

	char history[HISTORY_LINES][LINE_MAX + 1];
	unsigned int hist_count;	/* lines stored, at most HISTORY_LINES */
	unsigned int hist_next;		/* slot the next line goes to */
	int hist_pos;			/* -1: editing a new line; else lines back */
	char draft[LINE_MAX + 1];	/* the new line, kept while browsing */

	char line[LINE_MAX + 1];	/* the completed line */
	size_t refused_len;		/* length of the line last refused as too long */
};

void le_init(struct line_editor *le, void (*out)(void *, const char *, size_t), void *ctx);
enum le_result le_feed(struct line_editor *le, uint8_t byte);
/* The line so far is only '+' characters (or empty): what gdb sends before
 * its first packet (acknowledgements). */
bool le_only_acks(const struct line_editor *le);
/* Forget the line being typed, without output (gdb took the line over). */
void le_discard(struct line_editor *le);

#endif
