#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "monitor/smp/smp_world.h"

static int cmd_step(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (!shell_is_stopped())
		return ST_NOT_STOPPED;
	if (smp_world_selected() != smp_world_owner())
		return errorf("step runs the CPU that stopped: cpu %u first", smp_world_owner());
	shell_set_action(SHELL_STEP);
	return ST_OK;
}

COMMAND(step,
	.name = "step",
	.usage = "",
	.summary = "execute one instruction of the stopped context, then stop again",
	.run = cmd_step);
