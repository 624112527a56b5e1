#include "monitor/nmi/nmi.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_nmi.h"
#include "monitor/smp/smp_prof.h"
#include "monitor/smp/smp_call.h"
#include "monitor/smp/smp_work.h"
#include "monitor/smp/smp_world.h"
#include "monitor/acpi/acpi_boot.h"
#include "monitor/debug/break_other.h"
#include "monitor/bootinfo.h"
#include "monitor/lib/fmt.h"
#include "monitor/shell/console.h"
#include "arch/x86_64/ap_start.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/tsc.h"

#define AP_TIMEOUT_MS	1000	/* from INIT to the AP's idle loop (TCG on a loaded host took over 100) */
#define TAKE_TIMEOUT_MS	1000	/* from posting a job to the AP starting it (TCG, loaded host) */
#define LOW_LIMIT	0xA0000	/* conventional memory ends here (the EBDA, VGA above) */

struct smp_cpu smp_cpus[MAX_CPUS];
static unsigned int ncpus = 1;
static char how[160] = "not probed";

unsigned int smp_cpu_count(void)
{
	return ncpus;
}

unsigned int smp_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ncpus; i++)
		n += smp_cpus[i].state != SMP_NOT_RESPONDING;
	return n;
}

const char *smp_how(void)
{
	return how;
}

/* The trampoline's page: a STARTUP IPI names a page below 1 MiB. Usable in
 * the memory map and not the boot information; the frame allocator hands
 * out nothing below 1 MiB, so no one else takes it later. */
static uint64_t low_page(void)
{
	for (uint64_t p = LOW_LIMIT - PAGE_SIZE; p >= PAGE_SIZE; p -= PAGE_SIZE) {
		bool usable = false;

		if (p < bootinfo.info_end && p + PAGE_SIZE > bootinfo.info_start)
			continue;
		for (unsigned int i = 0; i < bootinfo.mem_count; i++) {
			const struct mem_region *r = &bootinfo.mem[i];

			if (r->base <= p && r->base + r->len >= p + PAGE_SIZE)
				usable = r->type == MEM_USABLE;
			if (r->type != MEM_USABLE && r->base < p + PAGE_SIZE && r->base + r->len > p) {
				usable = false;	/* a reserved entry overlapping wins */
				break;
			}
		}
		if (usable)
			return p;
	}
	return 0;
}

static void start_aps(const struct madt_info *m, uint64_t page)
{
	unsigned int skipped = 0, beyond = 0, unreachable = 0;

	for (unsigned int i = 0; i < m->ncpus; i++) {
		const struct madt_cpu *mc = &m->cpu[i];
		struct smp_cpu *c;

		if (!mc->enabled && !mc->online_capable) {
			skipped++;
			continue;
		}
		if (mc->apic_id == smp_cpus[0].apic_id)
			continue;
		if (!apic_x2apic_mode() && mc->apic_id > 0xfe) {
			unreachable++;	/* xAPIC destinations are 8 bits, 0xff broadcast */
			continue;
		}
		if (ncpus == MAX_CPUS) {
			beyond++;
			continue;
		}
		c = &smp_cpus[ncpus];
		c->apic_id = mc->apic_id;
		if (ap_start(ncpus, mc->apic_id, page, &c->alive, AP_TIMEOUT_MS)) {
			c->state = SMP_IDLE;
		} else {
			c->state = SMP_NOT_RESPONDING;
			kprintf("cpu %u (APIC id %u): not responding %u ms after INIT-SIPI-SIPI\n",
				ncpus, mc->apic_id, AP_TIMEOUT_MS);
		}
		ncpus++;
	}
	fmt_snprintf(how, sizeof(how), "MADT: %u processor entries, %u online, %s%s%s%s",
		     m->ncpus, smp_online_count(), apic_x2apic_mode() ? "x2APIC" : "xAPIC",
		     skipped ? ", disabled entries skipped" : "",
		     beyond ? ", more than MAX_CPUS: the rest not started" : "",
		     unreachable ? ", x2APIC ids not started in xAPIC mode" : "");
}

