#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"

static int cmd_cont(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (!shell_is_stopped())
		return ST_NOT_STOPPED;
	shell_set_action(SHELL_CONT);
	return ST_OK;
}

COMMAND(cont,
	.name = "cont",
	.usage = "",
	.summary = "resume the stopped context",
	.run = cmd_cont);
