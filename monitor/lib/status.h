/* Status codes: functions that can fail return one; the shell turns it into
 * one "error:" line through status_message(), the single table of texts. */
#ifndef MONITOR_STATUS_H
#define MONITOR_STATUS_H

enum status {
	ST_OK = 0,
	ST_REPORTED,		/* the command printed its own error line */
	ST_USAGE,
	ST_BAD_NUMBER,
	ST_NUMBER_RANGE,
	ST_NO_SYMBOL,
	ST_BAD_WIDTH,
	ST_TOO_MANY_ARGS,
	ST_LINE_TOO_LONG,
	ST_UNKNOWN_COMMAND,
	ST_NOT_STOPPED,
	ST_UNALIGNED,
	ST_COUNT
};

const char *status_message(enum status st);

#endif
