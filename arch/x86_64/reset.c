/* Machine reset: the PCI reset control register, then the keyboard
 * controller's reset line, then a deliberate triple fault as a last resort. */
#include "reset.h"
#include "cpu.h"

#define RESET_CONTROL	0xCF9
#define RST_CPU		0x04
#define RST_FULL	0x02
#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define KBC_PULSE_RESET	0xFE

void machine_reset(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	cli();
	outb(RESET_CONTROL, RST_FULL);
	outb(RESET_CONTROL, RST_FULL | RST_CPU);
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & 0x02); i++)
		cpu_relax();
	outb(KBC_CMD, KBC_PULSE_RESET);
	for (volatile int i = 0; i < 1000000; i++)
		;
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
	halt_forever();
}
