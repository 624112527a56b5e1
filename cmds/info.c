#include "monitor/bootinfo.h"
#include "monitor/acpi/acpi_boot.h"
#include "monitor/acpi/acpi_mmio.h"
#include "monitor/lib/string.h"
#include "monitor/shell/console_boot.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/cpuinfo.h"
#include "monitor/mem/frames.h"
#include "monitor/version.h"
#include "monitor/nmi/nmi_timer.h"
#include "monitor/debug/trap.h"
#include "profiler/pmu_live.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static int cmd_info(int argc, char **argv)
{
	const struct cpuinfo *ci = &cpuinfo;
	uint64_t up = rdtsc() - tsc_boot();
	uint64_t hz = tsc_hz();
	unsigned int windows, tries, ms;

	(void)argv;
	if (argc != 1)
		return ST_USAGE;
	kprintf("monitor: %s %s\n", MONITOR_NAME, MONITOR_VERSION);
	kprintf("cpu: %s family %u model %u stepping %u\n", ci->vendor, ci->family,
		ci->model, ci->stepping);
	if (ci->brand[0])
		kprintf("cpu brand: %s\n", ci->brand);
	kprintf("features: nx %s (%s), apic %s, x2apic %s, invariant tsc %s, hypervisor %s\n",
		yesno(ci->nx), paging_nx_enabled() ? "on" : "off", yesno(ci->apic),
		yesno(ci->x2apic), yesno(ci->tsc_invariant), yesno(ci->hypervisor));
	if (ci->hypervisor)
		kprintf("hypervisor: \"%s\" (max leaf 0x%x)\n", ci->hypervisor_sig,
			ci->hypervisor_max_leaf);
	{
		const struct pmu_info *pmu = pmu_live_info();

		if (pmu->kind == PMU_NONE)
			kprintf("pmu: none (%s)\n", pmu->why_none);
		else
			kprintf("pmu: %s, version %u, %u counters, %u bits wide%s; overflow NMI "
				"checked, prof samples from counter 0\n", pmu->kind == PMU_AMD ? "AMD" : "Intel architectural",
				pmu->version, pmu->counters, pmu->width,
				pmu->full_width ? ", full-width writes" : "");
	}
	kprintf("nmi sources: self-NMI IPI (local APIC id %u); ", apic_id());
	if (nmi_timer_available())
		kprintf("timer: HPET timer 0 (%s, %lu Hz counter) as NMI via IOAPIC pin 2; ",
			nmi_timer_one_shot() ? "one-shot" : "periodic", hpet_hz());
	else
		kprintf("timer: none (%s); ", nmi_timer_why_absent());
	kprintf("pmu: %s\n", pmu_live_info()->kind == PMU_NONE ? "none (see above)" :
		"counter 0 overflow as NMI via the APIC's LVTPC");
	kprintf("firmware: %s (%s)\n", bootinfo.firmware == FIRMWARE_UEFI ? "UEFI" : "BIOS",
		bootinfo.firmware == FIRMWARE_UEFI ? "multiboot2 EFI system table tag" :
		strcmp(bootinfo.protocol, "multiboot2") == 0 ? "no multiboot2 EFI tag" :
		"multiboot1: QEMU's loader on SeaBIOS");
	{
		const struct console_port *c = console_boot_port();
		const struct acpi_rsdp *r = acpi_boot_rsdp();
		const struct acpi_mmio *io = acpi_boot_mmio();

		if (r)
			kprintf("acpi: rsdp revision %u from %s\n", r->revision, acpi_boot_rsdp_source());
		else
			kprintf("acpi: no rsdp: %s\n", acpi_boot_rsdp_source());
		if (acpi_boot_madt())
			kprintf("acpi: %u CPUs in the MADT, %u usable\n", acpi_boot_madt()->ncpus,
				madt_usable_cpus(acpi_boot_madt()));
		else if (r)
			kprintf("acpi: %s; CPUs: the bootstrap CPU only\n", acpi_boot_madt_problem());
		kprintf("acpi: HPET at 0x%lx (%s), IOAPIC at 0x%lx (%s)\n", io->hpet, io->hpet_why,
			io->ioapic, io->ioapic_why);
		kprintf("console: I/O port 0x%x, %u baud, ", c->port, c->baud);
		if (c->irq == CONSOLE_NO_IRQ)
			kprintf("no IRQ line (idle polls): %s\n", c->why);
		else
			kprintf("IRQ %u: %s\n", c->irq, c->why);
	}
	kprintf("memory: %lu MiB usable in %u regions (%s, from the %s)\n", bootinfo.usable_bytes >> 20,
		bootinfo.mem_count, bootinfo.protocol,
		bootinfo.mem_source ? bootinfo.mem_source : "nothing");
	if (bootinfo.mem_dropped)
		kprintf("memory: %u more regions did not fit and are not used\n", bootinfo.mem_dropped);
	kprintf("frames: %lu total, %lu free, %lu used (4 KiB, below 4 GiB)\n", frames_total(),
		frames_free(), frames_total() - frames_free());
	for (unsigned int i = 0; i < bootinfo.mem_count; i++) {
		const struct mem_region *r = &bootinfo.mem[i];

		kprintf("  %016lx-%016lx %s\n", r->base, r->base + r->len - 1,
			r->type == MEM_USABLE ? "usable" : "reserved");
	}
	kprintf("cpu %u, apic id %u; spurious interrupts %lu\n", this_cpu()->cpu, ci->apic_id,
		trap_spurious_interrupts());
	tsc_calibration(&windows, &tries, &ms);
	kprintf("tsc: %lu.%03lu MHz (the median of %u PIT windows of %u ms, %u tried)\n",
		hz / 1000000, hz / 1000 % 1000, windows, ms, tries);
	kprintf("uptime: %lu.%03lu s\n", up / hz, up % hz * 1000 / hz);
	return ST_OK;
}

COMMAND(info,
	.name = "info",
	.usage = "",
	.summary = "CPU, features, PMU, NMI sources, memory, APIC id, uptime",
	.run = cmd_info);
