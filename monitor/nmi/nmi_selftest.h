#ifndef MONITOR_NMI_SELFTEST_H
#define MONITOR_NMI_SELFTEST_H

/* Runs every case n iterations; prints one line per case and a verdict
 * line. Returns 0 if all passed. Normal context only. */
int nmi_selftest(unsigned long n);

#endif
