/*
 * Local APIC, xAPIC (MMIO) or x2APIC (MSRs): the bootstrap CPU picks the mode
 * from CPUID and every CPU then uses the same one. x2APIC where it exists,
 * because its ICR is one 64-bit MSR write carrying the destination: an IPI
 * from normal context cannot be torn by an NMI that sends one in between.
 */
#include "apic.h"
#include "cpu.h"
#include "percpu.h"

#define X2APIC_MSR_BASE		0x800	/* MSR 0x800 + (MMIO offset >> 4) */
#define X2APIC_ICR_MSR		0x830
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_ICR_INIT		(5u << 8)
#define APIC_ICR_STARTUP	(6u << 8)
#define APIC_ICR_LEVEL_ASSERT	(1u << 14)
#define APIC_ICR_ALL_BUT_SELF	(3u << 18)	/* destination shorthand */

#define APIC_EOI		0x0B0

static volatile uint32_t *apic;	/* identity-mapped, uncached (boot.S maps the top GiB UC) */
static bool x2;			/* decided by the bootstrap CPU */
uint64_t apic_eoi_reg;		/* for apic_wake.S: the xAPIC EOI's address, 0 in x2APIC mode */

static uint32_t apic_read(unsigned int reg)
{
	if (x2)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
	return apic[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
	if (x2)
		wrmsr(X2APIC_MSR_BASE + reg / 16, v);
	else
		apic[reg / 4] = v;
}

static bool x2apic_offered(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & (1u << 21);
}

bool apic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base;
	struct percpu *p = this_cpu();

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		return false;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (p->cpu == 0)
		x2 = x2apic_offered();
	apic = (volatile uint32_t *)(uintptr_t)(base & 0xfffff000ull);
	/* Disabled -> x2APIC must pass through xAPIC-enabled, and x2APIC ->
	 * xAPIC through disabled (SDM vol. 3A, 11.12.5) */
	if (!x2 && (base & MSR_APIC_BASE_X2APIC)) {
		wrmsr(MSR_IA32_APIC_BASE, base & ~(MSR_APIC_BASE_X2APIC | MSR_APIC_BASE_ENABLE));
		base &= ~MSR_APIC_BASE_X2APIC;
	}
	wrmsr(MSR_IA32_APIC_BASE, base | MSR_APIC_BASE_ENABLE);
	if (x2)
		wrmsr(MSR_IA32_APIC_BASE, base | MSR_APIC_BASE_ENABLE | MSR_APIC_BASE_X2APIC);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	apic_eoi_reg = x2 ? 0 : (uintptr_t)&apic[APIC_EOI / 4];
	p->apic_id = x2 ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
	if (p->cpu != 0) {
		/* an AP's LVTs come out of INIT masked: take external NMIs on
		 * LINT1 as the firmware set up the bootstrap CPU */
		apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
		apic_write(APIC_LVT_LINT1, APIC_LVT_NMI);
	}

	/* The entry code's test hooks send self-NMIs with one store (xAPIC:
	 * ICR high keeps this CPU's id, only cross-CPU sends borrow it) or one
	 * WRMSR (x2APIC: the whole ICR, apic_icr 0 says so); nmi_entry.S. */
	if (x2) {
		p->apic_icr = 0;
		p->self_nmi_icr = ((uint64_t)p->apic_id << 32) | APIC_ICR_NMI | APIC_ICR_ASSERT;
	} else {
		apic_write(APIC_ICR_HIGH, p->apic_id << 24);
		p->apic_icr = (uintptr_t)&apic[APIC_ICR_LOW / 4];
		p->self_nmi_icr = APIC_ICR_NMI | APIC_ICR_ASSERT;
	}
	return true;
}

unsigned int apic_id(void)
{
	return this_cpu()->apic_id;
}

bool apic_x2apic_mode(void)
{
	return x2;
}

/* x2APIC: a WRMSR to the ICR is not serialising, and the IPI may go out
 * before earlier stores are visible to the CPU it reaches (SDM vol. 3,
 * 11.12.3): the request an NMI carries must be out first. */
