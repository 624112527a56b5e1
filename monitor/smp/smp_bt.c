#include "monitor/smp/smp_bt.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_nmi.h"
#include "monitor/smp/smp_world.h"
#include "monitor/debug/backtrace.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/symbols.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "arch/x86_64/cpu.h"

const char *smp_state_name(unsigned int cpu, char *buf, unsigned int n)
{
	const struct smp_cpu *c = &smp_cpus[cpu];

	if (cpu != 0 && (smp_parked_frame(cpu) ||
			 (smp_world_stopped() && cpu == smp_world_owner()))) {
		fmt_snprintf(buf, n, "stopped (%s)", c->state == SMP_RUNNING ? c->job.argv[0] :
			     c->state == SMP_HALTED ? "halted" : "idle");
		return buf;
	}
	switch (c->state) {
	case SMP_SHELL:
		return shell_is_stopped() ? "stopped" : "shell";
	case SMP_IDLE:
		return "idle";
	case SMP_RUNNING:
		fmt_snprintf(buf, n, "running %s", c->job.argv[0]);
		return buf;
	case SMP_NOT_RESPONDING:
		return "not responding";
	case SMP_HALTED:
		return "halted (exception)";
	default:
		return "absent";
	}
}

static void print_snapshot(const struct smp_snapshot *s)
{
	char sym[96];

	kprintf("  interrupted with interrupts %s, rsp %016lx rbp %016lx\n",
		(s->rflags & X86_RFLAGS_IF) ? "on" : "off", s->rsp, s->rbp);
	kprintf("  #0  0x%016lx %s\n", s->rip, symtab_format(&kernel_symtab, s->rip, sym, sizeof(sym)));
	for (unsigned int i = 0; i < s->nret; i++)
		kprintf("  #%-2u 0x%016lx %s\n", i + 1, s->ret[i],
			symtab_format_return(&kernel_symtab, s->ret[i], sym, sizeof(sym)));
	if (s->walk_faulted)
		kprintf("  (frame pointer unreadable: walk ends)\n");
	else if (s->nret == SMP_BT_FRAMES)
		kprintf("  (more frames not shown)\n");
}

void smp_bt_all(const struct trap_frame *here)
{
	unsigned int self = this_cpu()->cpu;
	uint64_t req = smp_nmi_backtrace_all(SMP_BT_TIMEOUT_MS);
	char buf[48];

	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		const struct smp_cpu *c = &smp_cpus[i];
		const struct trap_frame *parked;

		kprintf("cpu %u (APIC id %u): %s\n", i, c->apic_id, smp_state_name(i, buf, sizeof(buf)));
		if (i == self)
			backtrace_print(here->rip, here->rbp, here->rsp);
		else if ((parked = smp_parked_frame(i)))
			backtrace_print(parked->rip, parked->rbp, parked->rsp);
		else if (c->state == SMP_NOT_RESPONDING)
			kprintf("  (never came up: no backtrace)\n");
		else if (__atomic_load_n(&c->bt_done, __ATOMIC_ACQUIRE) != req)
			kprintf("  did not answer the NMI within %u ms\n", SMP_BT_TIMEOUT_MS);
		else
			print_snapshot(&c->snap);
	}
}
