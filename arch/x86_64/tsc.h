#ifndef ARCH_TSC_H
#define ARCH_TSC_H
#include <stdint.h>

void tsc_calibrate(void);	/* against PIT channel 2, ~10 ms */
uint64_t tsc_hz(void);
/* How the rate was found: the median of *windows PIT windows of *ms each,
 * out of *tries (windows the host disturbed are tried again). */
void tsc_calibration(unsigned int *windows, unsigned int *tries, unsigned int *ms);
uint64_t tsc_boot(void);	/* TSC at kmain entry */
void tsc_mark_boot(void);

#endif
