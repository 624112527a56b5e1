#include "ap_start.h"
#include "apic.h"
#include "cpu.h"
#include "percpu.h"
#include "tsc.h"
#include "monitor/lib/string.h"

#define EFER_LMA	(1ull << 10)	/* set by the CPU, not by us */

extern const char ap_trampoline[], ap_trampoline_end[];

/* ap_boot.S reads these by offset */
struct ap_boot_params {
	uint64_t cr3, cr4, efer, stack, cpu;
};
extern struct ap_boot_params ap_boot_params;
_Static_assert(sizeof(struct ap_boot_params) == 40, "ap_boot.S reserves 40 bytes");

void ap_trampoline_install(uint64_t phys)
{
	memcpy((void *)(uintptr_t)phys, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
}

static void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_hz() / 1000000 * us;

	while (rdtsc() < end)
		cpu_relax();
}

bool ap_start(unsigned int cpu, unsigned int apic_id, uint64_t trampoline_phys,
	      volatile bool *alive, uint64_t timeout_ms)
{
	uint64_t end;

	ap_boot_params = (struct ap_boot_params){
		.cr3 = read_cr3(),
		.cr4 = read_cr4(),
		.efer = rdmsr(MSR_IA32_EFER) & ~EFER_LMA,
		.stack = (uintptr_t)ap_stacks[cpu].stack + AP_STACK_SIZE,
		.cpu = cpu,
	};
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* SDM vol. 3A, 9.4.4.1: INIT, 10 ms, STARTUP, 200 us, STARTUP. A
	 * STARTUP that finds the CPU already running is ignored. */
	apic_send_init(apic_id);
	delay_us(10000);
	apic_send_startup(apic_id, (unsigned int)(trampoline_phys >> 12));
	delay_us(200);
	if (!*alive)
		apic_send_startup(apic_id, (unsigned int)(trampoline_phys >> 12));
	end = rdtsc() + tsc_hz() / 1000 * timeout_ms;
	while (!*alive && rdtsc() < end)
		cpu_relax();
	return *alive;
}
