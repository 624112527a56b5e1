#include "monitor/smp/smp_work.h"
#include "monitor/debug/trap_raise.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/status.h"
#include "monitor/lib/string.h"
#include "monitor/nmi/nmi_selftest.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/work/work_mix.h"
#include "monitor/work/workloads.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

#define DEFAULT_MS	1000	/* as work's own */
#define MAX_MS		600000

static bool timed(const char *name)
{
	return !strcmp(name, "spin") || !strcmp(name, "spin-cli") || !strcmp(name, "rep-cli");
}

int smp_work_parse(int argc, char **argv, struct smp_job *job)
{
	uint64_t v;
	unsigned int ratio[3];
	int t = 2;	/* argv index of the time */

	if (argc < 2 || argc > SMP_JOB_ARGS)
		return ST_USAGE;
	if (!strcmp(argv[1], "mix")) {
		if (argc < 3 || parse_ratio(argv[2], 1000, ratio) != ST_OK ||
		    ratio[0] + ratio[1] + ratio[2] == 0)
			return errorf("bad ratio '%s': want A:B:C, each 0 to 1000, not all 0",
				      argc < 3 ? "" : argv[2]);
		t = 3;
	} else if (!timed(argv[1])) {
		return errorf("cpu= runs spin, spin-cli, rep-cli or mix, not '%s'", argv[1]);
	}
	if (argc > t + 1)
		return ST_USAGE;
	if (argc == t + 1) {
		if (t == 3 && !strncmp(argv[t], "rounds=", 7)) {
			if (parse_u64(argv[t] + 7, &v) != ST_OK || v == 0 || v > 10000000)
				return errorf("bad rounds '%s' (1 to 10000000)", argv[t] + 7);
		} else if (parse_u64(argv[t], &v) != ST_OK || v == 0 || v > MAX_MS) {
			return errorf("bad time '%s' (1 to %u ms)", argv[t], MAX_MS);
		}
	}
	job->argc = (unsigned int)argc - 1;
	for (int i = 1; i < argc; i++) {
		if (strlen(argv[i]) >= SMP_JOB_ARG_LEN)
			return errorf("'%s' is too long", argv[i]);
		strcpy(job->argv[i - 1], argv[i]);
	}
	return ST_OK;
}

static bool before_deadline(void *ctx)
{
	return rdtsc() < *(uint64_t *)ctx;
}

static bool rounds_left(void *ctx)
{
	uint64_t *left = ctx;

	return (*left)-- > 0;
}

static void run_mix(const struct smp_job *job, char *line, size_t n)
{
	unsigned int ratio[3];
	struct work_mix_result r;
	uint64_t v = DEFAULT_MS, t0, t1;
	bool rounds = job->argc == 3 && !strncmp(job->argv[2], "rounds=", 7);

	parse_ratio(job->argv[1], 1000, ratio);
	if (job->argc == 3)
		parse_u64(job->argv[2] + (rounds ? 7 : 0), &v);
	t0 = rdtsc();
	if (rounds) {
		work_mix(ratio, rounds_left, &v, &r);
	} else {
		uint64_t end = work_deadline(v);

		work_mix(ratio, before_deadline, &end, &r);
	}
	t1 = rdtsc();
	fmt_snprintf(line, n, "work mix %u:%u:%u: %lu rounds in %lu ms; leaf iterations a=%lu "
		     "b=%lu c=%lu", ratio[0], ratio[1], ratio[2], r.rounds,
		     (t1 - t0) / (tsc_hz() / 1000), r.iterations[0], r.iterations[1],
		     r.iterations[2]);
}

void smp_work_run(const struct smp_job *job, char *line, size_t n)
{
	const char *name = job->argv[0];
	uint64_t ms = DEFAULT_MS, it;

	if (!strcmp(name, "mix")) {
		run_mix(job, line, n);
		return;
	}
	if (!strcmp(name, "trap")) {
		trap_raise(job->argv[1]);	/* its report halts this CPU */
		fmt_snprintf(line, n, "trap %s did not trap", job->argv[1]);
		return;
	}
	if (!strcmp(name, "nmi-test")) {
		nmi_selftest_ap(job, line, n);
		return;
	}
	if (job->argc == 2)
		parse_u64(job->argv[1], &ms);
	if (!strcmp(name, "spin"))
		it = work_spin(ms);
	else if (!strcmp(name, "spin-cli"))
		it = work_spin_cli(ms);
	else
		it = work_rep_cli(ms);
	fmt_snprintf(line, n, "work %s: %lu %s in %lu ms", name, it,
		     strcmp(name, "rep-cli") ? "iterations" : "copies of 64 KiB", ms);
}
