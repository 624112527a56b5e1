#include "monitor/gdb/gdb_stub.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"

static int cmd_gdb(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	kprintf("gdb: the serial line speaks the GDB remote protocol now (target remote "
		"...; detach returns here)\n");
	gdb_attach();
	return ST_OK;
}

COMMAND(gdb,
	.name = "gdb",
	.usage = "",
	.summary = "hand the serial line to gdb (also: a packet at the prompt does)",
	.help = "  gdb attaches with target remote (a packet arriving at the prompt also\n"
		"  switches, so nothing needs typing first); detach or kill returns to the\n"
		"  prompt. 'monitor CMD' runs a shell command; commands that run code\n"
		"  (work, trap, prof, nmi, lazy) run when gdb next resumes the target.\n"
		"  Stops (breakpoints, steps, watchpoints, Ctrl-C) go to gdb while attached.",
	.run = cmd_gdb);
