#include "monitor/debug/break_other.h"
#include "monitor/debug/break_watch.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_request.h"
#include "monitor/shell/console.h"
#include "monitor/smp/smp.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

#define STOP_WITHIN_MS	1000
#define RESEND_MS	10	/* an NMI that found no place to plant: again */

static struct nmi_request req[MAX_CPUS];	/* one NMI in flight each */

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	(void)repeat;
	if (!nmi_request_take_in_nmi(&req[this_cpu()->cpu]))
		return false;
	/* the workload may have ended as the NMI came: the idle loop is no
	 * place to stop */
	if (smp_cpus[this_cpu()->cpu].state == SMP_RUNNING)
		break_watch_plant_in_nmi(f);
	return true;
}

static const struct nmi_source break_source = {
	.name = "Ctrl-C for another CPU",
	.claim_in_nmi = claim_in_nmi,
};

void break_other_init(void)
{
	nmi_register_source(&break_source);
}

static bool pass(uint64_t since, uint64_t ms)
{
	return rdtsc() - since >= tsc_hz() / 1000 * ms;
}

void break_other_cpu(void)
{
	unsigned int cpu = 0;
	uint64_t stops, t0, last = 0;

	for (unsigned int i = 1; i < smp_cpu_count() && !cpu; i++)
		if (smp_cpus[i].state == SMP_RUNNING)
			cpu = i;
	if (!cpu)
		return;
	stops = break_watch_stops(cpu);
	break_watch_request(cpu);
	t0 = rdtsc();
	while (break_watch_pending(cpu)) {
		if (smp_cpus[cpu].state != SMP_RUNNING || pass(t0, STOP_WITHIN_MS)) {
			if (!break_watch_withdraw(cpu))
				break;	/* its #DB took it first: it stops */
			if (smp_cpus[cpu].state != SMP_RUNNING)
				kprintf("cpu %u finished its work before it stopped\n", cpu);
			else
				errorf("cpu %u did not stop within %u ms", cpu, STOP_WITHIN_MS);
			return;
		}
		if (!last || pass(last, RESEND_MS)) {
			nmi_request_send(&req[cpu], smp_cpus[cpu].apic_id);
			last = rdtsc();
		}
		cpu_relax();
	}
	/* its stop parks this CPU by NMI until cont; the prompt comes after */
	while (break_watch_stops(cpu) == stops)
		cpu_relax();
}
