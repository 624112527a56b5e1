#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_request.h"
#include "monitor/smp/smp_world.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_nmi.h"
#include "monitor/smp/smp_call.h"
#include "monitor/debug/stop.h"
#include "monitor/lib/status.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

#define NO_OWNER	(-1)
/* An owner that let the world go with no CPU waiting leaves the others
 * this long to stop first: one parked a few instructions before the same
 * breakpoint would otherwise lose the race to it every time. */
#define COURTESY_MS	10

/* Each counter pair has one writer each side: the requester bumps *_want,
 * the CPU asked copies it into *_done from its NMI handler. */
struct world_cpu {
	volatile uint64_t park_want, park_done;
	struct nmi_request park_nmi;	/* one in flight (nmi_request.h) */
	struct trap_frame *volatile parked;	/* its NMI's frame while parked */
	volatile bool waiting;			/* stopped, waits for the world */
};

static struct world_cpu world[MAX_CPUS];
static volatile int owner = NO_OWNER;
/* Roundups so far, and the last one let go: a CPU parked for round r
 * waits until released >= r. Written by the owner alone. */
static volatile uint64_t round, released;
static unsigned int held;		/* the owner's open stops */
static int selected = NO_OWNER;		/* `cpu N`; the owner's own when NO_OWNER */
static volatile int last_owner = NO_OWNER;
static volatile uint64_t courtesy_end;
static unsigned int asked, answered;	/* the owner's last roundup, until reported */

/* NMI context. The park loop spins inside the first-level NMI handler, with
 * NMIs blocked (no IRET happens while parked), so nothing nests in it: a
 * backtrace request is answered from the loop (its NMI, latched, is claimed
 * later), any other NMI waits in the latch until the CPU goes on. */
static bool park_claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct world_cpu *w = &world[this_cpu()->cpu];
	uint64_t want;

	(void)repeat;
	if (!nmi_request_take_in_nmi(&w->park_nmi))
		return false;
	want = __atomic_load_n(&w->park_want, __ATOMIC_SEQ_CST);
	if (want == w->park_done)
		return true;	/* a round served by an earlier NMI */
	w->parked = (struct trap_frame *)f;
	__atomic_store_n(&w->park_done, want, __ATOMIC_RELEASE);
	while (__atomic_load_n(&released, __ATOMIC_ACQUIRE) < want) {
		smp_nmi_serve_parked(&smp_cpus[this_cpu()->cpu], f);
		smp_call_serve_parked();
		cpu_relax();
	}
	w->parked = NULL;
	return true;
}

static const struct nmi_source park_source = {
	.name = "stop the world",
	.claim_in_nmi = park_claim_in_nmi,
};

void smp_world_init(void)
{
	nmi_register_source(&park_source);
}

static bool other_cpu(unsigned int i, unsigned int me)
{
	return i != me && smp_cpus[i].state != SMP_NOT_RESPONDING;
}

static uint64_t deadline(void)
{
	return rdtsc() + tsc_hz() / 1000 * SMP_WORLD_TIMEOUT_MS;
}

void smp_world_stop(void)
{
	unsigned int me = this_cpu()->cpu;
	uint64_t r, end;

	if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) == (int)me) {
		held++;
		return;
	}
	/* Another owner parks this CPU by NMI while it waits here, and hands
	 * the world over as it lets go: taking it free alone would let the
	 * owner, back at its breakpoint before this CPU's vCPU or core got
	 * going again, win every time (seen under TCG). */
	world[me].waiting = true;
	for (;;) {
		int free = NO_OWNER;

		if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) == (int)me)
			break;
		if ((int)me == last_owner && rdtsc() < courtesy_end) {
			cpu_relax();
			continue;
		}
		if (__atomic_compare_exchange_n(&owner, &free, (int)me, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
		cpu_relax();
	}
	world[me].waiting = false;
	held = 1;
	r = ++round;
	asked = answered = 0;
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!other_cpu(i, me))
			continue;
		__atomic_store_n(&world[i].park_want, r, __ATOMIC_SEQ_CST);
		nmi_request_send(&world[i].park_nmi, smp_cpus[i].apic_id);
		asked++;
	}
	end = deadline();
	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (!other_cpu(i, me))
			continue;
		/* The shell CPU is waited for without a limit when another CPU
		 * stopped: two shells would share the editor, the input ring
		 * and the shell's levels. It parks once its NMI gets in (a long
		 * NMI pass, nmi test's, only delays it). */
		while (__atomic_load_n(&world[i].park_done, __ATOMIC_ACQUIRE) != r &&
		       (i == 0 || rdtsc() < end))
			cpu_relax();
		answered += world[i].park_done == r;
	}
}

