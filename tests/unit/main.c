/* Runs every registered test: "ok - NAME" or "FAIL - NAME" with indented
 * details, then "unit: N passed, N failed". argv[1]: a name filter. */
#include <stdarg.h>
#include <stdlib.h>
#include "unit.h"

static struct unit_test *tests, **tail = &tests;
static int current_failed;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!current_failed)
		current_failed = 1;
	printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (struct unit_test *t = tests; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		current_failed = 0;
		/* details print before the verdict line; the runner keeps both */
		t->fn();
		if (current_failed) {
			printf("FAIL - %s\n", t->name);
			failed++;
		} else {
			printf("ok - %s\n", t->name);
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
