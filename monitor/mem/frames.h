/*
 * Physical frame allocator: 4 KiB frames below 4 GiB (the identity-mapped
 * range, so a frame can be zeroed and used as a page table at once), seeded
 * from the boot memory map. Lock-free (frame_bitmap.h): callable from NMI
 * context as well as from commands.
 */
#ifndef MONITOR_FRAMES_H
#define MONITOR_FRAMES_H

#include <stdint.h>

void frames_init(void);		/* after bootinfo_parse */
uint64_t frame_alloc_zeroed(void);	/* physical address, or 0 when none is free */
void frame_free(uint64_t phys);
uint64_t frames_total(void);	/* frames the allocator manages */
uint64_t frames_free(void);
uint64_t frames_bad_frees(void);	/* double or wild frees seen (must stay 0) */

#endif
