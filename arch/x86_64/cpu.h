/* Small inline wrappers for privileged instructions, named as the SDM names them. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

#define MSR_IA32_APIC_BASE	0x0000001B
#define MSR_IA32_EFER		0xC0000080
#define MSR_FS_BASE		0xC0000100
#define MSR_GS_BASE		0xC0000101
#define EFER_NXE		(1u << 11)

#define X86_RFLAGS_TF		(1ul << 8)
#define X86_RFLAGS_IF		(1ul << 9)
#define X86_RFLAGS_DF		(1ul << 10)
#define X86_RFLAGS_RF		(1ul << 16)	/* resume: skip instruction breakpoints once */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

/* read_cr0(), write_dr7() ...: control and debug registers */
#define DEFINE_REG_ACCESS(kind, n)					\
static inline uint64_t read_##kind##n(void)				\
{									\
	uint64_t v;							\
	__asm__ volatile("mov %%" #kind #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_##kind##n(uint64_t v)				\
{									\
	__asm__ volatile("mov %0, %%" #kind #n : : "r"(v) : "memory");	\
}
DEFINE_REG_ACCESS(cr, 0)
DEFINE_REG_ACCESS(cr, 2)
DEFINE_REG_ACCESS(cr, 3)
DEFINE_REG_ACCESS(cr, 4)

#define DR6_B0			(1ul << 0)	/* DR0's condition met */
#define DR6_BS			(1ul << 14)	/* single-step trap */
#define DR7_L0			(1ul << 0)	/* DR0 enabled, this task */
#define DR7_ENABLE_BITS		0xfful		/* L0-L3, G0-G3 */

DEFINE_REG_ACCESS(dr, 6)
DEFINE_REG_ACCESS(dr, 7)
#undef DEFINE_REG_ACCESS

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" : : : "memory"); }

/* STI's one-instruction interrupt shadow makes "sti; hlt" atomic: an
 * interrupt that became pending before the STI wakes the HLT. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
