#include "monitor/command.h"
#include "monitor/console.h"
#include "monitor/parse.h"
#include "monitor/shell.h"
#include "monitor/string.h"
#include "profiler/profiler.h"
#include "profiler/report.h"
#include "monitor/nmi_timer.h"
#include "profiler/pmu_live.h"
#include "arch/x86_64/tsc.h"

/* Options of prof start and prof record; *used: how many words they were. */
static int parse_start(int argc, char **argv, bool record, uint64_t *hzp, bool *ccp, int *used)
{
	uint64_t hz = PROF_DEFAULT_TIMER_HZ, period = 0;
	bool callchain = false, have_event = false;
	int st, i;

	for (i = 2; i < argc; i++) {
		if (record && !strchr(argv[i], '=') && strcmp(argv[i], "callchain") != 0)
			break;		/* the command to record starts here */
		if (strncmp(argv[i], "event=", 6) == 0) {
			if (strcmp(argv[i] + 6, "timer") == 0) {
				have_event = true;
				continue;
			}
			if (strcmp(argv[i] + 6, "cycles") && strcmp(argv[i] + 6, "instructions"))
				return errorf("unknown event '%s' (cycles, instructions, timer)",
					      argv[i] + 6);
			return errorf("event %s needs a counting PMU (%s); use event=timer",
				      argv[i] + 6, pmu_live_info()->kind == PMU_NONE ?
				      pmu_live_info()->why_none : "PMU sampling is not built yet");
		} else if (strncmp(argv[i], "hz=", 3) == 0) {
			if ((st = parse_u64(argv[i] + 3, &hz)) != ST_OK)
				return errorf("bad rate '%s': %s", argv[i] + 3, status_message(st));
		} else if (strncmp(argv[i], "period=", 7) == 0) {
			if ((st = parse_u64(argv[i] + 7, &period)) != ST_OK || period == 0)
				return errorf("bad period '%s'", argv[i] + 7);
			/* the timer's period is in TSC cycles */
			hz = tsc_hz() / period;
		} else if (strcmp(argv[i], "callchain") == 0) {
			callchain = true;
		} else {
			return ST_USAGE;
		}
	}
	*used = i;
	*hzp = hz;
	*ccp = callchain;
	if (!have_event)
		kprintf("no event given: %s, so the timer NMI source\n",
			pmu_live_info()->kind == PMU_NONE ? pmu_live_info()->why_none :
			"PMU sampling is not built yet");
	return ST_OK;
}

static int prof_start_cmd_checked(uint64_t hz, bool callchain);

static int prof_start_cmd(int argc, char **argv)
{
	uint64_t hz;
	bool callchain;
	int st, used;

	if ((st = parse_start(argc, argv, false, &hz, &callchain, &used)) != ST_OK)
		return st;
	if (used < argc)
		return ST_USAGE;
	return prof_start_cmd_checked(hz, callchain);
}

static int prof_start_cmd_checked(uint64_t hz, bool callchain)
{
	switch (prof_start(hz, callchain)) {
	case PROF_OK:
		kprintf("sampling at %lu Hz from the HPET timer NMI%s\n", hz,
			callchain ? ", with callchains" : "");
		return ST_OK;
	case PROF_RUNNING:
		return errorf("already sampling (prof stop first)");
	case PROF_NO_SOURCE:
		return errorf("no NMI source to sample with: %s", nmi_timer_why_absent());
	case PROF_BAD_RATE:
		return errorf("rate %lu Hz out of range (1 to %u)", hz, PROF_MAX_HZ);
	default:
		return ST_REPORTED;
	}
}

static int prof_status_cmd(void);

/* prof record [options] COMMAND...: sample exactly while COMMAND runs (like
 * perf record -- cmd). Under -icount the timer then starts at the same
 * instruction every run, so identical runs give identical profiles. */
static int prof_record_cmd(int argc, char **argv)
{
	uint64_t hz;
	bool callchain;
	int st, used;

	if ((st = parse_start(argc, argv, true, &hz, &callchain, &used)) != ST_OK)
		return st;
	if (used >= argc)
		return errorf("prof record needs a command to run (e.g. work mix 7:2:1 500)");
	if (strcmp(argv[used], "prof") == 0)
		return errorf("prof record cannot record prof");
	if ((st = prof_start_cmd_checked(hz, callchain)) != ST_OK)
		return st;
	st = shell_exec(argc - used, argv + used);
	prof_stop();
	prof_status_cmd();
	return st;
}

static int prof_status_cmd(void)
{
	struct prof_status s;
	uint64_t hz = tsc_hz(), span, got_hz;

	prof_get_status(&s);
	span = s.tsc_stop - s.tsc_start;
	got_hz = span ? s.ticks * hz / span : 0;
	kprintf("state: %s\n", s.running ? "sampling" : "stopped");
	kprintf("source: %s\n", s.source ? s.source : "none yet");
	kprintf("rate: asked %lu Hz, achieved %lu Hz over %lu ms\n", s.hz_asked, got_hz,
		span / (hz / 1000));
	kprintf("samples: %lu, lost %lu, dropped for lack of memory %lu, callchain %s\n",
		s.samples, s.lost, s.dropped_no_memory, s.callchain ? "on" : "off");
	kprintf("nmis: %lu timer ticks, %lu nested\n", s.ticks, s.nested);
	if (s.cycles_n)
		kprintf("sample cost: min %lu avg %lu max %lu TSC cycles\n", s.cycles_min,
			s.cycles_sum / s.cycles_n, s.cycles_max);
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
		return prof_status_cmd();
	}
	if (strcmp(argv[1], "status") == 0 && argc == 2)
		return prof_status_cmd();
	if (strcmp(argv[1], "reset") == 0 && argc == 2) {
		prof_reset();
		kprintf("samples discarded\n");
		return ST_OK;
	}
	if (strcmp(argv[1], "report") == 0 && argc <= 3) {
		if (argc == 3 && (strncmp(argv[2], "top=", 4) != 0 ||
				  parse_u64(argv[2] + 4, &top) != ST_OK || top == 0))
			return errorf("bad option '%s' (top=N)", argv[2]);
		return prof_report(top);
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
	.usage = "start [event=timer] [hz=N|period=N] [callchain] | record [options] COMMAND... | "
		 "stop | status | reset | "
		 "report [top=N] | dump [folded|perf|raw]",
	.summary = "NMI sampling profiler",
	.help = "  Samples RIP (and with callchain a frame-pointer chain) from NMIs into\n"
		"  per-CPU rings in lazily mapped memory. Without a counting PMU (TCG, this\n"
		"  KVM) the HPET timer NMI drives it; default 1000 Hz, at most 50000.\n"
		"  dump frames the body between begin/end lines with a CRC-32 of it.",
	.run = cmd_prof);
