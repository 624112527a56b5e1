#include "monitor/work/workloads.h"
#include "monitor/mem/lazy.h"
#include "monitor/mem/memaccess.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

#define LAZY_WORK_BYTES	(16ul << 20)	/* work lazy cycles through this much */

uint64_t work_deadline(uint64_t ms)
{
	return rdtsc() + tsc_hz() / 1000 * ms;
}

__attribute__((noinline)) uint64_t work_spin(uint64_t ms)
{
	uint64_t end = work_deadline(ms), n = 0;

	while (rdtsc() < end)
		n++;
	return n;
}

__attribute__((noinline)) uint64_t work_spin_cli(uint64_t ms)
{
	uint64_t fl = read_rflags(), n;

	cli();
	n = work_spin(ms);
	if (fl & X86_RFLAGS_IF)
		sti();
	return n;
}

/* Most of its time inside one REP MOVSB, where an NMI lands between two
 * iterations with RF=1 in its frame on real CPUs (SDM vol. 3, 17.3.1.1). */
__attribute__((noinline)) uint64_t work_rep_cli(uint64_t ms)
{
	static uint8_t src[64 << 10], dst[64 << 10];
	uint64_t fl = read_rflags(), end = work_deadline(ms), n = 0;

	cli();
	while (rdtsc() < end) {
		void *d = dst;
		const void *s = src;
		uint64_t c = sizeof(dst);

		__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
		n++;
	}
	if (fl & X86_RFLAGS_IF)
		sti();
	return n;
}

__attribute__((noinline)) uint64_t work_lazy(uint64_t ms, uint64_t *faults)
{
	uint64_t end = work_deadline(ms), n = 0;
	struct lazy_stats a, b;

	lazy_get_stats(&a);
	for (uint64_t off = 0; rdtsc() < end; off = (off + PAGE_SIZE) % LAZY_WORK_BYTES, n++) {
		if (fault_safe_write64(LAZY_BASE + off, n))
			break;		/* out of memory: stop, the caller reports */
		if (off + PAGE_SIZE == LAZY_WORK_BYTES)
			lazy_reset();	/* start over, so pages keep faulting in */
	}
	lazy_get_stats(&b);
	*faults = b.faults - a.faults;
	return n;
}

/* Each level is a real frame (noinline, and work after the call) so that
 * bt shows the whole chain. */
__attribute__((noinline)) uint64_t work_recurse(unsigned int depth)
{
	volatile uint64_t here = depth;

	if (depth > 1)
		here = work_recurse(depth - 1) + 1;
	else
		here = 1 + work_spin(1);	/* the bottom: a place to break */
	return depth > 1 ? here : 1;
}

/* uint64_t work_wild_fp_loop(uint64_t end_tsc, uint64_t rbp): spins until
 * the TSC passes end_tsc with RBP = rbp, a frame pointer into nowhere, as
 * code built without frame pointers leaves it; returns the iterations. In
 * assembly because C may not change its own frame pointer. */
__asm__(".pushsection .text\n"
	".globl work_wild_fp_loop\n"
	".type work_wild_fp_loop, @function\n"
	"work_wild_fp_loop:\n"
	"	push %rbp\n"
	"	mov %rsi, %rbp\n"
	"	xor %ecx, %ecx\n"
	"1:	inc %rcx\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	cmp %rdi, %rax\n"
	"	jb 1b\n"
	"	mov %rcx, %rax\n"
	"	pop %rbp\n"
	"	ret\n"
	".size work_wild_fp_loop, . - work_wild_fp_loop\n"
	".popsection\n");

uint64_t work_wild_fp_loop(uint64_t end_tsc, uint64_t rbp);

__attribute__((noinline)) uint64_t work_wild_fp(uint64_t ms)
{
	return work_wild_fp_loop(work_deadline(ms), WORK_WILD_FP);
}

extern volatile uint64_t scratch_area[8];

__attribute__((noinline)) uint64_t work_scratch(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		scratch_area[0] = scratch_area[0] + 1;
	return scratch_area[0];
}
