#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_bt.h"
#include "monitor/smp/smp_world.h"
#include "monitor/shell/parse.h"

static int cmd_cpu(int argc, char **argv)
{
	char buf[48];
	uint64_t n;

	if (argc == 2) {
		if (parse_u64(argv[1], &n) != ST_OK || n >= MAX_CPUS)
			return errorf("bad cpu '%s'", argv[1]);
		return smp_world_select((unsigned int)n);
	}
	if (argc != 1)
		return ST_USAGE;
	kprintf("%u cpus, %u online (%s)\n", smp_cpu_count(), smp_online_count(), smp_how());
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		kprintf("cpu %u  APIC id %-3u  %s%s\n", i, smp_cpus[i].apic_id,
			smp_state_name(i, buf, sizeof(buf)),
			smp_world_stopped() && i == smp_world_selected() ? "  (selected)" : "");
	return ST_OK;
}

COMMAND(cpu,
	.name = "cpu",
	.usage = "[N]",
	.summary = "list the CPUs (number, APIC id, state); N: while stopped, whose context regs and bt show",
	.run = cmd_cpu);
