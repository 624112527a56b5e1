#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_bt.h"

static int cmd_cpu(int argc, char **argv)
{
	char buf[48];

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	kprintf("%u cpus, %u online (%s)\n", smp_cpu_count(), smp_online_count(), smp_how());
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		kprintf("cpu %u  APIC id %-3u  %s\n", i, smp_cpus[i].apic_id,
			smp_state_name(i, buf, sizeof(buf)));
	return ST_OK;
}

COMMAND(cpu,
	.name = "cpu",
	.usage = "",
	.summary = "list the CPUs: number, APIC id, state (shell, idle, running NAME, ...)",
	.run = cmd_cpu);
