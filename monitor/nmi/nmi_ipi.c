#include "monitor/nmi/nmi_ipi.h"
#include "monitor/nmi/nmi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/percpu.h"

static struct {
	volatile uint64_t pending;
	volatile uint64_t claimed;
	void (*volatile action)(uint64_t pass);
} ipi[MAX_CPUS];

void nmi_ipi_send_self(void)
{
	apic_send_self_nmi(&ipi[this_cpu()->cpu].pending);
}

void nmi_ipi_expect(void)
{
	__atomic_fetch_add(&ipi[this_cpu()->cpu].pending, 1, __ATOMIC_SEQ_CST);
}

uint64_t nmi_ipi_claimed(void)
{
	return ipi[this_cpu()->cpu].claimed;
}

volatile uint64_t *nmi_ipi_pending_word(void)
{
	return &ipi[this_cpu()->cpu].pending;
}

void nmi_ipi_set_action(void (*action_in_nmi)(uint64_t pass))
{
	ipi[this_cpu()->cpu].action = action_in_nmi;
}

/* NMI context. Requests sent while NMIs were blocked collapse into one NMI:
 * take them all at once. */
static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct percpu *p = this_cpu();
	void (*action)(uint64_t);
	uint64_t n = ipi[p->cpu].pending, keep;

	(void)repeat;
	/* asked on every NMI: a plain load first */
	if (!n)
		return false;
	/* This NMI interrupted a send between its count and its ICR write:
	 * that request's NMI comes right after this one, and is left to it
	 * (taken now, its own NMI would come as unknown). Only this CPU and
	 * its NMIs touch its word, so nothing moves it meanwhile. */
	keep = apic_self_nmi_unsent(f->rip);
	if (n <= keep)
		return false;
	__atomic_fetch_sub(&ipi[p->cpu].pending, n - keep, __ATOMIC_SEQ_CST);
	action = ipi[p->cpu].action;
	if (action)
		action(p->nmi_pass);
	ipi[p->cpu].claimed++;
	return true;
}

static const struct nmi_source ipi_source = {
	.name = "self-NMI IPI",
	.claim_in_nmi = claim_in_nmi,
	.fast_pass_checks = true,	/* its pending word: profiler.c's fast pass */
};

void nmi_ipi_init(void)
{
	nmi_register_source(&ipi_source);
}
