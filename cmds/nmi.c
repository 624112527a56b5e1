#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_selftest.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"
#include "monitor/debug/trap_names.h"
#include "monitor/smp/smp.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

static void print_stats(void)
{
	struct percpu *p = this_cpu();
	const struct nmi_stats *s = &p->nmi->stats;
	struct nmi_log_entry e;
	uint64_t nested = nmi_nested_count(), window = nmi_window_count();
	bool any = false;

	kprintf("cpu %u:\n", p->cpu);
	kprintf("  total %lu: first-level %lu, nested %lu, in repeat window %lu\n",
		s->first + nested + window, s->first, nested, window);
	kprintf("  passes: repeats %lu, handled %lu, unknown %lu, swallowed %lu, "
		"c-latch entries %lu\n", s->repeats, s->handled, s->unknown, s->swallowed,
		s->latched);
	kprintf("  faults in NMI:");
	for (unsigned int v = 0; v < 32; v++)
		if (s->faults[v]) {
			kprintf(" %s %lu", trap_mnemonic(v), s->faults[v]);
			any = true;
		}
	kprintf("%s\n", any ? "" : " none");
	kprintf("  deepest stack use: %lu of %lu bytes\n", nmi_stack_deepest(), nmi_stack_usable());
	if (s->timed)
		kprintf("  handler cycles: min %lu avg %lu max %lu (%lu passes timed)\n",
			s->cycles_min, s->cycles_sum / s->timed, s->cycles_max, s->timed);
	else
		kprintf("  handler cycles: no NMI yet\n");
	kprintf("  debug-unmask: %s\n", p->nmi->debug_unmask ? "on" : "off");
	kprintf("  console input read in NMI: %lu bytes, dropped (input ring full): %lu bytes\n",
		console_rx_taken_in_nmi(), console_rx_dropped_in_nmi());
	kprintf("nmi log:%s\n", p->nmi->log.head == p->nmi->log.tail ? " empty" : "");
	while (nmi_log_get(&p->nmi->log, &e))
		kprintf("  tsc %lu pass %u: %s 0x%lx\n", e.tsc - tsc_boot(), e.pass,
			nmi_log_event_name(e.event), e.arg);
	if (p->nmi->log.dropped)
		kprintf("  (%lu entries dropped: log full)\n", p->nmi->log.dropped);
}

/* The other CPUs' counters (their NMI logs stay theirs: a log has one
 * consumer, its own CPU). */
static void print_others(void)
{
	for (unsigned int c = 0; c < smp_cpu_count(); c++) {
		const struct percpu *p = &percpu_area[c];
		const struct nmi_stats *s;

		if (c == this_cpu()->cpu || !p->nmi)
			continue;
		s = &p->nmi->stats;
		kprintf("cpu %u: first-level %lu, nested %lu, passes handled %lu, unknown %lu, "
			"repeats %lu, c-latch entries %lu\n", c, s->first,
			((const uint64_t *)(uintptr_t)p->nmi_top)[NMI_SPARE_NESTED / 8], s->handled,
			s->unknown, s->repeats, s->latched);
	}
}

static int cmd_nmi(int argc, char **argv)
{
	uint64_t n = 1000;
	int st;

	if (argc == 1) {
		print_stats();
		print_others();
		return ST_OK;
	}
	if (strcmp(argv[1], "test") == 0 && argc <= 3) {
		if (argc == 3 && (st = parse_u64(argv[2], &n)) != ST_OK)
			return errorf("bad count '%s': %s", argv[2], status_message(st));
		if (n == 0 || n > 10000000)
			return errorf("count %lu out of range (1 to 10000000)", n);
		return nmi_selftest(n) == 0 ? ST_OK : ST_REPORTED;
	}
	if (strcmp(argv[1], "debug-unmask") == 0 && argc == 3) {
		if (strcmp(argv[2], "on") == 0)
			nmi_this_cpu()->debug_unmask = true;
		else if (strcmp(argv[2], "off") == 0)
			nmi_this_cpu()->debug_unmask = false;
		else
			return ST_USAGE;
		kprintf("debug-unmask %s: every NMI pass %s NMIs with an early IRET\n", argv[2],
			nmi_this_cpu()->debug_unmask ? "unblocks" : "no longer unblocks");
		return ST_OK;
	}
	return ST_USAGE;
}

COMMAND(nmi,
	.name = "nmi",
	.usage = "[test [n] | debug-unmask on|off]",
	.summary = "NMI statistics and log; test forces every nesting window",
	.help = "  nmi               per-CPU counts, faults taken in NMI context, deepest\n"
		"                    NMI stack use, handler cycles, then the drained NMI log\n"
		"  nmi test [n]      the nested-NMI self-test, n iterations per case (1000),\n"
		"                    on every online CPU at once (one block per CPU)\n"
		"  nmi debug-unmask  every NMI opens the NMI window at once with an IRET, so\n"
		"                    the nested paths run all the time (testing)",
	.run = cmd_nmi);
