/*
 * The workloads another CPU can run (work NAME ARGS cpu=N): spin, spin-cli,
 * rep-cli and mix; and nmi test's share, "nmi-test N", which nmi test alone
 * posts. Checked on the shell CPU, run on the AP, whose only
 * output is one completion line left in its mailbox: an AP never prints
 * (the console has no lock, and the shell may be mid-line). Ctrl-C does not
 * reach them (the Ctrl-C watch serves the shell CPU): they end at their time.
 */
#ifndef MONITOR_SMP_WORK_H
#define MONITOR_SMP_WORK_H

#include <stddef.h>
#include "monitor/smp/smp.h"

/* Shell CPU: argv without its cpu=N word into a job; ST_OK or an error
 * reported. */
int smp_work_parse(int argc, char **argv, struct smp_job *job);
/* AP: runs the job, writes its completion line. */
void smp_work_run(const struct smp_job *job, char *line, size_t n);

#endif
