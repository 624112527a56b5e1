/*
 * nmi test on every online CPU at once. The shell CPU posts the job
 * "nmi-test N" to every idle AP through its mailbox (smp.h), runs its own
 * share, waits a bounded time for the others, and prints one block per CPU
 * and a verdict line over them all. Between cases the CPUs meet, for the
 * shell CPU to set the entry code's hook sites (nmi_selftest.c).
 *
 * A CPU that is busy (a workload), stopped or not responding is named and
 * left out. One that has not finished within the bound is named and fails
 * the run; it is not waited for (its completion line comes at a later
 * prompt). With one CPU under test the output is the one-CPU output.
 */
#include "monitor/nmi/nmi_selftest.h"
#include "monitor/nmi/nmi_selftest_out.h"
#include "monitor/lib/fmt.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_world.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

/* The others run the same cases as the shell CPU, started a little later
 * and sharing the machine with it (their vCPUs may share host cores with
 * it, or one host thread under TCG's -icount): every wait of a run, at a
 * meeting point or for the others to finish, lasts at most ten times the
 * run's time so far, five seconds at least. */
#define WAIT_FACTOR	10
#define WAIT_MIN_MS	5000

/* Each written by its own CPU, read by the shell CPU after that CPU's
 * done count (release) says it is complete. */
static struct nmi_selftest_result results[MAX_CPUS];

/* The run in progress: who takes part, since when, and the numbering of
 * its meeting points: a run's steps lie above every earlier run's, so a CPU
 * still in an earlier run (named and left out of this one) is never taken
 * for one that has come. arrived[]: each CPU's own; released: the shell's. */
static unsigned int run_mask, run_shell;
static uint64_t run_t0;
static volatile unsigned int run_base;
static volatile unsigned int arrived[MAX_CPUS], released;

/* A bound for any wait of the run, from now. */
static uint64_t run_deadline(void)
{
	uint64_t now = rdtsc(), min = tsc_hz() / 1000 * WAIT_MIN_MS;
	uint64_t w = WAIT_FACTOR * (now - run_t0);

	return now + (w > min ? w : min);
}

void nmi_selftest_meet(unsigned int step, void (*set)(unsigned int step))
{
	unsigned int me = this_cpu()->cpu, at = run_base + step;
	uint64_t end = run_deadline();

	__atomic_store_n(&arrived[me], at, __ATOMIC_RELEASE);
	if (me != run_shell) {
		/* bounded: the shell CPU may have left (a fault aborted its
		 * command); without the hooks set the window cases fail */
		while (__atomic_load_n(&released, __ATOMIC_ACQUIRE) < at && rdtsc() < end)
			cpu_relax();
		return;
	}
	/* one that has not come by the bound will fail or be late: named then */
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		while ((run_mask & (1u << i)) &&
		       __atomic_load_n(&arrived[i], __ATOMIC_ACQUIRE) < at && rdtsc() < end)
			cpu_relax();
	set(step);
	__atomic_store_n(&released, at, __ATOMIC_RELEASE);
}

void nmi_selftest_ap(const struct smp_job *job, char *line, size_t size)
{
	struct nmi_selftest_result *r = &results[this_cpu()->cpu];
	uint64_t n = 1;

	parse_u64(job->argv[1], &n);
	nmi_selftest_here(n, r);
	fmt_snprintf(line, size, "nmi test: %s %u passed, %u failed, %u skipped (finished late)",
		     r->fail ? "FAIL" : "PASS", r->pass, r->fail, r->skip);
}

/* Why cpu cannot take part, or NULL. */
static const char *left_out(unsigned int cpu, char *buf, size_t n)
{
	const struct smp_cpu *c = &smp_cpus[cpu];

	if (c->state == SMP_NOT_RESPONDING)
		return "not responding";
	if (c->state == SMP_HALTED)
		return "halted (exception)";
	if (smp_parked_frame(cpu))
		return "stopped (cont resumes it)";
	if (c->state != SMP_IDLE || c->posted != c->done) {
		fmt_snprintf(buf, n, "busy running %s", c->job.argv[0]);
		return buf;
	}
	return NULL;
}

static bool finished(unsigned int cpu)
{
	const struct smp_cpu *c = &smp_cpus[cpu];

	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE) == c->posted;
}

int nmi_selftest(unsigned long n)
{
	unsigned int self = this_cpu()->cpu, ncpus = smp_cpu_count(), mask = 1u << self;
	unsigned int tested = 0, late = 0, unstarted = 0;
	struct smp_job job = { .argc = 2, .argv = { "nmi-test" } };
	struct nmi_selftest_result all = { 0 };
	uint64_t hz = tsc_hz(), t0, from, end, us;
	char why[48];

	nmi_selftest_prepare();
	for (unsigned int i = 0; i < ncpus; i++) {
		const char *no = i == self ? NULL : left_out(i, why, sizeof(why));

		if (no)
			kprintf("cpu %u: left out: %s\n", i, no);
		else
			mask |= 1u << i;
	}
	for (unsigned int i = 0; i < ncpus; i++)
		tested += (mask >> i) & 1;
	nst_out_start(tested > 1, mask);
	fmt_snprintf(job.argv[1], SMP_JOB_ARG_LEN, "%lu", n);
	t0 = rdtsc();
	run_t0 = t0;
	run_shell = self;
	run_mask = mask;
	run_base += STEP_DONE + 1;
	for (unsigned int i = 0; i < ncpus; i++)
		if (i != self && (mask & (1u << i)) && smp_post(i, &job)) {
			mask &= ~(1u << i);	/* smp_post said why */
			run_mask = mask;
			unstarted++;
		}
	nmi_selftest_here(n, &results[self]);
	from = rdtsc();
	end = run_deadline();
	for (unsigned int i = 0; i < ncpus; i++)
		while (i != self && (mask & (1u << i)) && !finished(i) && rdtsc() < end)
			cpu_relax();
	us = (rdtsc() - t0) / (hz / 1000000 ? hz / 1000000 : 1);
	if (tested == 1)
		return results[self].fail ? -1 : 0;

	for (unsigned int i = 0; i < ncpus; i++) {
		const struct nmi_selftest_result *r = &results[i];

		if (!(mask & (1u << i)))
			continue;
		if (i != self && !finished(i)) {
			kprintf("cpu %u: not done %lu ms after cpu %u: not waited for\n", i,
				(end - from) / (hz / 1000), self);
			late++;
			continue;
		}
		nst_out_print(i);
		if (i != self)
			smp_cpus[i].reported = smp_cpus[i].done;	/* its block said it */
		all.pass += r->pass;
		all.fail += r->fail;
		all.skip += r->skip;
		all.nmis += r->nmis;
		all.nested += r->nested;
	}
	all.fail += late + unstarted;
	kprintf("nmi test: %s %u passed, %u failed, %u skipped; %lu NMIs (%lu nested) in %lu ms, "
		"%lu NMIs/s; %u cpus", all.fail ? "FAIL" : "PASS", all.pass, all.fail, all.skip,
		all.nmis, all.nested, us / 1000, us ? all.nmis * 1000000 / us : 0, tested);
	if (late || unstarted)
		kprintf(", %u did not finish, %u did not start", late, unstarted);
	kprintf("\n");
	return all.fail ? -1 : 0;
}
