#include "monitor/mem/frame_bitmap.h"

#define WORD_BITS 64

void frame_bitmap_init(struct frame_bitmap *b, uint64_t *words, size_t nframes)
{
	size_t nwords = (nframes + WORD_BITS - 1) / WORD_BITS;

	b->words = words;
	b->nframes = nframes;
	b->hint = 0;
	b->free = 0;
	for (size_t i = 0; i < nwords; i++)
		words[i] = ~0ull;
}

static bool set_bit(struct frame_bitmap *b, size_t frame)
{
	uint64_t mask = 1ull << (frame % WORD_BITS);
	uint64_t old = __atomic_fetch_or(&b->words[frame / WORD_BITS], mask, __ATOMIC_ACQ_REL);

	return !(old & mask);	/* true if we changed it */
}

static bool clear_bit(struct frame_bitmap *b, size_t frame)
{
	uint64_t mask = 1ull << (frame % WORD_BITS);
	uint64_t old = __atomic_fetch_and(&b->words[frame / WORD_BITS], ~mask, __ATOMIC_ACQ_REL);

	return old & mask;
}

/* Range set-up runs before any concurrent user, at boot. */
void frame_bitmap_release_range(struct frame_bitmap *b, size_t first, size_t count)
{
	for (size_t f = first; f < first + count && f < b->nframes; f++)
		if (clear_bit(b, f))
			__atomic_fetch_add(&b->free, 1, __ATOMIC_RELAXED);
}

void frame_bitmap_reserve_range(struct frame_bitmap *b, size_t first, size_t count)
{
	for (size_t f = first; f < first + count && f < b->nframes; f++)
		if (set_bit(b, f))
			__atomic_fetch_sub(&b->free, 1, __ATOMIC_RELAXED);
}

long frame_bitmap_alloc(struct frame_bitmap *b)
{
	size_t nwords = (b->nframes + WORD_BITS - 1) / WORD_BITS;
	size_t start = __atomic_load_n(&b->hint, __ATOMIC_RELAXED);

	if (__atomic_load_n(&b->free, __ATOMIC_RELAXED) <= 0)
		return -1;
	/* one full lap over the words; a word another context fills meanwhile
	 * is simply passed over */
	for (size_t n = 0; n < nwords; n++) {
		size_t w = (start + n) % nwords;
		uint64_t v = __atomic_load_n(&b->words[w], __ATOMIC_RELAXED);

		while (~v) {
			size_t bit = (size_t)__builtin_ctzll(~v);
			size_t frame = w * WORD_BITS + bit;

			if (frame >= b->nframes)
				break;
			if (set_bit(b, frame)) {
				__atomic_fetch_sub(&b->free, 1, __ATOMIC_RELAXED);
				__atomic_store_n(&b->hint, w, __ATOMIC_RELAXED);
				return (long)frame;
			}
			v = __atomic_load_n(&b->words[w], __ATOMIC_RELAXED);
		}
	}
	return -1;
}

bool frame_bitmap_free(struct frame_bitmap *b, size_t frame)
{
	if (frame >= b->nframes || !clear_bit(b, frame))
		return false;
	__atomic_fetch_add(&b->free, 1, __ATOMIC_RELAXED);
	return true;
}

long frame_bitmap_free_count(const struct frame_bitmap *b)
{
	return __atomic_load_n(&b->free, __ATOMIC_RELAXED);
}
