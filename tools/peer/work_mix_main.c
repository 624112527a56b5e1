/*
 * `work mix` as a Linux user program, for the peer benchmark (make bench-peer).
 *
 * Links the monitor's own monitor/work/work_mix.c unchanged, so perf in the guest
 * samples the same leaf instructions our profiler samples in the monitor.
 * Usage: work_mix A:B:C ROUNDS. Prints one line, the shape of the monitor's
 * `work mix` line, with the RDTSC delta around the rounds: under QEMU TCG
 * with -icount shift=S,sleep=off the TSC advances 2^S per instruction, so the
 * delta is an exact instruction count (PERFORMANCE.md), interrupts included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#include "monitor/work/work_mix.h"

static bool rounds_left(void *ctx)
{
	uint64_t *left = ctx;

	return (*left)-- > 0;
}

static int parse_ratio(const char *s, unsigned int ratio[3])
{
	char tail;

	if (sscanf(s, "%u:%u:%u%c", &ratio[0], &ratio[1], &ratio[2], &tail) != 3)
		return -1;
	if (ratio[0] > 1000 || ratio[1] > 1000 || ratio[2] > 1000 ||
	    ratio[0] + ratio[1] + ratio[2] == 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int ratio[3];
	struct work_mix_result r;
	uint64_t rounds, t0, t1;
	char *end;

	if (argc != 3 || parse_ratio(argv[1], ratio) != 0) {
		fprintf(stderr, "usage: work_mix A:B:C ROUNDS (each 0 to 1000, not all 0)\n");
		return 2;
	}
	rounds = strtoull(argv[2], &end, 10);
	if (*end || rounds == 0) {
		fprintf(stderr, "work_mix: bad rounds '%s'\n", argv[2]);
		return 2;
	}
	/* the same bracket as cmds/work.c: the TSC read right around work_mix */
	t0 = __rdtsc();
	work_mix(ratio, rounds_left, &rounds, &r);
	t1 = __rdtsc();
	printf("work mix %u:%u:%u: %llu rounds (%llu tsc); leaf iterations a=%llu b=%llu "
	       "c=%llu (%u instructions each)\n", ratio[0], ratio[1], ratio[2],
	       (unsigned long long)r.rounds, (unsigned long long)(t1 - t0),
	       (unsigned long long)r.iterations[0], (unsigned long long)r.iterations[1],
	       (unsigned long long)r.iterations[2], WORK_MIX_INSNS_PER_ITER);
	return 0;
}
