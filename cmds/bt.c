#include "monitor/debug/backtrace.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/debug/stop.h"

static int cmd_bt(int argc, char **argv)
{
	struct trap_frame *f = stop_frame();
	struct trap_frame here;

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (!f) {
		capture_regs(&here);
		f = &here;
		kprintf("nothing is stopped: backtrace of the shell\n");
	}
	backtrace_print(f->rip, f->rbp, f->rsp);
	return ST_OK;
}

COMMAND(bt,
	.name = "bt",
	.usage = "",
	.summary = "frame-pointer backtrace of the stopped context (or the shell)",
	.run = cmd_bt);
