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

/* A vCPU the host has not run for a while answers late (TCG on a loaded
 * host: over 100 ms, a few times in 300): a second, then it is named. */
#define MSR_CALL_TIMEOUT_MS	1000

struct msr_access {
	uint32_t msr;
	bool write;
	uint64_t value;
	uint64_t got[MAX_CPUS];
	fault_t fault[MAX_CPUS];
};

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

static const char *cpu_list(uint64_t mask, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < MAX_CPUS && len < n; i++)
		if (mask >> i & 1)
			len += (size_t)fmt_snprintf(buf + len, n - len, "%s%u", len ? "," : "", i);
	return buf;
}

/* Prints each answer; the CPUs that faulted and those that did not answer
 * go on one error line at the end. */
static int report(const struct msr_access *a, uint64_t asked, uint64_t missing)
{
	uint64_t faulted = 0;
	char fl[MAX_CPUS * 4], ml[MAX_CPUS * 4];
	const char *op = a->write ? "wrmsr" : "rdmsr";

	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		if (!(asked >> i & 1) || (missing >> i & 1))
			continue;
		if (a->fault[i])
			faulted |= 1ull << i;
		else if (a->write)
			kprintf("cpu %u: msr 0x%x <- 0x%016lx\n", i, a->msr, a->value);
		else
			kprintf("cpu %u: msr 0x%x = 0x%016lx\n", i, a->msr, a->got[i]);
	}
	if (faulted && missing)
		return errorf("%s msr 0x%x: #GP on cpu %s; cpu %s did not answer within %u ms", op,
			      a->msr, cpu_list(faulted, fl, sizeof(fl)),
			      cpu_list(missing, ml, sizeof(ml)), MSR_CALL_TIMEOUT_MS);
	if (faulted)
		return errorf("%s msr 0x%x: #GP on cpu %s (no such MSR there%s)", op, a->msr,
			      cpu_list(faulted, fl, sizeof(fl)),
			      a->write ? ", or a value it refuses" : "");
	if (missing)
		return errorf("%s msr 0x%x: cpu %s did not answer within %u ms", op, a->msr,
			      cpu_list(missing, ml, sizeof(ml)), MSR_CALL_TIMEOUT_MS);
	return ST_OK;
}

/* msr MSR [VALUE] [cpu=N|all]; without cpu=, the shell's CPU. */
static int cmd_msr(int argc, char **argv)
{
	struct msr_access a = { 0 };
	uint64_t msr, value = 0, cpu = this_cpu()->cpu, asked = 0, missing;
	bool all = false, write = false, chose = false;
	int st;

	if (argc < 2 || argc > 4)
		return ST_USAGE;
	if (parse_u64(argv[1], &msr) != ST_OK || msr > 0xffffffffull)
		return errorf("bad MSR '%s' (a 32-bit number)", argv[1]);
	for (int i = 2; i < argc; i++) {
		if (strncmp(argv[i], "cpu=", 4) == 0) {
			if (chose)
				return errorf("cpu= given twice");
			chose = true;
			if (strcmp(argv[i] + 4, "all") == 0)
				all = true;
			else if (parse_u64(argv[i] + 4, &cpu) != ST_OK || cpu >= smp_cpu_count())
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
	a.msr = (uint32_t)msr;
	a.write = write;
	a.value = value;
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		if ((all || i == cpu) && smp_call_reaches(i))
			asked |= 1ull << i;
	missing = asked & ~(1ull << this_cpu()->cpu) ?
		  smp_call(asked, access_here, &a, MSR_CALL_TIMEOUT_MS) : 0;
	if (missing == SMP_CALL_BUSY)
		return errorf("the shell cpu's own call is still open (it is parked by this stop): "
			      "cont first");
	if (asked >> this_cpu()->cpu & 1)
		access_here(&a);
	return report(&a, asked, missing);
}

COMMAND(msr,
	.name = "msr",
	.usage = "MSR [VALUE] [cpu=N|all]",
	.summary = "read (or with VALUE write) a model-specific register on the shell's CPU, "
		   "CPU N or every CPU; #GP-safe",
	.run = cmd_msr);
