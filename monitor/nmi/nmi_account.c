#include "monitor/nmi/nmi_account.h"

bool nmi_latch_enter(volatile int *latch, struct nmi_stats *s)
{
	if (*latch != NMI_NOT_RUNNING) {
		*latch = NMI_LATCHED;
		s->latched++;
		return false;
	}
	*latch = NMI_EXECUTING;
	return true;
}

bool nmi_latch_again(volatile int *latch)
{
	if (*latch == NMI_LATCHED) {
		*latch = NMI_EXECUTING;
		return true;
	}
	*latch = NMI_NOT_RUNNING;
	return false;
}

/* A repeat pass runs because an NMI arrived during the pass before it; if
 * that pass already served the cause (Linux's back-to-back rule) nothing is
 * left: "swallowed", not unknown, or forced nesting would show spurious
 * unknowns. Unknown means a first-level NMI nobody owns. */
void nmi_account_pass(struct nmi_stats *s, unsigned int claimed, bool repeat)
{
	if (repeat)
		s->repeats++;
	else
		s->first++;
	if (claimed)
		s->handled++;
	else if (repeat)
		s->swallowed++;
	else
		s->unknown++;
}

void nmi_account_cycles(struct nmi_stats *s, uint64_t cycles)
{
	if (!s->timed || cycles < s->cycles_min)
		s->cycles_min = cycles;
	if (cycles > s->cycles_max)
		s->cycles_max = cycles;
	s->cycles_sum += cycles;
	s->timed++;
}

void nmi_log_put(struct nmi_log *l, uint64_t tsc, uint32_t event, uint32_t pass, uint64_t arg)
{
	uint32_t h = l->head;

	if (h - l->tail == NMI_LOG_SIZE) {
		l->dropped++;
		return;
	}
	l->e[h % NMI_LOG_SIZE] = (struct nmi_log_entry){ tsc, event, pass, arg };
	__atomic_store_n(&l->head, h + 1, __ATOMIC_RELEASE);
}

bool nmi_log_get(struct nmi_log *l, struct nmi_log_entry *out)
{
	uint32_t t = l->tail;

	if (t == __atomic_load_n(&l->head, __ATOMIC_ACQUIRE))
		return false;
	*out = l->e[t % NMI_LOG_SIZE];
	__atomic_store_n(&l->tail, t + 1, __ATOMIC_RELEASE);
	return true;
}

const char *nmi_log_event_name(uint32_t event)
{
	switch (event) {
	case NMI_LOG_UNKNOWN: return "unknown NMI";
	case NMI_LOG_LATCHED: return "C latch entered (entry code let C nest)";
	case NMI_LOG_LAZY_OOM: return "lazy page fault with no free frame";
	case NMI_LOG_SELFTEST: return "self-test event";
	default: return "?";
	}
}
