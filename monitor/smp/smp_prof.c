#include "monitor/nmi/nmi.h"
#include "monitor/smp/smp_prof.h"
#include "monitor/smp/smp.h"
#include "arch/x86_64/apic.h"

static struct {
	volatile uint64_t pending;	/* the ticking CPU adds, the AP takes all */
	volatile uint64_t sent, taken, merged;
} req[MAX_CPUS];

static smp_sampler volatile sampler;

/* NMI context, on the CPU the HPET's NMI reaches. */
static void fanout_in_nmi(const struct trap_frame *f)
{
	unsigned int self = this_cpu()->cpu;
	smp_sampler s = sampler;

	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (i == self || smp_cpus[i].state == SMP_NOT_RESPONDING)
			continue;
		__atomic_fetch_add(&req[i].pending, 1, __ATOMIC_SEQ_CST);
		req[i].sent++;
	}
	apic_send_nmi_all_but_self();
	if (s)
		s(f);
}

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	unsigned int cpu = this_cpu()->cpu;
	uint64_t n = __atomic_exchange_n(&req[cpu].pending, 0, __ATOMIC_SEQ_CST);
	smp_sampler s = sampler;

	(void)repeat;
	if (!n)
		return false;
	req[cpu].merged += n - 1;
	req[cpu].taken++;
	if (s)
		s(f);
	return true;
}

static const struct nmi_source fanout_source = {
	.name = "profiler fan-out",
	.claim_in_nmi = claim_in_nmi,
};

void smp_prof_init(void)
{
	nmi_register_source(&fanout_source);
}

smp_sampler smp_prof_sampler(smp_sampler sample_in_nmi)
{
	sampler = sample_in_nmi;
	if (sample_in_nmi)	/* the counts are since prof start */
		for (unsigned int i = 0; i < MAX_CPUS; i++)
			req[i].sent = req[i].taken = req[i].merged = 0;
	if (!sample_in_nmi || smp_online_count() < 2)
		return sample_in_nmi;
	return fanout_in_nmi;
}

void smp_prof_get(unsigned int cpu, struct smp_prof_counts *c)
{
	c->sent = req[cpu].sent;
	c->taken = req[cpu].taken;
	c->merged = req[cpu].merged;
}
