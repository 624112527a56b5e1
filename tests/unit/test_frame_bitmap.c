#include "unit.h"
#include "monitor/mem/frame_bitmap.h"

UNIT_TEST(frame_bitmap_starts_all_used_and_releases_ranges)
{
	uint64_t words[4];
	struct frame_bitmap b;

	frame_bitmap_init(&b, words, 200);
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 0);
	CHECK_EQ_U64(frame_bitmap_alloc(&b), (uint64_t)-1);
	frame_bitmap_release_range(&b, 10, 5);
	frame_bitmap_release_range(&b, 12, 5);	/* overlap counts once */
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 7);
	frame_bitmap_reserve_range(&b, 0, 11);
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 6);
	frame_bitmap_release_range(&b, 195, 50);	/* clipped at the end */
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 11);
}

UNIT_TEST(frame_bitmap_allocates_each_free_frame_once)
{
	uint64_t words[4];
	struct frame_bitmap b;
	char seen[200] = { 0 };
	long f;
	int n = 0;

	frame_bitmap_init(&b, words, 200);
	frame_bitmap_release_range(&b, 0, 200);
	while ((f = frame_bitmap_alloc(&b)) >= 0) {
		CHECK(f < 200);
		CHECK(!seen[f]);
		seen[f] = 1;
		n++;
	}
	CHECK_EQ_U64(n, 200);
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 0);
}

UNIT_TEST(frame_bitmap_free_returns_frames_and_catches_double_frees)
{
	uint64_t words[2];
	struct frame_bitmap b;
	long a;

	frame_bitmap_init(&b, words, 100);
	frame_bitmap_release_range(&b, 64, 1);
	a = frame_bitmap_alloc(&b);
	CHECK_EQ_U64(a, 64);
	CHECK(frame_bitmap_free(&b, 64));
	CHECK(!frame_bitmap_free(&b, 64));		/* double free */
	CHECK(!frame_bitmap_free(&b, 100));	/* out of range */
	CHECK_EQ_U64(frame_bitmap_free_count(&b), 1);
	CHECK_EQ_U64(frame_bitmap_alloc(&b), 64);
}

UNIT_TEST(frame_bitmap_never_hands_out_past_the_end)
{
	uint64_t words[2];
	struct frame_bitmap b;

	/* 70 frames: the second word's bits 6..63 do not exist */
	frame_bitmap_init(&b, words, 70);
	frame_bitmap_release_range(&b, 69, 1);
	CHECK_EQ_U64(frame_bitmap_alloc(&b), 69);
	CHECK_EQ_U64(frame_bitmap_alloc(&b), (uint64_t)-1);
}
