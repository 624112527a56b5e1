#include "monitor/lib/status.h"

static const char *const messages[ST_COUNT] = {
	[ST_OK] = "ok",
	[ST_REPORTED] = "failed",
	[ST_USAGE] = "bad arguments (see help)",
	[ST_BAD_NUMBER] = "not a number",
	[ST_NUMBER_RANGE] = "number out of range",
	[ST_NO_SYMBOL] = "no such symbol",
	[ST_BAD_WIDTH] = "width must be 1, 2, 4 or 8",
	[ST_TOO_MANY_ARGS] = "too many arguments",
	[ST_LINE_TOO_LONG] = "line too long",
	[ST_UNKNOWN_COMMAND] = "unknown command (try help)",
	[ST_NOT_STOPPED] = "nothing is stopped",
	[ST_UNALIGNED] = "address not aligned to the width",
};

const char *status_message(enum status st)
{
	if ((unsigned int)st >= ST_COUNT || !messages[st])
		return "unknown error";
	return messages[st];
}
