#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/lib/string.h"

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc > 2)
		return ST_USAGE;
	if (argc == 2) {
		c = command_find(argv[1]);
		if (!c)
			return errorf("no command '%s' (help lists them)", argv[1]);
		kprintf("usage: %s%s%s\n  %s\n", c->name, c->usage[0] ? " " : "", c->usage,
			c->summary);
		if (c->help)
			kprintf("%s\n", c->help);
		return ST_OK;
	}
	for (c = __cmds_start; c < __cmds_end; c++)
		kprintf("  %-8s %-34s %s\n", c->name, c->usage, c->summary);
	kprintf("Numbers: 0x prefix is hex, otherwise decimal. Addresses also take symbol[+offset].\n");
	kprintf("Keys: Backspace, Ctrl-U clears the line, Ctrl-C abandons it, Up/Down history.\n");
	return ST_OK;
}

COMMAND(help,
	.name = "help",
	.usage = "[command]",
	.summary = "list the commands, or show one command's usage",
	.run = cmd_help);
