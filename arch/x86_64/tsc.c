/* TSC frequency, measured against PIT channel 2 (1.193182 MHz) with its gate
 * on port 0x61, which needs no interrupts and works under TCG and KVM. */
#include "tsc.h"
#include "cpu.h"

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61
#define CAL_MS		10

static uint64_t hz, boot;

void tsc_mark_boot(void)
{
	boot = rdtsc();
}

uint64_t tsc_boot(void)
{
	return boot;
}

void tsc_calibrate(void)
{
	uint32_t count = PIT_HZ * CAL_MS / 1000;
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1;
	unsigned long spins = 0;

	outb(PORT_B, (b & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(PIT_CMD, 0xB0);			/* ch2, lo/hi, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	/* OUT2 (port 0x61 bit 5) goes high when the count reaches zero */
	while (!(inb(PORT_B) & 0x20) && ++spins < 100000000ul)
		;
	t1 = rdtsc();
	outb(PORT_B, b);
	hz = (t1 - t0) * (1000 / CAL_MS);
	if (hz == 0)
		hz = 1000000000ull;	/* no PIT answer: assume 1 GHz rather than divide by 0 */
}

uint64_t tsc_hz(void)
{
	return hz;
}