void smp_world_report(void)
{
	unsigned int me = this_cpu()->cpu;

	if (!asked)
		return;
	kprintf("the other cpus stopped by NMI: %u of %u\n", answered, asked);
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		if (other_cpu(i, me) && world[i].park_done != round)
			kprintf("cpu %u did not stop within %u ms: it runs on\n", i,
				SMP_WORLD_TIMEOUT_MS);
	asked = 0;
}

/* The next CPU after the owner, in turn, that waits for the world. */
static int next_waiting(void)
{
	unsigned int n = smp_cpu_count(), me = (unsigned int)owner;

	for (unsigned int k = 1; k < n; k++)
		if (world[(me + k) % n].waiting)
			return (int)((me + k) % n);
	return NO_OWNER;
}

/* When cont's prompt comes back, every other CPU runs again (or waits at
 * its own stop): the parked ones are waited for, briefly. */
static void let_go(void)
{
	unsigned int me = this_cpu()->cpu;
	int next = next_waiting();
	uint64_t end;

	selected = NO_OWNER;
	if (next == NO_OWNER && smp_online_count() > 1) {
		courtesy_end = rdtsc() + tsc_hz() / 1000 * COURTESY_MS;
		last_owner = owner;
	}
	__atomic_store_n(&released, round, __ATOMIC_RELEASE);
	__atomic_store_n(&owner, next, __ATOMIC_RELEASE);
	end = deadline();
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		while (i != me && world[i].parked && world[i].park_done == round && rdtsc() < end)
			cpu_relax();
}

void smp_world_resume(bool step)
{
	if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) != (int)this_cpu()->cpu)
		return;
	held--;
	if (held == 0 && !step)
		let_go();
}

void smp_world_settle(void)
{
	if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) == (int)this_cpu()->cpu && held == 0)
		let_go();
}

void smp_world_abandon(void)
{
	if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) == (int)this_cpu()->cpu) {
		held = 0;
		let_go();
	}
}

void smp_world_stop_to_report(void)
{
	smp_world_stop();
	shell_owe_prompt();	/* the report prints over the shell CPU's prompt */
}

void smp_halt_after_report(void)
{
	unsigned int me = this_cpu()->cpu;

	smp_cpus[me].state = SMP_HALTED;
	kprintf("cpu %u halted; the other cpus go on\n", me);
	held = 0;
	let_go();
	shell_prompt_again();
	halt_forever();	/* NMIs still come: bt all and roundups are answered */
}

bool smp_world_stopped(void)
{
	return __atomic_load_n(&owner, __ATOMIC_ACQUIRE) != NO_OWNER;
}

unsigned int smp_world_owner(void)
{
	return (unsigned int)owner;
}

struct trap_frame *smp_parked_frame(unsigned int cpu)
{
	return cpu < MAX_CPUS ? world[cpu].parked : NULL;
}

int smp_world_select(unsigned int cpu)
{
	if (!smp_world_stopped() || !stop_frame())
		return errorf("nothing is stopped: cpu N chooses whose stopped context regs and bt show");
	if (cpu >= smp_cpu_count())
		return errorf("no cpu %u (cpu lists %u)", cpu, smp_cpu_count());
	if (cpu == smp_world_owner()) {
		selected = NO_OWNER;
		return ST_OK;
	}
	if (!smp_parked_frame(cpu))
		return errorf("cpu %u is not stopped (it did not answer the stop's NMI)", cpu);
	selected = (int)cpu;
	return ST_OK;
}

unsigned int smp_world_selected(void)
{
	return selected == NO_OWNER ? smp_world_owner() : (unsigned int)selected;
}

struct trap_frame *smp_world_view(void)
{
	struct trap_frame *f = selected == NO_OWNER ? NULL : smp_parked_frame((unsigned int)selected);

	return f ? f : stop_frame();
}

/* NMI context: the IRET that ends the call's NMI serialises the CPU (a
 * parked CPU's, before it runs anything again). */
static void serialise_in_nmi(void *arg)
{
	(void)arg;
}

unsigned int smp_sync_cores(void)
{
	uint64_t missing = smp_call_others(serialise_in_nmi, NULL, SMP_WORLD_TIMEOUT_MS);
	unsigned int n = 0;

	/* busy: a shell stopped on another CPU patches, the shell CPU parked
	 * in its own call; every CPU but this one is parked, and serialises
	 * by the IRET that lets it go */
	if (missing == SMP_CALL_BUSY)
		return 0;
	for (; missing; missing &= missing - 1)
		n++;
	return n;
}
