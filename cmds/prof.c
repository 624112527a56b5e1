#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/shell/shell.h"
#include "monitor/lib/string.h"
#include "profiler/profiler.h"
#include "profiler/report.h"
#include "monitor/nmi/nmi_timer.h"
#include "profiler/pmu_live.h"
#include "profiler/sample_ring.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_prof.h"
#include "monitor/smp/smp_call.h"
#include "arch/x86_64/tsc.h"

static const char *no_pmu_why(void)
{
	return pmu_live_info()->why_none;
}

/* Options of prof start and prof record; *used: how many words they were.
 * Without event=: the PMU's cycles where a counting PMU exists, the timer
 * NMI source otherwise. hz= is NMIs per second for the timer and becomes a
 * period of TSC-rate cycles for the PMU; period= is TSC cycles for the
 * timer and events for the PMU. */
static int parse_start(int argc, char **argv, bool record, struct prof_config *c, int *used)
{
	const char *event = NULL;
	uint64_t hz = 0, period = 0;
	bool pmu = pmu_live_info()->kind != PMU_NONE;
	int st, i;

	*c = (struct prof_config){ 0 };
	for (i = 2; i < argc; i++) {
		if (record && !strchr(argv[i], '=') && strcmp(argv[i], "callchain") != 0)
			break;		/* the command to record starts here */
		if (strncmp(argv[i], "event=", 6) == 0) {
			event = argv[i] + 6;
		} else if (strncmp(argv[i], "hz=", 3) == 0) {
			if ((st = parse_u64(argv[i] + 3, &hz)) != ST_OK)
				return errorf("bad rate '%s': %s", argv[i] + 3, status_message(st));
			if (hz == 0 || hz > PROF_MAX_HZ)
				return errorf("rate %lu Hz out of range (1 to %u)", hz, PROF_MAX_HZ);
			period = 0;
		} else if (strncmp(argv[i], "period=", 7) == 0) {
			if ((st = parse_u64(argv[i] + 7, &period)) != ST_OK || period == 0)
				return errorf("bad period '%s'", argv[i] + 7);
			hz = 0;
		} else if (strcmp(argv[i], "callchain") == 0) {
			c->callchain = true;
		} else {
			return ST_USAGE;
		}
	}
	*used = i;
	if (event && strcmp(event, "timer") == 0) {
		pmu = false;
	} else if (event && strcmp(event, "cycles") && strcmp(event, "instructions")) {
		return errorf("unknown event '%s' (cycles, instructions, timer)", event);
	} else if (event && !pmu) {
		return errorf("event %s needs a counting PMU (%s); use event=timer", event,
			      no_pmu_why());
	} else if (!event && !pmu) {
		kprintf("no event given: %s, so the timer NMI source\n", no_pmu_why());
	}
	if (!pmu) {
		c->source = PROF_SRC_TIMER;
		c->hz = period ? tsc_hz() / period : hz ? hz : PROF_DEFAULT_TIMER_HZ;
		/* the shortest period is the first whose rate, rounded down as
		 * above, is at most PROF_MAX_HZ */
		if (c->hz == 0 || c->hz > PROF_MAX_HZ)
			return errorf("period %lu TSC cycles out of range (%lu to %lu)", period,
				      tsc_hz() / (PROF_MAX_HZ + 1) + 1, tsc_hz());
		return ST_OK;
	}
	c->source = PROF_SRC_PMU;
	c->event = event && strcmp(event, "instructions") == 0 ? PMU_INSTRUCTIONS : PMU_CYCLES;
	c->period = period ? period : tsc_hz() / (hz ? hz : PROF_DEFAULT_PMU_HZ);
	if (c->period < prof_min_pmu_period())
		return errorf("period %lu events too short (at least %lu, at most %u samples/s)",
			      c->period, prof_min_pmu_period(), PROF_MAX_HZ);
	return ST_OK;
}

static int prof_start_cmd_checked(const struct prof_config *c);

static int prof_start_cmd(int argc, char **argv)
{
	struct prof_config c;
	int st, used;

	if ((st = parse_start(argc, argv, false, &c, &used)) != ST_OK)
		return st;
	if (used < argc)
		return ST_USAGE;
	return prof_start_cmd_checked(&c);
}

/* Each CPU programs its own counter (pmu_live.h): the ones that did not
 * are named, and are not sampled. */
static unsigned int pmu_cpus_armed(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < smp_cpu_count(); i++) {
		if (pmu_live_cpu_armed(i))
			n++;
		else if (smp_call_reaches(i))
			kprintf("note: cpu %u did not start its counter (no answer within %u ms, "
				"or its MSRs refused): cpu %u is not sampled\n", i,
				PMU_CALL_TIMEOUT_MS, i);
	}
	return n;
}

