#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "monitor/smp/smp_stop.h"
#include "arch/x86_64/percpu.h"

static int cmd_step(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (!shell_is_stopped())
		return ST_NOT_STOPPED;
	if (smp_selected_frame())
		return errorf("step runs the shell CPU's stopped context: cpu %u first",
			      this_cpu()->cpu);
	shell_set_action(SHELL_STEP);
	return ST_OK;
}

COMMAND(step,
	.name = "step",
	.usage = "",
	.summary = "execute one instruction of the stopped context, then stop again",
	.run = cmd_step);
