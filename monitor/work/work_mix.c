#include "monitor/work/work_mix.h"

#define UNIT 4096	/* iterations per ratio step and round length unit */

/* Each leaf: exactly WORK_MIX_INSNS_PER_ITER instructions per iteration.
 * The volatile local gives it a stack frame: GCC builds none for a function
 * that uses no stack, even with -fno-omit-frame-pointer, and a frame-pointer
 * callchain sampled inside it would then skip its caller, work_mix. */
#define LEAF(name)							\
	__attribute__((noinline)) void name(uint64_t n)			\
	{								\
		volatile uint64_t calls = n;				\
									\
		if (calls)						\
			__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc"); \
	}
LEAF(work_mix_leaf_a)
LEAF(work_mix_leaf_b)
LEAF(work_mix_leaf_c)

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

void work_mix(const unsigned int ratio[3], bool (*keep_going)(void *ctx), void *ctx,
	      struct work_mix_result *r)
{
	static void (*const leaf[3])(uint64_t) = { work_mix_leaf_a, work_mix_leaf_b,
						    work_mix_leaf_c };
	uint32_t seed = 0x2545f491;

	r->rounds = 0;
	r->iterations[0] = r->iterations[1] = r->iterations[2] = 0;
	while (keep_going(ctx)) {
		/* one round: every leaf once, in a random order, all scaled by
		 * the same random length, so every round keeps the exact ratio */
		uint32_t k = 1 + xorshift32(&seed) % 8;
		unsigned int first = xorshift32(&seed) % 3;
		unsigned int dir = 1 + xorshift32(&seed) % 2;

		for (unsigned int i = 0; i < 3; i++) {
			unsigned int l = (first + i * dir) % 3;
			uint64_t n = (uint64_t)ratio[l] * k * UNIT;

			leaf[l](n);
			r->iterations[l] += n;
		}
		r->rounds++;
	}
}
