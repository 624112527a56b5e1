#include "monitor/smp/smp_call.h"
#include "monitor/smp/smp.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_request.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

/* want: 0 (no call, or the caller is writing fn and arg), the call's round
 * (from 1), or the round with TAKEN once the CPU asked has claimed it by a
 * compare-and-swap; the caller cancels an untaken call by a compare-and-
 * swap back to 0. Whoever wins owns the round: a call runs once or never.
 * done: the last round the CPU ran, written by it alone. */
#define TAKEN		(1ull << 63)

struct call_cpu {
	smp_call_fn volatile fn;
	void *volatile arg;
	volatile uint64_t want, done;
	struct nmi_request nmi;		/* one in flight (nmi_request.h) */
};

static struct call_cpu calls[MAX_CPUS];
static uint64_t round;			/* the caller's alone */
#define NO_CALLER	(-1)
static int caller = NO_CALLER;

/* NMI context. fn and arg are written while want is 0 and before the round
 * is stored: a round taken by the CAS is the one they were read under. */
static void serve(struct call_cpu *c)
{
	uint64_t want = __atomic_load_n(&c->want, __ATOMIC_SEQ_CST);
	smp_call_fn fn;
	void *arg;

	if (want == 0 || (want & TAKEN))
		return;
	fn = c->fn;
	arg = c->arg;
	if (!__atomic_compare_exchange_n(&c->want, &want, want | TAKEN, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;		/* cancelled meanwhile */
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
	serve(c);	/* nothing, if served while parked or cancelled */
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

/* Past the deadline: cancel the call unless the CPU took it, in which case
 * it is running fn in NMI context right now, and ends soon. */
static bool finish(struct call_cpu *c, uint64_t r)
{
	uint64_t want = r;

	if (__atomic_compare_exchange_n(&c->want, &want, 0, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		return false;
	while (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != r)
		cpu_relax();
	return true;
}

uint64_t smp_call(uint64_t mask, smp_call_fn fn, void *arg, uint64_t timeout_ms)
{
	int me = (int)this_cpu()->cpu, none = NO_CALLER;
	uint64_t r, end, missing = 0;

	if (!__atomic_compare_exchange_n(&caller, &none, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return SMP_CALL_BUSY;
	r = ++round;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!asked(mask, i, (unsigned int)me))
			continue;
		__atomic_store_n(&calls[i].want, 0, __ATOMIC_SEQ_CST);
		calls[i].fn = fn;
		calls[i].arg = arg;
		__atomic_store_n(&calls[i].want, r, __ATOMIC_SEQ_CST);
		nmi_request_send(&calls[i].nmi, smp_cpus[i].apic_id);
	}
	end = rdtsc() + tsc_hz() / 1000 * timeout_ms;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!asked(mask, i, (unsigned int)me))
			continue;
		while (__atomic_load_n(&calls[i].done, __ATOMIC_ACQUIRE) != r && rdtsc() < end)
			cpu_relax();
		if (calls[i].done != r && !finish(&calls[i], r))
			missing |= 1ull << i;
	}
	__atomic_store_n(&caller, NO_CALLER, __ATOMIC_RELEASE);
	return missing;
}

uint64_t smp_call_others(smp_call_fn fn, void *arg, uint64_t timeout_ms)
{
	return smp_call(~0ull, fn, arg, timeout_ms);
}
