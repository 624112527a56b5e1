/* TSC frequency, measured against PIT channel 2 (1.193182 MHz) with its gate
 * on port 0x61, which needs no interrupts and works under TCG and KVM. */
#include "tsc.h"
#include "cpu.h"

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61
#define CAL_MS		10
#define CAL_WINDOWS	5
#define CAL_TRIES	20	/* windows at most, while a vCPU keeps being descheduled */

static uint64_t hz, boot;

void tsc_mark_boot(void)
{
	boot = rdtsc();
}

uint64_t tsc_boot(void)
{
	return boot;
}

/* One PIT window: TSC cycles from the count's start to OUT2 going high,
 * and how uncertain both ends are. The count starts at the write of its high
 * byte, and the end lies between the last poll that saw OUT2 low and the
 * first that saw it high: the TSC is read around both, so a vCPU descheduled
 * there (a loaded host under TCG or KVM) shows up as a wide bracket instead
 * of a wrong rate. */
static uint64_t pit_window(uint64_t *uncertainty)
{
	uint32_t count = PIT_HZ * CAL_MS / 1000;
	uint64_t before, t0, low, t1;
	unsigned long spins = 0;

	outb(PIT_CMD, 0xB0);			/* ch2, lo/hi, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	before = rdtsc();
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	/* OUT2 (port 0x61 bit 5) goes high when the count reaches zero; each
	 * poll reads the TSC first, so a poll that sees it low ran after low */
	low = t0;
	for (uint64_t t = t0; ++spins < 100000000ul; t = rdtsc()) {
		if (inb(PORT_B) & 0x20)
			break;
		low = t;
	}
	t1 = rdtsc();
	*uncertainty = (t0 - before) + (t1 - low);
	return (t1 + low) / 2 - (t0 + before) / 2;
}

static unsigned int cal_windows, cal_tries;

void tsc_calibrate(void)
{
	uint8_t b = inb(PORT_B);
	uint64_t w[CAL_WINDOWS];
	unsigned int n = 0;

	outb(PORT_B, (b & ~0x02) | 0x01);	/* gate on, speaker off */
	/* windows whose brackets are narrow (1/2000 of the window), then their
	 * median: a window the host disturbed in a way the brackets cannot show
	 * (seen under a loaded TCG: one window in ten 5% off) is outvoted */
	for (int i = 0; i < CAL_TRIES && n < CAL_WINDOWS; i++) {
		uint64_t unc, d = pit_window(&unc);

		cal_tries = (unsigned int)i + 1;
		/* the last tries take any window, so there are always five */
		if (unc * 2000 <= d || i >= CAL_TRIES - CAL_WINDOWS + (int)n)
			w[n++] = d;
	}
	outb(PORT_B, b);
	for (unsigned int i = 1; i < n; i++)	/* insertion sort: a handful */
		for (unsigned int j = i; j > 0 && w[j - 1] > w[j]; j--) {
			uint64_t x = w[j];

			w[j] = w[j - 1];
			w[j - 1] = x;
		}
	cal_windows = n;
	hz = n ? w[n / 2] * (1000 / CAL_MS) : 0;
	if (hz == 0)
		hz = 1000000000ull;	/* no PIT answer: assume 1 GHz rather than divide by 0 */
}

uint64_t tsc_hz(void)
{
	return hz;
}

void tsc_calibration(unsigned int *windows, unsigned int *tries, unsigned int *ms)
{
	*windows = cal_windows;
	*tries = cal_tries;
	*ms = CAL_MS;
}
