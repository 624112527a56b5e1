#include "monitor/debug/backtrace.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/debug/stop.h"
#include "monitor/lib/string.h"
#include "monitor/smp/smp_bt.h"
#include "monitor/smp/smp_world.h"

static int cmd_bt(int argc, char **argv)
{
	struct trap_frame *f = stop_frame();
	struct trap_frame here;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "all")))
		return ST_USAGE;
	if (!f) {
		capture_regs(&here);
		f = &here;
		if (argc == 1)
			kprintf("nothing is stopped: backtrace of the shell\n");
	}
	if (argc == 2) {
		smp_bt_all(f);
		return ST_OK;
	}
	if (smp_world_view() && smp_world_view() != f) {
		kprintf("cpu %u (stopped by NMI):\n", smp_world_selected());
		f = smp_world_view();	/* cpu N chose a parked CPU */
	}
	backtrace_print(f->rip, f->rbp, f->rsp);
	return ST_OK;
}

COMMAND(bt,
	.name = "bt",
	.usage = "[all]",
	.summary = "frame-pointer backtrace of the stopped context (or the shell); all: every CPU, by NMI",
	.run = cmd_bt);
