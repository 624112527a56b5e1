/*
 * The "mix" workload (portable: the same file can build into a Linux user
 * program, so that our profiler and a peer profile identical instructions).
 * Three leaves run in the ratio A:B:C of executed instructions, called
 * through one parent, interleaved in rounds whose order and length come from
 * a fixed-seed PRNG, so periodic sampling cannot alias with the workload.
 */
#ifndef MONITOR_WORK_MIX_H
#define MONITOR_WORK_MIX_H

#include <stdbool.h>
#include <stdint.h>

struct work_mix_result {
	uint64_t rounds;
	uint64_t iterations[3];		/* loop iterations run by leaf a, b, c */
};

/* Instructions one leaf iteration executes (the loop body is fixed asm). */
#define WORK_MIX_INSNS_PER_ITER 2

/* Runs rounds until keep_going(ctx) says stop (checked between rounds). */
void work_mix(const unsigned int ratio[3], bool (*keep_going)(void *ctx), void *ctx,
	      struct work_mix_result *r);

void work_mix_leaf_a(uint64_t n);
void work_mix_leaf_b(uint64_t n);
void work_mix_leaf_c(uint64_t n);

#endif
