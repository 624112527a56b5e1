#include "text_poke.h"
#include <stdbool.h>
#include "cpu.h"

#define CR0_WP (1ul << 16)

/* in the breakpoint trap path: protected_range() refuses breakpoints here */
__attribute__((section(".text.debugpath")))
void text_poke(void *dst, const void *src, size_t n)
{
	uint64_t flags = read_rflags();
	uint64_t cr0;
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	cli();
	cr0 = read_cr0();
	write_cr0(cr0 & ~CR0_WP);
	if (n <= 8 && ((uintptr_t)dst & 7) + n <= 8) {
		/* One store: an NMI (which may run this very code) arrives before
		 * or after it, never sees half an instruction. A compare-and-swap:
		 * another CPU may patch other bytes of the word at the same time
		 * (bp del here, a stale int3's byte written back there). */
		volatile uint64_t *w = (volatile uint64_t *)((uintptr_t)dst & ~7ul);
		uint64_t old = *w, v;
		unsigned int shift = ((uintptr_t)dst & 7) * 8;

		do {
			v = old;
			for (size_t i = 0; i < n; i++) {
				v &= ~(0xffull << (shift + 8 * i));
				v |= (uint64_t)s[i] << (shift + 8 * i);
			}
		} while (!__atomic_compare_exchange_n(w, &old, v, false, __ATOMIC_SEQ_CST,
						      __ATOMIC_RELAXED));
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
	write_cr0(cr0);
	/* same-CPU code modification is detected by the hardware; the
	 * serializing CR0 write settles it in any case (SDM vol. 3A, 8.1.3) */
	if (flags & X86_RFLAGS_IF)
		sti();
}
