#include "sample_ring.h"
#include <stddef.h>

void sample_ring_init(struct sample_ring *r, struct sample *slots, uint64_t capacity)
{
	r->slots = slots;
	r->capacity = capacity;
	r->head = r->tail = r->lost = 0;
	r->next = slots;
	r->end = slots + capacity;
}

uint64_t sample_ring_count(const struct sample_ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - r->tail;
}

const struct sample *sample_ring_peek(const struct sample_ring *r, uint64_t i)
{
	if (i >= sample_ring_count(r))
		return NULL;
	return &r->slots[(r->tail + i) % r->capacity];
}

void sample_ring_clear(struct sample_ring *r)
{
	__atomic_store_n(&r->tail, __atomic_load_n(&r->head, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
}

void sample_ring_rewind(struct sample_ring *r)
{
	if (sample_ring_count(r))
		return;
	r->head = r->tail = 0;
	r->next = r->slots;
}
