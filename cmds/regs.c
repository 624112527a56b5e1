#include "monitor/shell/command.h"
#include "monitor/lib/string.h"
#include "monitor/shell/console.h"
#include "monitor/debug/stop.h"
#include "monitor/debug/trap.h"
#include "monitor/lib/symbols.h"
#include "monitor/smp/smp_world.h"

/* regs_print gives the raw RIP; the stop line and bt name it: so does regs */
static void print_with_rip_symbol(const struct trap_frame *f)
{
	char sym[96];

	regs_print(f);
	kprintf("  rip %016lx %s\n", f->rip,
		symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)));
}

static int cmd_regs(int argc, char **argv)
{
	struct trap_frame f;

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	if (smp_world_view()) {
		if (smp_world_view() != stop_frame())
			kprintf("registers of cpu %u (stopped by NMI):\n", smp_world_selected());
		else
			kprintf("registers of the stopped context:\n");
		print_with_rip_symbol(smp_world_view());
		return ST_OK;
	}
	/* a register capture_regs missed would show this, not stack leftovers */
	memset(&f, 0x5a, sizeof(f));
	capture_regs(&f);
	kprintf("registers of the shell (nothing is stopped):\n");
	print_with_rip_symbol(&f);
	return ST_OK;
}

COMMAND(regs,
	.name = "regs",
	.usage = "",
	.summary = "registers of the stopped context, or of the shell",
	.run = cmd_regs);
