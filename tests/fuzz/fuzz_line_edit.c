/* The line editor fed arbitrary keystrokes: every completed line fits
 * LINE_MAX and holds no control bytes; echo never runs away. */
#include <string.h>
#include "fuzz.h"
#include "monitor/shell/line_edit.h"

static size_t echoed;

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(s[i] != '\0');
	echoed += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line_editor le;

	le_init(&le, out, NULL);
	echoed = 0;
	for (size_t i = 0; i < size; i++) {
		enum le_result r = le_feed(&le, data[i]);

		FUZZ_ASSERT(le.len <= LINE_MAX && le.hist_count <= HISTORY_LINES);
		if (r == LE_LINE) {
			size_t n = strlen(le.line);

			FUZZ_ASSERT(n <= LINE_MAX);
			for (size_t j = 0; j < n; j++)
				FUZZ_ASSERT((uint8_t)le.line[j] >= 0x20 && le.line[j] != 0x7f);
		}
		/* a redraw is at most a prompt-line's worth per byte fed */
		FUZZ_ASSERT(echoed <= (i + 1) * (3 * LINE_MAX + 64));
	}
	return 0;
}
