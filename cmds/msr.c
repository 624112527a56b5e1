/*
 * msr: read or write a model-specific register on one CPU or on all, as
 * rdmsr/wrmsr -p do. An MSR is each CPU's own, so another CPU reads it
 * itself, in NMI context by an smp_call: a CPU spinning with interrupts off
 * or parked by a stop answers too. Every access is #GP-safe: an MSR that
 * does not exist, or a value it refuses, is an error line, not a fault.
 */
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/string.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_call.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/percpu.h"

#define MSR_CALL_TIMEOUT_MS	100

/* Static, as a CPU that missed the timeout may still run it (smp_call.h):
 * a late answer lands here and is not printed. */
static struct msr_access {
	uint32_t msr;
	bool write;
	uint64_t value;
	uint64_t got[MAX_CPUS];
	fault_t fault[MAX_CPUS];
} acc;

/* NMI context on another CPU, or the shell's own. */
static void access_here(void *arg)
{
	struct msr_access *a = arg;
	unsigned int cpu = this_cpu()->cpu;

	if (a->write)
		a->fault[cpu] = fault_safe_wrmsr(a->msr, a->value);
	else
		a->fault[cpu] = fault_safe_rdmsr(a->msr, &a->got[cpu]);
}

/* Prints each answer; the CPUs that faulted or did not answer go on one
 * error line at the end. */
static int report(uint64_t asked, uint64_t missing)
{
	uint64_t faulted = 0;
	char list[MAX_CPUS * 4 + 1];

	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!(asked >> i & 1) || (missing >> i & 1))
			continue;
		if (acc.fault[i])
			faulted |= 1ull << i;
		else if (acc.write)
			kprintf("cpu %u: msr 0x%x <- 0x%016lx\n", i, acc.msr, acc.value);
		else
			kprintf("cpu %u: msr 0x%x = 0x%016lx\n", i, acc.msr, acc.got[i]);
	}
	if (!faulted && !missing)
		return ST_OK;
	list[0] = '\0';
	for (unsigned int i = 0, n = 0; i < smp_cpu_count(); i++)
		if ((faulted | missing) >> i & 1)
			n += fmt_snprintf(list + n, sizeof(list) - n, "%s%u", n ? "," : "", i);
	if (!missing)
		return errorf("%s msr 0x%x: #GP on cpu %s (no such MSR there%s)",
			      acc.write ? "wrmsr" : "rdmsr", acc.msr, list,
			      acc.write ? ", or a value it refuses" : "");
	if (!faulted)
		return errorf("cpu %s did not answer within %u ms", list, MSR_CALL_TIMEOUT_MS);
	return errorf("msr 0x%x: cpu %s faulted (#GP) or did not answer within %u ms",
		      acc.msr, list, MSR_CALL_TIMEOUT_MS);
}

/* msr MSR [VALUE] [cpu=N|all]; without cpu=, the shell's CPU. */
static int cmd_msr(int argc, char **argv)
{
	uint64_t msr, value = 0, cpu = this_cpu()->cpu, asked = 0, missing;
	bool all = false, write = false;
	int st;

	if (argc < 2 || argc > 4)
		return ST_USAGE;
	if (parse_u64(argv[1], &msr) != ST_OK || msr > 0xffffffffull)
		return errorf("bad MSR '%s' (a 32-bit number)", argv[1]);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "cpu=all") == 0) {
			all = true;
		} else if (strncmp(argv[i], "cpu=", 4) == 0) {
			if (parse_u64(argv[i] + 4, &cpu) != ST_OK || cpu >= smp_cpu_count())
				return errorf("bad cpu '%s' (0 to %u, or all)", argv[i] + 4,
					      smp_cpu_count() - 1);
		} else if (!write) {
			if ((st = parse_u64(argv[i], &value)) != ST_OK)
				return errorf("bad value '%s': %s", argv[i], status_message(st));
			write = true;
		} else {
			return ST_USAGE;
		}
	}
	if (!all && !smp_call_reaches((unsigned int)cpu))
		return errorf("cpu %lu is not up", cpu);
	acc.msr = (uint32_t)msr;
	acc.write = write;
	acc.value = value;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		acc.fault[i] = acc.got[i] = 0;
		if ((all || i == cpu) && smp_call_reaches(i))
			asked |= 1ull << i;
	}
	missing = smp_call(asked, access_here, &acc, MSR_CALL_TIMEOUT_MS);
	if (asked >> this_cpu()->cpu & 1)
		access_here(&acc);
	return report(asked, missing);
}

COMMAND(msr,
	.name = "msr",
	.usage = "MSR [VALUE] [cpu=N|all]",
	.summary = "read (or with VALUE write) a model-specific register on the shell's CPU, "
		   "CPU N or every CPU; #GP-safe",
	.run = cmd_msr);
