/* The self-NMI source: NMI IPIs this CPU sends itself (nmi test; all-CPU
 * backtraces once SMP comes). A per-CPU request count says an NMI was ours. */
#ifndef MONITOR_NMI_IPI_H
#define MONITOR_NMI_IPI_H

#include <stdint.h>

void nmi_ipi_init(void);
void nmi_ipi_send_self(void);	/* any context, NMI included */
void nmi_ipi_expect(void);	/* an NMI sent some other way (entry test hooks) is ours */
uint64_t nmi_ipi_claimed(void);	/* passes that found requests */
volatile uint64_t *nmi_ipi_pending_word(void);
/* NMI context: run by the pass that claims requests, with its pass number. */
void nmi_ipi_set_action(void (*action_in_nmi)(uint64_t pass));

#endif
