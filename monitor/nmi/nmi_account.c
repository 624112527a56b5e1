#include "monitor/nmi/nmi_account.h"

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
