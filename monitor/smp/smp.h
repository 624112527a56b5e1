/*
 * Every CPU: the table of CPUs the MADT names, their bring-up, and what each
 * application processor (AP) does once up: sleep in "sti; hlt" until the
 * shell posts it a workload (smp_work.c) through its mailbox, run it, and
 * leave its completion line there for the shell CPU to print.
 *
 * The mailbox protocol: the shell CPU writes job, then bumps posted and
 * sends a wake-up IPI; the AP bumps taken when it starts and done when it
 * ends (after writing done_line); the shell prints done_line once and bumps
 * reported. Each counter has one writer.
 */
#ifndef MONITOR_SMP_H
#define MONITOR_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/nmi/nmi_request.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap_frame.h"

enum smp_state {
	SMP_ABSENT,		/* an unused entry of smp_cpus */
	SMP_SHELL,		/* the bootstrap CPU, which runs the shell */
	SMP_IDLE,
	SMP_RUNNING,
	SMP_NOT_RESPONDING,	/* did not come up after INIT-SIPI-SIPI */
	SMP_HALTED,		/* halted after an exception it could not return from */
};

#define SMP_JOB_ARGS	4
#define SMP_JOB_ARG_LEN	24

struct smp_job {
	unsigned int argc;
	char argv[SMP_JOB_ARGS][SMP_JOB_ARG_LEN];	/* "mix", "7:2:1", "500" */
};

/* A CPU's state when an NMI asked for it (smp_nmi.c), written in NMI
 * context and read by the shell CPU after bt_done says it is complete. */
#define SMP_BT_FRAMES	16
struct smp_snapshot {
	uint64_t rip, rsp, rbp, rflags;
	uint64_t ret[SMP_BT_FRAMES];	/* return addresses of the RBP chain */
	unsigned int nret;
	bool walk_faulted;		/* a frame pointer was unreadable */
};

struct smp_cpu {
	unsigned int apic_id;
	volatile enum smp_state state;
	volatile bool alive;		/* ap_main got as far as its idle loop */
	struct smp_job job;
	volatile uint64_t posted, taken, done, reported;
	char done_line[200];
	volatile uint64_t bt_want, bt_done;
	struct nmi_request bt_nmi;	/* one in flight (nmi_request.h) */
	struct smp_snapshot snap;
};

extern struct smp_cpu smp_cpus[MAX_CPUS];

/* Bootstrap CPU, after apic_init, nmi_init and frames_init: starts every
 * usable CPU of the MADT. */
void smp_init(void);
unsigned int smp_cpu_count(void);	/* entries of smp_cpus in use */
unsigned int smp_online_count(void);
/* One line on how the CPUs were found (or why only the bootstrap CPU). */
const char *smp_how(void);
/* Shell CPU: posts job to cpu's mailbox and wakes it; 0, or an error
 * reported. */
int smp_post(unsigned int cpu, const struct smp_job *job);
/* The checks smp_post makes first: 0, or an error reported. */
int smp_can_post(unsigned int cpu);
/* Shell CPU: prints the completion lines not yet printed. */
void smp_print_done(void);

#endif
