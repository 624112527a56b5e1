#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_bt.h"
#include "monitor/smp/smp_world.h"
#include "monitor/debug/stop.h"
#include "monitor/shell/parse.h"

static int cmd_cpu(int argc, char **argv)
{
	char buf[48];
	uint64_t n;

	if (argc == 2) {
		if (parse_u64(argv[1], &n) != ST_OK || n >= smp_cpu_count())
			return errorf("bad cpu '%s' (0 to %u)", argv[1], smp_cpu_count() - 1);
		if (smp_world_select((unsigned int)n))
			return ST_REPORTED;
		kprintf("cpu %lu selected: regs and bt show its context\n", n);
		return ST_OK;
	}
	if (argc != 1)
		return ST_USAGE;
	kprintf("%u cpus, %u online (%s)\n", smp_cpu_count(), smp_online_count(), smp_how());
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		kprintf("cpu %u  APIC id %-3u  %s%s\n", i, smp_cpus[i].apic_id,
			smp_state_name(i, buf, sizeof(buf)),
			smp_world_stopped() && i == smp_world_selected() &&
			smp_world_view() != stop_frame() ? "  (selected)" : "");
	return ST_OK;
}

COMMAND(cpu,
	.name = "cpu",
	.usage = "[N]",
	.summary = "list the CPUs: number, APIC id, state (shell, idle, running NAME, stopped, ...); "
		   "N: while stopped, the CPU whose context regs and bt show",
	.run = cmd_cpu);
