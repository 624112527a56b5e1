/*
 * One NMI in flight from a requester to a CPU, for the NMI sources that
 * serve requests from another CPU (backtrace, stop the world, serialise,
 * Ctrl-C for another CPU). The requester writes its request, then sends an
 * NMI only if the last one it sent has been taken; the target takes the NMI
 * (marks it seen), then reads the request. A request made while an NMI is
 * still on its way (a vCPU the host left off its core past a timeout) is
 * served by that NMI, so every NMI one requester sends is one NMI taken and
 * claimed, and an NMI nobody sent still counts as unknown. Across requesters
 * the count can still miss: a pass started by one source's NMI that takes
 * another's request before that request's NMI arrives leaves that NMI to
 * come as unknown (two NMIs sent back to back may arrive as one or as two,
 * and no count can tell which); the profiler fan-out keeps its own count of
 * such NMIs (smp_prof.c).
 *
 * Both sides store, then load, sequentially consistent (Dekker): either the
 * requester sees the NMI taken and sends another, or the target reads the
 * new request; both at once costs one NMI that finds its request served.
 */
#ifndef MONITOR_NMI_NMI_REQUEST_H
#define MONITOR_NMI_NMI_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/apic.h"

struct nmi_request {
	volatile uint64_t sent, seen;
};

/* Requester, after storing its request with __ATOMIC_SEQ_CST. */
static inline void nmi_request_send(struct nmi_request *r, unsigned int apic_id)
{
	if (__atomic_load_n(&r->seen, __ATOMIC_SEQ_CST) != r->sent)
		return;	/* the NMI on its way reads the new request */
	__atomic_store_n(&r->sent, r->sent + 1, __ATOMIC_RELEASE);
	apic_send_nmi(apic_id);
}

/* NMI context, on the target, before it reads the request: true when an
 * NMI of this requester was in flight (the source claims it). */
static inline bool nmi_request_take_in_nmi(struct nmi_request *r)
{
	uint64_t sent = __atomic_load_n(&r->sent, __ATOMIC_ACQUIRE);

	if (sent == r->seen)
		return false;
	__atomic_store_n(&r->seen, sent, __ATOMIC_SEQ_CST);
	return true;
}

#endif
