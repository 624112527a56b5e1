#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "arch/x86_64/reset.h"

static int cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	kprintf("rebooting\n");
	machine_reset();
}

COMMAND(reboot,
	.name = "reboot",
	.usage = "",
	.summary = "reset the machine",
	.run = cmd_reboot);