static void pmu_cpus_not_stopped(void)
{
	for (unsigned int i = 0; i < smp_cpu_count(); i++)
		if (pmu_live_cpu_armed(i))
			kprintf("note: cpu %u did not stop its counter (no answer within %u ms): "
				"its overflow NMIs are claimed and sample nothing\n", i,
				PMU_CALL_TIMEOUT_MS);
}

static int prof_start_cmd_checked(const struct prof_config *c)
{
	const char *cc = c->callchain ? ", with callchains" : "";

	switch (prof_start(c)) {
	case PROF_OK:
		if (c->source == PROF_SRC_PMU) {
			unsigned int n = pmu_cpus_armed();

			kprintf("sampling at about %lu Hz from PMU counter 0, every %lu %s%s",
				tsc_hz() / c->period, c->period,
				c->event == PMU_CYCLES ? "cycles" : "instructions", cc);
			kprintf(smp_cpu_count() > 1 ? ", on %u cpus\n" : "\n", n);
		} else
			kprintf("sampling at %lu Hz from the HPET timer NMI%s\n", c->hz, cc);
		return ST_OK;
	case PROF_RUNNING:
		return errorf("already sampling (prof stop first)");
	case PROF_NO_SOURCE:
		return errorf("no NMI source to sample with: %s", c->source == PROF_SRC_PMU ?
			      no_pmu_why() : nmi_timer_why_absent());
	case PROF_BAD_RATE:
		return errorf("rate out of range (1 to %u Hz)", PROF_MAX_HZ);
	case PROF_PMU_FAULT:
		return errorf("PMU counter 0 refused to be programmed (an MSR faulted)");
	default:
		return ST_REPORTED;
	}
}

static int prof_status_cmd(void);

static void record_stop(void)
{
	prof_stop();
}

/* prof record [options] COMMAND...: sample exactly while COMMAND runs (like
 * perf record -- cmd), after discarding earlier samples. Under -icount the timer then starts at the same
 * instruction every run, so identical runs give identical profiles. */
static int prof_record_cmd(int argc, char **argv)
{
	struct prof_status s;
	struct prof_config c;
	int st, used;

	if ((st = parse_start(argc, argv, true, &c, &used)) != ST_OK)
		return st;
	if (used >= argc)
		return errorf("prof record needs a command to run (e.g. work mix 7:2:1 500)");
	if (strcmp(argv[used], "prof") == 0)
		return errorf("prof record cannot record prof");
	prof_get_status(&s);
	if (s.running)
		return errorf("already sampling (prof stop first)");
	/* like perf record's new perf.data: the report is of this command alone */
	if (s.samples || s.lost) {
		kprintf("discarding %lu earlier samples (%lu lost)\n", s.samples, s.lost);
		prof_reset();
	}
	if ((st = prof_start_cmd_checked(&c)) != ST_OK)
		return st;
	shell_undo_on_abort(record_stop);	/* a fault in COMMAND stops it too */
	st = shell_exec(argc - used, argv + used);
	shell_undo_cancel(record_stop);
	prof_stop();
	pmu_cpus_not_stopped();
	prof_status_cmd();
	return st;
}

/* With more than one CPU: each CPU's ring, and the fan-out's per-AP ledger
 * (monitor/smp/smp_prof.h: sent = taken + merged + pending), or each CPU's
 * counter overflows since boot (every CPU samples from its own PMU). */
static void status_per_cpu(bool pmu)
{
	for (unsigned int c = 0; c < smp_cpu_count(); c++) {
		struct sample_ring *r = prof_ring(c);
		struct smp_prof_counts k;

		smp_prof_get(c, &k);
		kprintf("  cpu %u: samples %lu, lost %lu", c, r->slots ? sample_ring_count(r) : 0,
			r->lost);
		if (pmu)
			kprintf(", counter %s, overflows since boot %lu",
				pmu_live_cpu_armed(c) ? "on" : "off", pmu_live_cpu_overflows(c));
		else if (c > 0)
			kprintf(", fan-out NMIs sent %lu, taken %lu, merged %lu", k.sent, k.taken,
				k.merged);
		kprintf("\n");
	}
}

