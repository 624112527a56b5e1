#include "monitor/nmi/nmi.h"	/* first: percpu_offsets.h names NMI_EXECUTING too */
#include "monitor/smp/smp_stop.h"
#include "monitor/smp/smp_nmi.h"
#include "monitor/shell/console.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

#define PARK_TIMEOUT_MS	1000	/* a loaded host can leave a vCPU unscheduled for 100 ms */

static uint64_t gen;			/* roundups so far */
static volatile uint64_t released;	/* the last roundup released */
static unsigned int depth;		/* stopped shells open on the shell CPU */
static bool held;			/* a roundup is in force */
static unsigned int selected;

/* NMI context: park until the shell CPU releases this roundup. */
static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct smp_cpu *c = &smp_cpus[this_cpu()->cpu];
	uint64_t want = __atomic_load_n(&c->park_want, __ATOMIC_ACQUIRE);

	(void)repeat;
	if (want == c->park_seen)
		return false;
	c->park_seen = want;
	if (released >= want)
		return true;	/* arrived after its release: nothing to do */
	c->park_frame = *f;
	__atomic_store_n(&c->parked, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&released, __ATOMIC_ACQUIRE) < want) {
		smp_nmi_serve_parked(c, f);
		cpu_relax();
	}
	__atomic_store_n(&c->parked, false, __ATOMIC_RELEASE);
	return true;
}

static const struct nmi_source park_source = {
	.name = "stop-the-world roundup",
	.claim_in_nmi = claim_in_nmi,
};

void smp_stop_init(void)
{
	nmi_register_source(&park_source);
}

static bool parkable(unsigned int i)
{
	return i != this_cpu()->cpu && smp_cpus[i].state != SMP_NOT_RESPONDING &&
	       smp_cpus[i].state != SMP_SHELL;
}

static void roundup(void)
{
	unsigned int asked = 0, parked = 0;
	uint64_t end;

	gen++;
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		if (parkable(i)) {
			__atomic_store_n(&smp_cpus[i].park_want, gen, __ATOMIC_RELEASE);
			apic_send_nmi(smp_cpus[i].apic_id);
			asked++;
		}
	if (!asked)
		return;
	end = rdtsc() + tsc_hz() / 1000 * PARK_TIMEOUT_MS;
	do {
		parked = 0;
		for (unsigned int i = 0; i < smp_cpu_count(); i++)
			parked += parkable(i) && smp_cpus[i].parked;
	} while (parked < asked && rdtsc() < end);
	kprintf("stopped on cpu %u; the other cpus stopped by NMI: %u of %u\n", this_cpu()->cpu,
		parked, asked);
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		if (parkable(i) && !smp_cpus[i].parked)
			kprintf("cpu %u did not stop within %u ms: it runs on\n", i, PARK_TIMEOUT_MS);
}

static void release(void)
{
	uint64_t end = rdtsc() + tsc_hz() / 1000 * PARK_TIMEOUT_MS;
	bool any;

	__atomic_store_n(&released, gen, __ATOMIC_RELEASE);
	held = false;
	selected = this_cpu()->cpu;
	/* wait until they are off: a roundup right after finds none still
	 * parked from this one */
	do {
		any = false;
		for (unsigned int i = 0; i < smp_cpu_count(); i++)
			any |= smp_cpus[i].parked;
	} while (any && rdtsc() < end);
}

void smp_world_stop(void)
{
	if (this_cpu()->cpu != 0)
		return;
	depth++;
	if (!held) {
		held = true;
		selected = 0;
		roundup();
	}
}

void smp_world_leave(bool stepping)
{
	if (this_cpu()->cpu != 0 || !depth)
		return;
	selected = 0;
	if (--depth == 0 && !stepping)
		release();
}

void smp_world_release_held(void)
{
	if (held && depth == 0 && this_cpu()->cpu == 0)
		release();
}

int smp_select(unsigned int cpu)
{
	if (!held)
		return errorf("nothing is stopped: cpu N selects a stopped CPU's context");
	if (cpu >= smp_cpu_count())
		return errorf("no cpu %u (cpu lists %u)", cpu, smp_cpu_count());
	if (cpu != this_cpu()->cpu && !smp_cpus[cpu].parked)
		return errorf("cpu %u is not stopped", cpu);
	selected = cpu;
	return 0;
}

unsigned int smp_selected(void)
{
	return held ? selected : this_cpu()->cpu;
}

const struct trap_frame *smp_selected_frame(void)
{
	unsigned int s = smp_selected();

	if (s == this_cpu()->cpu || !smp_cpus[s].parked)
		return NULL;
	return &smp_cpus[s].park_frame;
}
