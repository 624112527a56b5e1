#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/debug/break_watch.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"
#include "monitor/work/work_mix.h"
#include "monitor/work/workloads.h"
#include "monitor/smp/smp_work.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

#define DEFAULT_MS	1000
#define MAX_MS		600000
#define MAX_DEPTH	1000

static const char *const list =
	"  mix A:B:C [ms|rounds=N]\n"
	"                   three leaves work_mix_leaf_a/b/c in the ratio A:B:C of executed\n"
	"                   instructions, through work_mix, rounds in PRNG order\n"
	"  spin [ms]        spin in work_spin\n"
	"  spin-cli [ms]    the same with interrupts off\n"
	"  rep-cli [ms]     REP MOVSB copies with interrupts off\n"
	"  lazy [ms]        touch pages of the lazy region, one after another\n"
	"  wildfp [ms]      spin with RBP in an unmapped lazy page, for callchains\n"
	"  recurse DEPTH    a call chain DEPTH deep (work_recurse), for bt\n"
	"  scratch N        N increments of scratch_area[0] (work_scratch), for watchpoints\n";

static bool before_deadline(void *ctx)
{
	return rdtsc() < *(uint64_t *)ctx;
}

static bool rounds_left(void *ctx)
{
	uint64_t *left = ctx;

	return (*left)-- > 0;
}

static int parse_ms(int argc, char **argv, int at, uint64_t *ms)
{
	int st;

	*ms = DEFAULT_MS;
	if (argc <= at)
		return ST_OK;
	if ((st = parse_u64(argv[at], ms)) != ST_OK)
		return errorf("bad time '%s': %s", argv[at], status_message(st));
	if (*ms == 0 || *ms > MAX_MS)
		return errorf("time %lu ms out of range (1 to %u)", *ms, MAX_MS);
	return ST_OK;
}

static int work_mix_cmd(int argc, char **argv)
{
	unsigned int ratio[3];
	struct work_mix_result r;
	uint64_t ms, end, t0, t1, rounds;
	int st;

	if (argc < 3 || argc > 4)
		return ST_USAGE;
	st = parse_ratio(argv[2], 1000, ratio);
	if (st == ST_NUMBER_RANGE)
		return errorf("bad ratio '%s': all zero", argv[2]);
	if (st != ST_OK)
		return errorf("bad ratio '%s': want A:B:C, each 0 to 1000", argv[2]);
	if (argc == 4 && strncmp(argv[3], "rounds=", 7) == 0) {
		/* a fixed amount of work: under -icount its TSC delta is exact */
		if (parse_u64(argv[3] + 7, &rounds) != ST_OK || rounds == 0 || rounds > 10000000)
			return errorf("bad rounds '%s' (1 to 10000000)", argv[3] + 7);
		kprintf("work mix: running %lu rounds (Ctrl-C stops it)\n", rounds);
		t0 = rdtsc();
		work_mix(ratio, rounds_left, &rounds, &r);
	} else {
		if ((st = parse_ms(argc, argv, 3, &ms)) != ST_OK)
			return st;
		kprintf("work mix: running for %lu ms (Ctrl-C stops it)\n", ms);
		t0 = rdtsc();
		end = work_deadline(ms);
		work_mix(ratio, before_deadline, &end, &r);
	}
	t1 = rdtsc();
	kprintf("work mix %u:%u:%u: %lu rounds in %lu ms (%lu tsc); leaf iterations a=%lu b=%lu "
		"c=%lu (%u instructions each)\n", ratio[0], ratio[1], ratio[2], r.rounds,
		(t1 - t0) / (tsc_hz() / 1000), t1 - t0, r.iterations[0], r.iterations[1],
		r.iterations[2], WORK_MIX_INSNS_PER_ITER);
	return ST_OK;
}

/* work NAME ARGS cpu=N on another CPU: posted, and the shell goes on. */
static int work_elsewhere(int argc, char **argv, uint64_t cpu)
{
	struct smp_job job;
	int st;

	if ((st = smp_work_parse(argc, argv, &job)) != ST_OK)
		return st;
	if (smp_post((unsigned int)cpu, &job))
		return ST_REPORTED;
	kprintf("work %s: started on cpu %lu (its line comes at a prompt once it ends)\n",
		argv[1], cpu);
	return ST_OK;
}

