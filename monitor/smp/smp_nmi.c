#include "monitor/nmi/nmi.h"
#include "monitor/smp/smp_nmi.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_world.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/tsc.h"

static uint64_t request;	/* the shell CPU's last request number */

/* NMI context: the frame-pointer chain, read fault-safe and without mapping
 * lazy pages (a wild RBP must end the walk, not allocate). */
static void snapshot_in_nmi(struct smp_snapshot *s, const struct trap_frame *f)
{
	uint64_t rbp = f->rbp;

	s->rip = f->rip;
	s->rsp = f->rsp;
	s->rbp = f->rbp;
	s->rflags = f->rflags;
	s->nret = 0;
	s->walk_faulted = false;
	while (rbp && !(rbp & 7) && s->nret < SMP_BT_FRAMES) {
		uint64_t next, ret;

		if (!fault_safe_probe_frame(rbp, &next, &ret)) {
			s->walk_faulted = true;
			break;
		}
		if (ret == 0)
			break;
		s->ret[s->nret++] = ret;
		if (next != 0 && next <= rbp)
			break;
		rbp = next;
	}
}

static bool answer(struct smp_cpu *c, const struct trap_frame *f)
{
	uint64_t want = __atomic_load_n(&c->bt_want, __ATOMIC_ACQUIRE);

	if (want == c->bt_done)
		return false;
	snapshot_in_nmi(&c->snap, f);
	__atomic_store_n(&c->bt_done, want, __ATOMIC_RELEASE);
	return true;
}

/* The request's NMI, latched while the CPU is parked with NMIs blocked,
 * is claimed after it goes on: it is still in flight. */
void smp_nmi_serve_parked(struct smp_cpu *c, const struct trap_frame *f)
{
	answer(c, f);
}

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct smp_cpu *c = &smp_cpus[this_cpu()->cpu];

	(void)repeat;
	if (!nmi_request_take_in_nmi(&c->bt_nmi))
		return false;
	answer(c, f);	/* nothing, if answered while parked */
	return true;
}

static const struct nmi_source bt_source = {
	.name = "IPI backtrace request",
	.claim_in_nmi = claim_in_nmi,
};

void smp_nmi_init(void)
{
	nmi_register_source(&bt_source);
}

uint64_t smp_nmi_backtrace_all(uint64_t timeout_ms)
{
	unsigned int self = this_cpu()->cpu;
	uint64_t end;
	bool all;

	request++;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		struct smp_cpu *c = &smp_cpus[i];

		/* a parked CPU answers nothing (NMIs are blocked while it
		 * waits in one): bt all shows the frame it parked with */
		if (i == self || c->state == SMP_NOT_RESPONDING || smp_parked_frame(i))
			continue;
		__atomic_store_n(&c->bt_want, request, __ATOMIC_SEQ_CST);
		nmi_request_send(&c->bt_nmi, c->apic_id);
	}
	end = rdtsc() + tsc_hz() / 1000 * timeout_ms;
	do {
		all = true;
		for (unsigned int i = 0; i < smp_cpu_count(); i++)
			if (i != self && smp_cpus[i].state != SMP_NOT_RESPONDING &&
			    !smp_parked_frame(i) &&
			    __atomic_load_n(&smp_cpus[i].bt_done, __ATOMIC_ACQUIRE) != request)
				all = false;
		if (!all)
			cpu_relax();
	} while (!all && rdtsc() < end);
	return request;
}