static int prof_status_cmd(void)
{
	struct prof_status s;
	uint64_t hz = tsc_hz(), span, got_hz;

	prof_get_status(&s);
	span = s.tsc_stop - s.tsc_start;
	got_hz = span && s.tickers ? s.ticks * hz / span / s.tickers : 0;
	kprintf("state: %s\n", s.running ? "sampling" : "stopped");
	kprintf("source: %s\n", s.source ? s.source : "none yet");
	kprintf("rate: asked %lu Hz, achieved %lu Hz%s over %lu ms\n", s.hz_asked, got_hz,
		s.tickers > 1 ? " a cpu" : "",
		span / (hz / 1000));
	kprintf("samples: %lu, lost %lu, dropped for lack of memory %lu, callchain %s\n",
		s.samples, s.lost, s.dropped_no_memory, s.cfg.callchain ? "on" : "off");
	if (smp_cpu_count() > 1)
		status_per_cpu(s.source && s.cfg.source == PROF_SRC_PMU);
	kprintf("nmis: %lu %s, %lu nested", s.ticks,
		s.source && s.cfg.source == PROF_SRC_PMU ? "counter overflows" : "timer ticks",
		s.nested);
	if (s.source && s.cfg.source == PROF_SRC_TIMER) {
		struct nmi_timer_stats t;

		nmi_timer_get_stats(&t);
		kprintf(", %lu early duplicate ticks dropped since boot", t.early_dropped);
		if (!nmi_timer_wide())
			kprintf(", %lu counter wraps (32-bit)", t.wraps);
	}
	kprintf("\n");
	if (s.cycles_n)
		kprintf("sample cost: min %lu avg %lu max %lu TSC cycles (%lu samples timed, 1 in %u)\n",
			s.cycles_min, s.cycles_sum / s.cycles_n, s.cycles_max, s.cycles_n,
			PROF_COST_EVERY);
	return ST_OK;
}

static int cmd_prof(int argc, char **argv)
{
	uint64_t top = 20;

	if (argc < 2)
		return ST_USAGE;
	if (strcmp(argv[1], "start") == 0)
		return prof_start_cmd(argc, argv);
	if (strcmp(argv[1], "record") == 0)
		return prof_record_cmd(argc, argv);
	if (strcmp(argv[1], "stop") == 0 && argc == 2) {
		if (prof_stop() != PROF_OK)
			return errorf("not sampling");
		pmu_cpus_not_stopped();
		return prof_status_cmd();
	}
	if (strcmp(argv[1], "status") == 0 && argc == 2)
		return prof_status_cmd();
	if (strcmp(argv[1], "reset") == 0 && argc == 2) {
		prof_reset();
		kprintf("samples discarded\n");
		return ST_OK;
	}
	if (strcmp(argv[1], "report") == 0 && argc <= 4) {
		uint64_t cpu = UINT64_MAX;	/* every CPU */

		for (int i = 2; i < argc; i++) {
			if (strncmp(argv[i], "top=", 4) == 0 && parse_u64(argv[i] + 4, &top) == ST_OK &&
			    top > 0)
				continue;
			if (strncmp(argv[i], "cpu=", 4) == 0 && parse_u64(argv[i] + 4, &cpu) == ST_OK &&
			    cpu < smp_cpu_count())
				continue;
			return errorf("bad option '%s' (top=N, cpu=0 to %u)", argv[i],
				      smp_cpu_count() - 1);
		}
		return prof_report(top, cpu == UINT64_MAX ? -1 : (int)cpu);
	}
	if (strcmp(argv[1], "check") == 0 && argc == 3) {
		unsigned int ratio[3];

		if (parse_ratio(argv[2], 1000, ratio) != ST_OK)
			return errorf("bad ratio '%s': want A:B:C, each 0 to 1000, not all zero",
				      argv[2]);
		return prof_check_mix(ratio);
	}
	if (strcmp(argv[1], "dump") == 0 && argc <= 3) {
		const char *f = argc == 3 ? argv[2] : "folded";

		if (strcmp(f, "folded") == 0)
			return prof_dump(DUMP_FOLDED);
		if (strcmp(f, "perf") == 0)
			return prof_dump(DUMP_PERF);
		if (strcmp(f, "raw") == 0)
			return prof_dump(DUMP_RAW);
		return errorf("unknown dump format '%s' (folded, perf, raw)", f);
	}
	return ST_USAGE;
}

COMMAND(prof,
	.name = "prof",
	.usage = "start [event=cycles|instructions|timer] [hz=N|period=N] [callchain] | record [options] COMMAND... | "
		 "stop | status | reset | "
		 "report [top=N] [cpu=N] | dump [folded|perf|raw] | check A:B:C",
	.summary = "NMI sampling profiler",
	.help = "  Samples RIP (and with callchain a frame-pointer chain) from NMIs into\n"
		"  per-CPU rings in lazily mapped memory, from PMU counter 0's overflow NMI\n"
		"  (default cycles at 4000 Hz) or, without a counting PMU (TCG, this KVM),\n"
		"  the HPET timer NMI (default 1000 Hz); at most 50000 samples/s. PMU\n"
		"  period= counts events, the timer's TSC cycles.\n"
		"  record discards earlier samples, then samples exactly while COMMAND runs.\n"
		"  dump frames the body between begin/end lines with a CRC-32 of it.\n"
		"  check A:B:C compares work mix's leaves' sampled shares with that ratio.",
	.run = cmd_prof);
