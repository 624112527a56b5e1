/* Raise an exception on purpose, to see (and test) the exception report. */
#include "monitor/bootinfo.h"
#include "monitor/debug/trap_raise.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/nmi/nmi_ipi.h"
#include "monitor/lib/string.h"
#include "monitor/smp/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

#define HALT_WITHIN_MS	10000	/* a bound, not a wait: it ends at the halt */

static void overflow_in_nmi(uint64_t depth);

/* On another CPU: posted as its workload, where no command can take the
 * report back, so that CPU halts after it (monitor/debug/trap.c). */
static int trap_elsewhere(const char *name, uint64_t cpu)
{
	struct smp_job job = { .argc = 2 };
	uint64_t end;

	if (!trap_raisable(name))
		return errorf("cpu= raises %s, not '%s'", TRAP_RAISE_NAMES, name);
	strcpy(job.argv[0], "trap");
	strcpy(job.argv[1], name);
	/* said before the post: the report may come at once after it */
	if (smp_can_post((unsigned int)cpu))
		return ST_REPORTED;
	kprintf("raising %s on cpu %lu\n", name, cpu);
	if (smp_post((unsigned int)cpu, &job))
		return ST_REPORTED;
	/* its report and halt come before this command's prompt: the report
	 * parks this CPU by NMI meanwhile, so nothing interleaves with it */
	end = rdtsc() + tsc_hz() / 1000 * HALT_WITHIN_MS;
	while (smp_cpus[cpu].state == SMP_RUNNING && rdtsc() < end)
		cpu_relax();
	if (smp_cpus[cpu].state != SMP_HALTED)
		return errorf("cpu %lu did not halt within %u ms", cpu, HALT_WITHIN_MS);
	return ST_OK;
}

static int cmd_trap(int argc, char **argv)
{
	uint64_t cpu;

	if (argc == 3 && strncmp(argv[2], "cpu=", 4) == 0) {
		if (parse_u64(argv[2] + 4, &cpu) != ST_OK || cpu >= smp_cpu_count())
			return errorf("bad cpu '%s' (0 to %u: cpu lists them)", argv[2] + 4,
				      smp_cpu_count() - 1);
		if (strcmp(argv[1], "bp") == 0 && bootinfo_has_option("quirk=no-int3"))
			return errorf("int3 stops this hypervisor (boot option quirk=no-int3)");
		if (cpu != this_cpu()->cpu)
			return trap_elsewhere(argv[1], cpu);
		argc--;		/* this CPU: as without cpu= */
	}
	if (argc != 2)
		return ST_USAGE;
	if (strcmp(argv[1], "bp") == 0 && bootinfo_has_option("quirk=no-int3"))
		return errorf("int3 stops this hypervisor (boot option quirk=no-int3)");
	if (strcmp(argv[1], "nmi-overflow") == 0) {
		kprintf("raising %s\n", argv[1]);
		nmi_ipi_set_action(overflow_in_nmi);
		nmi_ipi_send_self();
		return errorf("the NMI stack did not overflow");
	}
	if (!trap_raisable(argv[1]))
		return errorf("unknown trap '%s' (%s, nmi-overflow)", argv[1], TRAP_RAISE_NAMES);
	kprintf("raising %s\n", argv[1]);
	trap_raise(argv[1]);
	return errorf("%s did not trap", argv[1]);
}

/* NMI context, on purpose: recurse until the NMI stack runs into its guard
 * page. The #PF cannot be delivered on that stack, so the CPU raises #DF,
 * which has its own IST stack and reports. */
static volatile uint64_t overflow_limit = ~0ull;	/* volatile: the compiler cannot see the end */

static void overflow_in_nmi(uint64_t depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth < overflow_limit)
		overflow_in_nmi(depth + 1);
	frame[1] = frame[0];	/* keeps the call from being a tail call */
}

COMMAND(trap,
	.name = "trap",
	.usage = "de|ud|gp|pf|bp|nmi-overflow [cpu=N]",
	.summary = "raise that exception from a command, to see the report",
	.help = "  nmi-overflow overflows the NMI stack into its guard page from an NMI:\n"
		"  the #DF report on its own stack, then a halt (never a triple fault).\n"
		"  cpu=N raises it on CPU N, outside any command: its report, then that\n"
		"  CPU halts and the others go on.",
	.run = cmd_trap);