static inline void x2apic_icr_fence(void)
{
	__asm__ volatile("mfence; lfence" ::: "memory");
}

static void wait_icr_idle(void)
{
	if (x2)
		return;		/* x2APIC has no delivery-status bit to wait for */
	for (int i = 0; i < 100000 && (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY); i++)
		cpu_relax();
}

/* The count and the send, each in one asm statement so that the send is one
 * known instruction: an NMI taken with RIP there came after the count and
 * before the send (apic_self_nmi_unsent). noinline, noclone: one copy of the
 * labels. */
__attribute__((noinline, noclone)) void apic_send_self_nmi(volatile uint64_t *requests)
{
	wait_icr_idle();
	if (x2) {
		uint64_t v = this_cpu()->self_nmi_icr;

		/* the locked increment is a full fence before the WRMSR */
		__asm__ volatile("lock incq %0\n"
				 ".globl apic_self_nmi_send_x2apic\n"
				 "apic_self_nmi_send_x2apic:\n\t"
				 "wrmsr"
				 : "+m"(*requests)
				 : "c"(X2APIC_ICR_MSR), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
				 : "memory");
	} else {
		__asm__ volatile("lock incq %0\n"
				 ".globl apic_self_nmi_send_xapic\n"
				 "apic_self_nmi_send_xapic:\n\t"
				 "movl %2, (%1)"
				 : "+m"(*requests)
				 : "r"(&apic[APIC_ICR_LOW / 4]), "r"(APIC_ICR_NMI | APIC_ICR_ASSERT)
				 : "memory");
	}
}

extern const char apic_self_nmi_send_x2apic[], apic_self_nmi_send_xapic[];

bool apic_self_nmi_unsent(uint64_t rip)
{
	return rip == (uintptr_t)apic_self_nmi_send_x2apic ||
	       rip == (uintptr_t)apic_self_nmi_send_xapic;
}

/* xAPIC: ICR high is borrowed and given back. An NMI that sends a self-NMI
 * between the two stores would send it to dest instead; the only such
 * senders are nmi test and trap, which never run beside a cross-CPU send
 * on their CPU (shell commands, and nmi test's share on an AP, its only
 * work while it runs; nmi test's own cross-CPU sends, its posts and the
 * serialising NMIs after a patch, come between its cases). */
static void send_ipi(unsigned int dest, uint32_t low)
{
	wait_icr_idle();
	if (x2) {
		x2apic_icr_fence();
		wrmsr(X2APIC_ICR_MSR, ((uint64_t)dest << 32) | low);
		return;
	}
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
	wait_icr_idle();
	apic_write(APIC_ICR_HIGH, this_cpu()->apic_id << 24);
}

void apic_send_nmi(unsigned int dest)
{
	send_ipi(dest, APIC_ICR_NMI | APIC_ICR_ASSERT);
}

void apic_send_wake(unsigned int dest)
{
	send_ipi(dest, APIC_WAKE_VECTOR);	/* fixed delivery, edge */
}

/* The "all excluding self" shorthand: one ICR write without a destination,
 * so from NMI context too in both modes (xAPIC's ICR high is not used). */
void apic_send_nmi_all_but_self(void)
{
	uint32_t low = APIC_ICR_ALL_BUT_SELF | APIC_ICR_NMI | APIC_ICR_ASSERT;

	wait_icr_idle();
	if (x2) {
		x2apic_icr_fence();
		wrmsr(X2APIC_ICR_MSR, low);
	} else {
		apic_write(APIC_ICR_LOW, low);
	}
}

void apic_send_init(unsigned int dest)
{
	send_ipi(dest, APIC_ICR_INIT | APIC_ICR_LEVEL_ASSERT);
}

void apic_send_startup(unsigned int dest, unsigned int page)
{
	send_ipi(dest, APIC_ICR_STARTUP | (page & 0xff));
}

void apic_lvtpc_set(bool masked)
{
	if (apic)
		apic_write(APIC_LVTPC, APIC_LVT_NMI | (masked ? APIC_LVT_MASKED : 0));
}
