/* What the boot loader told us: memory map, loader name, command line. */
#ifndef MONITOR_BOOTINFO_H
#define MONITOR_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_REGIONS_MAX 64
#define MEM_USABLE 1	/* multiboot memory type "available RAM" */
#define MEM_RESERVED 2

struct mem_region {
	uint64_t base, len;
	uint32_t type;
};

enum firmware { FIRMWARE_BIOS, FIRMWARE_UEFI };

struct bootinfo {
	const char *protocol;	/* "multiboot2" or "multiboot1" */
	/* UEFI when GRUB passed an EFI system table tag; QEMU's multiboot1
	 * loader runs only under SeaBIOS */
	enum firmware firmware;
	const char *mem_source;	/* which tag or field the memory map came from */
	char loader[48];
	char cmdline[128];
	struct mem_region mem[MEM_REGIONS_MAX];
	unsigned int mem_count;
	unsigned int mem_dropped;	/* regions past MEM_REGIONS_MAX, not used */
	uint64_t usable_bytes;
	uint64_t info_start, info_end;	/* the multiboot2 information itself */
	/* GRUB's copy of the ACPI RSDP (multiboot2 tags 14 and 15), if any */
	uint8_t rsdp[64];
	unsigned int rsdp_len;
};

extern struct bootinfo bootinfo;

/* Returns 0, or -1 if magic is neither protocol's (info then stays empty). */
int bootinfo_parse(uint32_t magic, uint32_t info_phys);
/* Is word (e.g. "quirk=no-int3") one of the blank-separated words of the
 * boot command line? */
bool bootinfo_has_option(const char *word);
/* The value of the boot option "name=value" (prefix is "name="), copied
 * into buf; NULL if the command line has none. */
const char *bootinfo_option_value(const char *prefix, char *buf, size_t n);

#endif
