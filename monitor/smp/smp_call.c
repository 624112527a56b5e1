#include "monitor/smp/smp_call.h"
#include "monitor/smp/smp.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_request.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

/* want and done have one writer each: the shell sets want to 0 while it
 * stores fn and arg, then to the call's round (from 1); the CPU asked
 * copies want into done after running fn. */
struct call_cpu {
	smp_call_fn volatile fn;
	void *volatile arg;
	volatile uint64_t want, done;
	struct nmi_request nmi;		/* one in flight (nmi_request.h) */
};

static struct call_cpu calls[MAX_CPUS];
/* Calls so far. One at a time, from the CPU that runs the shell (a stopped
 * CPU's, while the world is stopped): a caller parked by a stop finds its
 * CPUs served by the stopped shell's later call, which is as good. */
static uint64_t round;

/* NMI context. A call that timed out may be replaced while this CPU reads
 * it: want, the same and not 0 on both sides of fn and arg, says they
 * belong to one call (a sequence lock). While the shell writes, the next
 * call's NMI is still to come: its send follows the write. */
static void serve(struct call_cpu *c)
{
	uint64_t want;
	smp_call_fn fn;
	void *arg;

	do {
		want = __atomic_load_n(&c->want, __ATOMIC_SEQ_CST);
		if (want == 0 || want == c->done)
			return;
		fn = c->fn;
		arg = c->arg;
	} while (__atomic_load_n(&c->want, __ATOMIC_SEQ_CST) != want);
	fn(arg);
	__atomic_store_n(&c->done, want, __ATOMIC_RELEASE);
}

void smp_call_serve_parked(void)
{
	serve(&calls[this_cpu()->cpu]);
}

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct call_cpu *c = &calls[this_cpu()->cpu];

	(void)f;
	(void)repeat;
	if (!nmi_request_take_in_nmi(&c->nmi))
		return false;
	serve(c);	/* nothing, if served while parked */
	return true;
}

static const struct nmi_source call_source = {
	.name = "function call request",
	.claim_in_nmi = claim_in_nmi,
};

void smp_call_init(void)
{
	nmi_register_source(&call_source);
}

bool smp_call_reaches(unsigned int cpu)
{
	enum smp_state s = cpu < smp_cpu_count() ? smp_cpus[cpu].state : SMP_ABSENT;

	return s != SMP_ABSENT && s != SMP_NOT_RESPONDING;
}

static bool asked(uint64_t mask, unsigned int cpu, unsigned int me)
{
	return (mask >> cpu & 1) && cpu != me && smp_call_reaches(cpu);
}

uint64_t smp_call(uint64_t mask, smp_call_fn fn, void *arg, uint64_t timeout_ms)
{
	unsigned int me = this_cpu()->cpu;
	uint64_t r = __atomic_add_fetch(&round, 1, __ATOMIC_SEQ_CST), end, missing = 0;

	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!asked(mask, i, me))
			continue;
		__atomic_store_n(&calls[i].want, 0, __ATOMIC_SEQ_CST);
		calls[i].fn = fn;
		calls[i].arg = arg;
		__atomic_store_n(&calls[i].want, r, __ATOMIC_SEQ_CST);
		nmi_request_send(&calls[i].nmi, smp_cpus[i].apic_id);
	}
	end = rdtsc() + tsc_hz() / 1000 * timeout_ms;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!asked(mask, i, me))
			continue;
		while (__atomic_load_n(&calls[i].done, __ATOMIC_ACQUIRE) < r && rdtsc() < end)
			cpu_relax();
		if (calls[i].done < r)
			missing |= 1ull << i;
	}
	return missing;
}

uint64_t smp_call_others(smp_call_fn fn, void *arg, uint64_t timeout_ms)
{
	return smp_call(~0ull, fn, arg, timeout_ms);
}