void smp_init(void)
{
	const struct madt_info *m = acpi_boot_madt();
	uint64_t page;

	smp_cpus[0] = (struct smp_cpu){ .apic_id = apic_id(), .state = SMP_SHELL, .alive = true };
	idt_set_handler(APIC_WAKE_VECTOR, apic_wake_entry, 0);
	if (!m) {
		fmt_snprintf(how, sizeof(how), "no MADT (%s): the bootstrap CPU only",
			     acpi_boot_madt_problem());
		return;
	}
	page = low_page();
	if (!page) {
		fmt_snprintf(how, sizeof(how),
			     "no free page below 640 KiB for the AP trampoline: the bootstrap CPU only");
		return;
	}
	ap_trampoline_install(page);
	start_aps(m, page);
	if (smp_online_count() < 2)
		return;
	/* NMI sources that only another CPU's request can make claim: with
	 * one CPU they would only lengthen every NMI (the -smp 1 figures stay) */
	smp_nmi_init();
	smp_prof_init();
	smp_call_init();	/* before the park: a CPU about to park serves it first */
	smp_world_init();
	break_other_init();
}

/* "sti; hlt" as one unit: a wake-up that arrives after the look at the
 * mailbox is held by STI's one-instruction shadow until HLT runs, and ends it. */
static __attribute__((noinline)) void idle_until_posted(struct smp_cpu *c)
{
	for (;;) {
		cli();
		if (c->posted != c->taken)
			return;
		sti_hlt();
	}
}

void ap_main(unsigned int cpu)
{
	struct smp_cpu *c = &smp_cpus[cpu];

	percpu_init(cpu);
	gdt_init();		/* its own GDT and TSS: IST stacks from ist_area[cpu] */
	idt_load();		/* the one IDT */
	apic_init();		/* LINT1 as NMI, this CPU's self-NMI ICR */
	nmi_init();		/* its struct nmi_cpu, its NMI stack painted */
	__atomic_store_n(&c->alive, true, __ATOMIC_RELEASE);
	for (;;) {
		idle_until_posted(c);
		c->taken = c->posted;
		c->state = SMP_RUNNING;
		sti();		/* spin with interrupts on, spin-cli without, as on the shell CPU */
		smp_work_run(&c->job, c->done_line, sizeof(c->done_line));
		c->state = SMP_IDLE;
		__atomic_store_n(&c->done, c->taken, __ATOMIC_RELEASE);
	}
}

int smp_can_post(unsigned int cpu)
{
	struct smp_cpu *c = &smp_cpus[cpu];

	if (cpu >= ncpus)
		return errorf("no cpu %u (cpu lists %u)", cpu, ncpus);
	if (c->state == SMP_SHELL)
		return errorf("cpu %u runs the shell: leave out cpu= to run the workload here", cpu);
	if (c->state == SMP_NOT_RESPONDING)
		return errorf("cpu %u is not responding", cpu);
	if (c->state == SMP_HALTED)
		return errorf("cpu %u halted after an exception (reset the machine)", cpu);
	if (smp_parked_frame(cpu))
		return errorf("cpu %u is stopped (cont resumes it)", cpu);
	if (c->state != SMP_IDLE || c->posted != c->done)
		return errorf("cpu %u is busy running %s", cpu, c->job.argv[0]);
	return 0;
}

int smp_post(unsigned int cpu, const struct smp_job *job)
{
	struct smp_cpu *c = &smp_cpus[cpu];
	uint64_t end;
	int st = smp_can_post(cpu);

	if (st)
		return st;
	c->job = *job;
	__atomic_store_n(&c->posted, c->posted + 1, __ATOMIC_RELEASE);
	apic_send_wake(c->apic_id);
	end = rdtsc() + tsc_hz() / 1000 * TAKE_TIMEOUT_MS;
	while (c->taken != c->posted && rdtsc() < end)
		cpu_relax();
	if (c->taken != c->posted)
		return errorf("cpu %u did not take the workload within %u ms", cpu, TAKE_TIMEOUT_MS);
	return 0;
}

void smp_print_done(void)
{
	for (unsigned int i = 1; i < ncpus; i++) {
		struct smp_cpu *c = &smp_cpus[i];

		if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != c->reported) {
			kprintf("cpu %u: %s\n", i, c->done_line);
			c->reported = c->done;
		}
	}
}
