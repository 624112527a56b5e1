#include "apic.h"
#include "cpu.h"
#include "percpu.h"

static volatile uint32_t *apic;	/* identity-mapped, uncached (boot.S maps the top GiB UC) */
static unsigned int id;

static uint32_t apic_read(unsigned int reg)
{
	return apic[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
	apic[reg / 4] = v;
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
	if (base & MSR_APIC_BASE_X2APIC) {
		/* x2APIC -> xAPIC is only allowed through disabled (SDM vol. 3A, 11.12.5) */
		wrmsr(MSR_IA32_APIC_BASE, base & ~(MSR_APIC_BASE_X2APIC | MSR_APIC_BASE_ENABLE));
		base &= ~MSR_APIC_BASE_X2APIC;
	}
	wrmsr(MSR_IA32_APIC_BASE, base | MSR_APIC_BASE_ENABLE);
	apic = (volatile uint32_t *)(uintptr_t)(base & 0xfffff000ull);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	id = apic_read(APIC_ID) >> 24;

	/* The entry code's test hooks send self-NMIs with one store: keep the
	 * destination in ICR high (nobody else writes it) and the low word's
	 * value and address per CPU. */
	apic_write(APIC_ICR_HIGH, id << 24);
	p->apic_id = id;
	p->apic_icr = (uintptr_t)&apic[APIC_ICR_LOW / 4];
	p->self_nmi_icr = APIC_ICR_NMI | APIC_ICR_ASSERT;
	return true;
}

unsigned int apic_id(void)
{
	return id;
}

void apic_send_self_nmi(void)
{
	for (int i = 0; i < 100000 && (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY); i++)
		cpu_relax();
	apic_write(APIC_ICR_LOW, APIC_ICR_NMI | APIC_ICR_ASSERT);
}

void apic_lvtpc_set(bool masked)
{
	if (apic)
		apic_write(APIC_LVTPC, APIC_LVT_NMI | (masked ? APIC_LVT_MASKED : 0));
}
