#ifndef MONITOR_TRAP_NAMES_H
#define MONITOR_TRAP_NAMES_H

/* #PF error code bits (SDM vol. 3A, 4.7) */
#define PF_ERR_PRESENT	(1u << 0)
#define PF_ERR_WRITE	(1u << 1)
#define PF_ERR_RSVD	(1u << 3)
#define PF_ERR_FETCH	(1u << 4)

const char *trap_name(unsigned int vector);	/* "page fault" */
const char *trap_mnemonic(unsigned int vector);	/* "#PF" */

#endif
