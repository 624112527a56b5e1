/* The serial= boot option's value, and the choice made from it: a value
 * that parses names a whole UART's ports and a baud rate the 115200 base
 * divides; one that does not falls back and says so. */
#include <string.h>
#include "fuzz.h"
#include "monitor/shell/console_port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct console_port c;
	uint16_t port;
	uint32_t baud;
	int ok;

	memcpy(s, data, size);
	s[size] = '\0';
	ok = console_port_parse(s, &port, &baud) == 0;
	if (ok)
		FUZZ_ASSERT(port && port <= 0xFFF8 && baud && 115200 % baud == 0);
	console_port_choose(s, NULL, &c);
	FUZZ_ASSERT(memchr(c.why, '\0', sizeof(c.why)) && c.why[0]);
	FUZZ_ASSERT(c.source == (ok ? CONSOLE_OPTION : CONSOLE_DEFAULT));
	if (ok)
		FUZZ_ASSERT(c.port == port && c.baud == baud);
	else
		FUZZ_ASSERT(c.port == 0x3F8 && strstr(c.why, "is invalid"));
	free(s);
	return 0;
}
