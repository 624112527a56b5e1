/*
 * A per-CPU ring of samples (portable: host unit tests build it). Single
 * producer (the NMI handler), single consumer (the shell), no locks: the
 * producer only advances head, the consumer only tail. A full ring counts a
 * lost sample and overwrites nothing, so a slot is never rewritten while the
 * shell reads it. The memory is lazily mapped: first touches of its pages
 * fault inside the NMI, on purpose.
 */
#ifndef PROFILER_SAMPLE_RING_H
#define PROFILER_SAMPLE_RING_H

#include <stdbool.h>
#include <stdint.h>

#define SAMPLE_MAX_DEPTH 14

/* flags: the interrupted code's context */
#define SAMPLE_CTX_IRQ	(1u << 0)	/* an interrupt handler */
#define SAMPLE_CTX_EXC	(1u << 1)	/* an exception handler (or a stop) */
#define SAMPLE_IF	(1u << 2)	/* interrupts were on */

struct sample {
	uint64_t tsc;
	uint64_t rip;
	/* the four as one word too: the NMI sampler writes them with one store
	 * (sample_meta) */
	union {
		struct {
			uint16_t cpu;
			uint16_t flags;
			uint16_t depth;		/* callchain entries used */
			uint16_t pad;
		};
		uint64_t meta;
	};
	uint64_t callchain[SAMPLE_MAX_DEPTH];	/* return addresses, innermost first */
};

/* The meta word of cpu, flags (below 2^16) and depth (x86 and the unit
 * tests' hosts are little-endian: cpu is its low half-word) */
static inline uint64_t sample_meta(uint16_t cpu, uint32_t flags, uint16_t depth)
{
	return cpu | (uint64_t)flags << 16 | (uint64_t)depth << 32;
}

struct sample_ring {
	struct sample *slots;
	uint64_t capacity;
	volatile uint64_t head;		/* next slot to write: producer */
	/* the producer's own: &slots[head % capacity], kept so that the NMI
	 * sampler needs no division and multiplication a sample; end is
	 * slots + capacity */
	struct sample *next, *end;
	volatile uint64_t tail;		/* next slot to read: consumer */
	volatile uint64_t lost;
};

void sample_ring_init(struct sample_ring *r, struct sample *slots, uint64_t capacity);
/* Producer: the slot to fill, or NULL (full: counted as lost). Inline: the
 * producer is the NMI sampler, whose every instruction counts. */
static inline struct sample *sample_ring_reserve(struct sample_ring *r)
{
	uint64_t h = r->head;

	if (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= r->capacity) {
		r->lost++;
		return 0;
	}
	if (!r->next)
		__builtin_unreachable();	/* a slot: the caller's NULL test is for full */
	return r->next;
}

/* Producer: publish the reserved slot s; returns its number (samples
 * written before it since the ring began). */
static inline uint64_t sample_ring_commit(struct sample_ring *r, struct sample *s)
{
	uint64_t h = r->head;
	struct sample *n = s + 1;

	r->next = n == r->end ? r->slots : n;
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return h;
}
/* Consumer: peek at the i-th unread sample without consuming. */
uint64_t sample_ring_count(const struct sample_ring *r);
const struct sample *sample_ring_peek(const struct sample_ring *r, uint64_t i);
void sample_ring_clear(struct sample_ring *r);	/* consumer: drop all unread */
/* Neither side running and nothing unread: the next sample is number 0 in
 * slot 0 again, as after init, so that a run's samples do not depend on
 * the runs before it (prof status times samples by their number). */
void sample_ring_rewind(struct sample_ring *r);

#endif
