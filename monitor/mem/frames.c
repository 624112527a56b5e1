#include "monitor/mem/frames.h"
#include "monitor/bootinfo.h"
#include "monitor/mem/frame_bitmap.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/boot_layout.h"

#define FRAMES_LIMIT	(4ull << 30)	/* identity map ends here (boot.S) */
#define LOW_RESERVED	(1ull << 20)	/* BIOS, EBDA, QEMU's multiboot1 information */
#define MAX_FRAMES	(FRAMES_LIMIT / PAGE_SIZE)

extern char __image_start[], __image_end[];

static uint64_t bitmap_words[MAX_FRAMES / 64];
static struct frame_bitmap bitmap;
static uint64_t total, bad_frees;

static void reserve(uint64_t start, uint64_t end)
{
	if (end > start)
		frame_bitmap_reserve_range(&bitmap, start / PAGE_SIZE,
					   (end + PAGE_SIZE - 1) / PAGE_SIZE - start / PAGE_SIZE);
}

void frames_init(void)
{
	frame_bitmap_init(&bitmap, bitmap_words, MAX_FRAMES);
	for (unsigned int i = 0; i < bootinfo.mem_count; i++) {
		const struct mem_region *r = &bootinfo.mem[i];
		uint64_t start = (r->base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		uint64_t end = (r->base + r->len) & ~(uint64_t)(PAGE_SIZE - 1);

		if (r->type != MEM_USABLE)
			continue;
		if (end > FRAMES_LIMIT)
			end = FRAMES_LIMIT;
		if (end > start)
			frame_bitmap_release_range(&bitmap, start / PAGE_SIZE, (end - start) / PAGE_SIZE);
	}
	/* A usable region may overlap what is not ours to hand out. Reserved
	 * map entries overlapping usable ones are taken as reserved too. */
	for (unsigned int i = 0; i < bootinfo.mem_count; i++) {
		const struct mem_region *r = &bootinfo.mem[i];

		if (r->type != MEM_USABLE && r->base < FRAMES_LIMIT)
			reserve(r->base & ~(uint64_t)(PAGE_SIZE - 1), r->base + r->len);
	}
	reserve(0, LOW_RESERVED);
	reserve((uintptr_t)__image_start, (uintptr_t)__image_end);
	reserve(bootinfo.info_start, bootinfo.info_end);
	total = (uint64_t)frame_bitmap_free_count(&bitmap);
}

/* NMI-safe: lock-free claim, then zeroing a frame nobody else can see yet. */
uint64_t frame_alloc_zeroed(void)
{
	long f = frame_bitmap_alloc(&bitmap);
	uint64_t phys;

	if (f < 0)
		return 0;
	phys = (uint64_t)f * PAGE_SIZE;
	memset((void *)(uintptr_t)phys, 0, PAGE_SIZE);
	return phys;
}

void frame_free(uint64_t phys)
{
	if (!frame_bitmap_free(&bitmap, phys / PAGE_SIZE))
		__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
}

uint64_t frames_total(void)
{
	return total;
}

uint64_t frames_free(void)
{
	return (uint64_t)frame_bitmap_free_count(&bitmap);
}

uint64_t frames_bad_frees(void)
{
	return bad_frees;
}
