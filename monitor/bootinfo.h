/* What the boot loader told us: memory map, loader name, command line. */
#ifndef MONITOR_BOOTINFO_H
#define MONITOR_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define MEM_REGIONS_MAX 64
#define MEM_USABLE 1	/* multiboot memory type "available RAM" */

struct mem_region {
	uint64_t base, len;
	uint32_t type;
};

struct bootinfo {
	const char *protocol;	/* "multiboot2" or "multiboot1" */
	char loader[48];
	char cmdline[128];
	struct mem_region mem[MEM_REGIONS_MAX];
	unsigned int mem_count;
	uint64_t usable_bytes;
	uint64_t info_start, info_end;	/* the multiboot2 information itself */
};

extern struct bootinfo bootinfo;

/* Returns 0, or -1 if magic is neither protocol's (info then stays empty). */
int bootinfo_parse(uint32_t magic, uint32_t info_phys);
/* Is word (e.g. "quirk=no-int3") one of the blank-separated words of the
 * boot command line? */
bool bootinfo_has_option(const char *word);

#endif
