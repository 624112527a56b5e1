/* kmain: the start-up order of the monitor, one init call a line. */
#include "bootinfo.h"
#include "monitor/shell/console.h"
#include "monitor/shell/console_boot.h"
#include "cpuinfo.h"
#include "monitor/mem/frames.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_ipi.h"
#include "monitor/nmi/nmi_timer.h"
#include "monitor/debug/break_watch.h"
#include "profiler/pmu_live.h"
#include "monitor/shell/shell.h"
#include "monitor/smp/smp.h"
#include "version.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/uart.h"

static void banner(void)
{
	struct cpuinfo *ci = &cpuinfo;

	kprintf("\n%s %s - bare-metal x86_64 debug monitor and NMI sampling profiler\n",
		MONITOR_NAME, MONITOR_VERSION);
	kprintf("cpu: %s family %u model %u stepping %u%s%s\n", ci->vendor, ci->family,
		ci->model, ci->stepping, ci->brand[0] ? ", " : "", ci->brand);
	kprintf("memory: %lu MiB usable (%s%s%s)\n", bootinfo.usable_bytes >> 20,
		bootinfo.protocol, bootinfo.loader[0] ? " from " : "", bootinfo.loader);
	kprintf("type help for commands\n");
}

void kmain(uint32_t magic, uint32_t info)
{
	tsc_mark_boot();
	percpu_init(0);			/* GS base first: everything below may use this_cpu() */
	uart_init(0x3F8, 115200, 4);	/* COM1, so later steps can report */
	gdt_init();			/* TSS with the NMI, #DF and #MC IST stacks */
	idt_init();			/* every vector -> entry.S; after the TSS (IST indexes) */
	idt_load();			/* from here an exception prints a report */
	bootinfo_parse(magic, info);	/* before paging_init unmaps page 0 */
	console_boot_select();		/* serial= or ACPI SPCR; reads the EBDA pointer in page 0 */
	paging_init();			/* text read-only, NX data, guard pages unmapped */
	frames_init();			/* from the memory map; the lazy region needs it */
	cpuinfo_probe();
	tsc_calibrate();		/* PIT channel 2, no interrupts needed */
	apic_init();			/* self-NMIs; after paging (MMIO is mapped uncached) */
	nmi_init();			/* per-CPU NMI state, paint the NMI stack */
	nmi_ipi_init();			/* the first NMI source; NMIs may come from here on */
	nmi_timer_init();		/* HPET timer 0 as NMI, off until someone asks */
	break_watch_init();		/* Ctrl-C with interrupts off: on the timer's tick */
	pmu_live_detect();		/* after the IDT: its MSR probes may #GP */
	smp_init();			/* APs up; its NMI source after the others */
	pic_init();			/* 8259 off the exception vectors, all lines masked */
	uart_set_rx_irq(true);
	if (uart_irq() != UART_NO_IRQ)
		pic_unmask(uart_irq());	/* keystrokes wake the shell from HLT */
	shell_check_commands();		/* a duplicate command name stops here */
	banner();
	shell_run();
}
