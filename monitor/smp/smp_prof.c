#include "monitor/nmi/nmi.h"
#include "monitor/smp/smp_prof.h"
#include "monitor/smp/smp.h"
#include "arch/x86_64/apic.h"

static struct {
	volatile uint64_t pending;	/* the ticking CPU adds, the AP takes all */
	volatile uint64_t sent, taken, merged;
} req[MAX_CPUS];

static smp_sampler volatile sampler;
/* Requests taken with their IPI's NMI perhaps still on its way: all of a
 * pass's requests but the one whose NMI began it (none began a repeat pass,
 * or a pass an earlier source claimed too: the AP was in another NMI, nmi
 * test's self-NMI say; the next tick's request can come while a pass runs).
 * Such an NMI arrives after its request is gone, and no one else claims
 * it: it is counted here as owed, and a first pass nobody else claims
 * takes one (the timer's late-delivery rule, nmi_timer.c; Linux swallows a
 * back-to-back NMI after a pass that served two causes). Without it an
 * AP's fan-out NMIs showed as unknown: 1 to 14 an AP in 500 ms at 10 kHz,
 * MTTCG -smp 4; none with it. */
static uint64_t owed[MAX_CPUS];

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

	if (!n) {
		if (repeat || this_cpu()->nmi->pass_claims || !owed[cpu])
			return false;
		owed[cpu]--;	/* that was one */
		return true;
	}
	/* all n, or all but the one that caused this first pass */
	owed[cpu] += n - (!repeat && !this_cpu()->nmi->pass_claims);
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
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		/* requests that merged into one NMI leave owed NMIs that never
		 * come: they may hide unknown NMIs while sampling, not after */
		owed[i] = 0;
		if (sample_in_nmi)	/* the counts are since prof start */
			req[i].sent = req[i].taken = req[i].merged = 0;
	}
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