static int cmd_work(int argc, char **argv)
{
	uint64_t ms, n, faults, depth, fl;
	int st;

	if (argc >= 3 && strncmp(argv[argc - 1], "cpu=", 4) == 0) {
		if (parse_u64(argv[argc - 1] + 4, &n) != ST_OK || n >= smp_cpu_count())
			return errorf("bad cpu '%s' (0 to %u: cpu lists them)", argv[argc - 1] + 4,
				      smp_cpu_count() - 1);
		if (n != this_cpu()->cpu)
			return work_elsewhere(argc - 1, argv, n);
		argc--;		/* this CPU: as without cpu= */
	}
	if (argc < 2)
		return ST_USAGE;
	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		kprintf("%s", list);
		return ST_OK;
	}
	if (strcmp(argv[1], "mix") == 0) {
		break_watch_begin();
		st = work_mix_cmd(argc, argv);
		break_watch_end();
		return st;
	}
	if (strcmp(argv[1], "recurse") == 0 && argc == 3) {
		if (parse_u64(argv[2], &depth) != ST_OK || depth == 0 || depth > MAX_DEPTH)
			return errorf("bad depth '%s': 1 to %u", argv[2], MAX_DEPTH);
		kprintf("work recurse: reached depth %lu\n", work_recurse((unsigned int)depth));
		return ST_OK;
	}
	if (strcmp(argv[1], "scratch") == 0 && argc == 3) {
		if (parse_u64(argv[2], &n) != ST_OK || n == 0 || n > 1000000)
			return errorf("bad count '%s': 1 to 1000000", argv[2]);
		kprintf("work scratch: scratch_area[0] = %lu\n", work_scratch(n));
		return ST_OK;
	}
	if (argc > 3)
		return ST_USAGE;
	if ((st = parse_ms(argc, argv, 2, &ms)) != ST_OK)
		return st;
	if (strcmp(argv[1], "spin") && strcmp(argv[1], "spin-cli") && strcmp(argv[1], "rep-cli") &&
	    strcmp(argv[1], "lazy") && strcmp(argv[1], "wildfp"))
		return errorf("no workload '%s' (work list)", argv[1]);
	break_watch_begin();	/* Ctrl-C also with interrupts off */
	fl = read_rflags();
	if (strcmp(argv[1], "spin-cli") == 0 || strcmp(argv[1], "rep-cli") == 0)
		cli();		/* already off when "running" is printed */
	kprintf("work %s: running for %lu ms (Ctrl-C stops it)\n", argv[1], ms);
	if (strcmp(argv[1], "spin") == 0) {
		n = work_spin(ms);
		kprintf("work spin: %lu iterations in %lu ms\n", n, ms);
	} else if (strcmp(argv[1], "spin-cli") == 0) {
		n = work_spin_cli(ms);
		if (fl & X86_RFLAGS_IF)
			sti();
		kprintf("work spin-cli: %lu iterations in %lu ms with interrupts off\n", n, ms);
	} else if (strcmp(argv[1], "wildfp") == 0) {
		n = work_wild_fp(ms);
		kprintf("work wildfp: %lu iterations in %lu ms with rbp 0x%lx\n", n, ms,
			WORK_WILD_FP);
	} else if (strcmp(argv[1], "rep-cli") == 0) {
		n = work_rep_cli(ms);
		if (fl & X86_RFLAGS_IF)
			sti();
		kprintf("work rep-cli: %lu copies of 64 KiB in %lu ms with interrupts off\n", n, ms);
	} else {
		n = work_lazy(ms, &faults);
		kprintf("work lazy: %lu page touches, %lu faults in %lu ms\n", n, faults, ms);
	}
	break_watch_end();
	return ST_OK;
}

COMMAND(work,
	.name = "work",
	.usage = "list | mix A:B:C [ms|rounds=N] | spin [ms] | spin-cli [ms] | rep-cli [ms] | lazy [ms] | "
		 "wildfp [ms] | recurse DEPTH | scratch N  (mix and the spins also take cpu=N last: "
		 "run on CPU N, return at once)",
	.summary = "built-in workloads to break into and profile",
	.run = cmd_work);
