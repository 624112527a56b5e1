#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/debug/stop.h"
#include "monitor/debug/trap.h"

static int cmd_regs(int argc, char **argv)
{
	struct trap_frame f;

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (stop_frame()) {
		kprintf("registers of the stopped context:\n");
		regs_print(stop_frame());
		return ST_OK;
	}
	capture_regs(&f);
	kprintf("registers of the shell (nothing is stopped):\n");
	regs_print(&f);
	return ST_OK;
}

COMMAND(regs,
	.name = "regs",
	.usage = "",
	.summary = "registers of the stopped context, or of the shell",
	.run = cmd_regs);
