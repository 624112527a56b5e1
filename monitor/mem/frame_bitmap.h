/*
 * A lock-free bitmap of physical frames (portable: host unit tests build it).
 *
 * One bit per frame, set = in use. Allocation finds a clear bit and claims
 * it with an atomic test-and-set; freeing clears it atomically. No lock and
 * no retry that depends on another context finishing, so it is safe from NMI
 * context, including an NMI that interrupts an allocation in progress: each
 * context claims a different bit or retries on the next one. There is no
 * ABA hazard (unlike a lock-free free list): a bit has no history.
 */
#ifndef MONITOR_FRAME_BITMAP_H
#define MONITOR_FRAME_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_bitmap {
	uint64_t *words;	/* nframes bits, rounded up to whole words */
	size_t nframes;
	size_t hint;		/* word to start searching at; a racy guess is fine */
	long free;		/* atomically maintained count */
};

/* All frames start in use; free the usable ones with frame_bitmap_release. */
void frame_bitmap_init(struct frame_bitmap *b, uint64_t *words, size_t nframes);
void frame_bitmap_release_range(struct frame_bitmap *b, size_t first, size_t count);
void frame_bitmap_reserve_range(struct frame_bitmap *b, size_t first, size_t count);
/* Claims a free frame: returns its index, or -1 when none is free. */
long frame_bitmap_alloc(struct frame_bitmap *b);
/* Returns false if the frame was not in use (a double free). */
bool frame_bitmap_free(struct frame_bitmap *b, size_t frame);
long frame_bitmap_free_count(const struct frame_bitmap *b);

#endif
