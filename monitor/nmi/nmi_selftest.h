#ifndef MONITOR_NMI_SELFTEST_H
#define MONITOR_NMI_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

struct smp_job;

/* nmi test: every online CPU runs every case n iterations at once; prints
 * each CPU's case lines and verdict (as one block per CPU when there are
 * several) and a verdict line. Returns 0 if all passed. Shell CPU. */
int nmi_selftest(unsigned long n);

/* The pieces nmi_selftest_all.c puts together. */
struct nmi_selftest_result {
	unsigned int pass, fail, skip;
	uint64_t nmis, nested, us;
};
/* Shell CPU, before any CPU runs its cases: reads the boot options and
 * whether timer NMIs arrive (one line if they do). */
void nmi_selftest_prepare(void);
/* Where every CPU under test meets, between two cases: the entry code's
 * test hook sites are set for the cases that follow. */
enum { STEP_COPY = 1, STEP_EXIT, STEP_DONE };
/* Every CPU under test, at step: the shell CPU calls set(step) once all
 * have come (or a bound has passed), then all go on. */
void nmi_selftest_meet(unsigned int step, void (*set)(unsigned int step));
/* This CPU's share: every case, its lines through nst_say, its verdict. */
void nmi_selftest_here(unsigned long n, struct nmi_selftest_result *r);
/* An AP's job "nmi-test N" (smp_work.c): its share, then its verdict as
 * the completion line. */
void nmi_selftest_ap(const struct smp_job *job, char *line, size_t size);

#endif
