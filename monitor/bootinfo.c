/* Multiboot1 and multiboot2 information parsing (the GRUB and QEMU -kernel
 * paths). Addresses are physical and identity-mapped below 4 GiB. */
#include "bootinfo.h"
#include "monitor/lib/string.h"

#define MB1_BOOT_MAGIC	0x2BADB002
#define MB2_BOOT_MAGIC	0x36d76289

#define MB1_INFO_MEM	(1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MMAP	(1u << 6)
#define MB1_INFO_LOADER	(1u << 9)

#define MB2_TAG_END	0
#define MB2_TAG_CMDLINE	1
#define MB2_TAG_LOADER	2
#define MB2_TAG_MMAP	6
#define MB2_TAG_EFI32	11	/* EFI system table pointers: UEFI booted us */
#define MB2_TAG_EFI64	12
#define MB2_TAG_ACPI_OLD 14	/* copies of the RSDP, revision 0 and 2+ */
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_EFI_MMAP 17

/* UEFI memory types (UEFI 2.10, 7.2) that are free RAM once boot services
 * have exited, as GRUB has done before it jumps to us: loader and boot
 * services code and data, and conventional memory. ACPI reclaim memory
 * stays reserved, so the ACPI tables stay readable. */
#define EFI_LOADER_CODE		1
#define EFI_BOOT_SERVICES_DATA	4
#define EFI_CONVENTIONAL	7
#define EFI_PAGE		4096

struct bootinfo bootinfo;

static void add_region(uint64_t base, uint64_t len, uint32_t type)
{
	struct mem_region *last = bootinfo.mem_count ? &bootinfo.mem[bootinfo.mem_count - 1] : NULL;

	if (type == MEM_USABLE)
		bootinfo.usable_bytes += len;
	/* the EFI map lists many adjacent pieces of one kind: join them */
	if (last && last->type == type && last->base + last->len == base) {
		last->len += len;
		return;
	}
	if (bootinfo.mem_count == MEM_REGIONS_MAX) {
		bootinfo.mem_dropped++;
		if (type == MEM_USABLE)
			bootinfo.usable_bytes -= len;
		return;
	}
	bootinfo.mem[bootinfo.mem_count++] = (struct mem_region){ base, len, type };
}

static void copy_string(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; i + 1 < n && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void parse_mb1(const uint8_t *info)
{
	uint32_t flags = *(const uint32_t *)info;

	bootinfo.protocol = "multiboot1";
	bootinfo.firmware = FIRMWARE_BIOS;
	if (flags & MB1_INFO_CMDLINE)
		copy_string(bootinfo.cmdline, sizeof(bootinfo.cmdline),
			    (const char *)(uintptr_t)*(const uint32_t *)(info + 16));
	if (flags & MB1_INFO_LOADER)
		copy_string(bootinfo.loader, sizeof(bootinfo.loader),
			    (const char *)(uintptr_t)*(const uint32_t *)(info + 64));
	if (flags & MB1_INFO_MMAP) {
		uint32_t len = *(const uint32_t *)(info + 44);
		const uint8_t *p = (const uint8_t *)(uintptr_t)*(const uint32_t *)(info + 48);
		const uint8_t *end = p + len;

		bootinfo.mem_source = "multiboot1 memory map";
		/* each entry: size (not counting itself), base, length, type */
		while (p < end) {
			uint32_t size = *(const uint32_t *)p;

			add_region(*(const uint64_t *)(p + 4), *(const uint64_t *)(p + 12),
				   *(const uint32_t *)(p + 20));
			p += size + 4;
		}
	} else if (flags & MB1_INFO_MEM) {
		bootinfo.mem_source = "multiboot1 lower/upper sizes";
		add_region(0, (uint64_t)*(const uint32_t *)(info + 4) << 10, MEM_USABLE);
		add_region(1 << 20, (uint64_t)*(const uint32_t *)(info + 8) << 10, MEM_USABLE);
	}
}

static void mb2_mmap(const uint8_t *p, uint32_t size)
{
	uint32_t esize = *(const uint32_t *)(p + 8);

	bootinfo.mem_source = "multiboot2 memory map";
	for (const uint8_t *e = p + 16; esize >= 24 && e + esize <= p + size; e += esize)
		add_region(*(const uint64_t *)e, *(const uint64_t *)(e + 8),
			   *(const uint32_t *)(e + 16));
}

static void mb2_efi_mmap(const uint8_t *p, uint32_t size)
{
	uint32_t dsize = *(const uint32_t *)(p + 8);

	bootinfo.mem_source = "multiboot2 EFI memory map";
	/* descriptor: type, pad, physical start, virtual start, pages, attributes */
	for (const uint8_t *d = p + 16; dsize >= 40 && d + dsize <= p + size; d += dsize) {
		uint32_t type = *(const uint32_t *)d;
		bool free = (type >= EFI_LOADER_CODE && type <= EFI_BOOT_SERVICES_DATA) ||
			    type == EFI_CONVENTIONAL;

		add_region(*(const uint64_t *)(d + 8), *(const uint64_t *)(d + 24) * EFI_PAGE,
			   free ? MEM_USABLE : MEM_RESERVED);
	}
}

static void parse_mb2(const uint8_t *info)
{
	uint32_t total = *(const uint32_t *)info;
	const uint8_t *p = info + 8;
	const uint8_t *mmap = NULL, *efi_mmap = NULL;

	bootinfo.protocol = "multiboot2";
	bootinfo.firmware = FIRMWARE_BIOS;
	bootinfo.info_start = (uintptr_t)info;
	bootinfo.info_end = (uintptr_t)info + total;
	while (p + 8 <= info + total) {
		uint32_t type = *(const uint32_t *)p;
		uint32_t size = *(const uint32_t *)(p + 4);

		if (type == MB2_TAG_END || size < 8)
			break;
		if (type == MB2_TAG_CMDLINE)
			copy_string(bootinfo.cmdline, sizeof(bootinfo.cmdline), (const char *)p + 8);
		else if (type == MB2_TAG_LOADER)
			copy_string(bootinfo.loader, sizeof(bootinfo.loader), (const char *)p + 8);
		else if (type == MB2_TAG_MMAP)
			mmap = p;
		else if (type == MB2_TAG_EFI_MMAP)
			efi_mmap = p;
		else if (type == MB2_TAG_EFI32 || type == MB2_TAG_EFI64)
			bootinfo.firmware = FIRMWARE_UEFI;
		else if ((type == MB2_TAG_ACPI_OLD || type == MB2_TAG_ACPI_NEW) &&
			 size - 8 <= sizeof(bootinfo.rsdp) &&
			 (type == MB2_TAG_ACPI_NEW || !bootinfo.rsdp_len)) {
			bootinfo.rsdp_len = size - 8;
			memcpy(bootinfo.rsdp, p + 8, bootinfo.rsdp_len);
		}
		p += (size + 7) & ~7u;
	}
	/* the EFI map is the firmware's own; GRUB's type-6 map is derived from it */
	if (efi_mmap)
		mb2_efi_mmap(efi_mmap, *(const uint32_t *)(efi_mmap + 4));
	else if (mmap)
		mb2_mmap(mmap, *(const uint32_t *)(mmap + 4));
}

int bootinfo_parse(uint32_t magic, uint32_t info_phys)
{
	const uint8_t *info = (const uint8_t *)(uintptr_t)info_phys;

	if (magic == MB2_BOOT_MAGIC)
		parse_mb2(info);
	else if (magic == MB1_BOOT_MAGIC)
		parse_mb1(info);
	else {
		bootinfo.protocol = "unknown";
		return -1;
	}
	return 0;
}

bool bootinfo_has_option(const char *word)
{
	size_t n = strlen(word);

	for (const char *p = bootinfo.cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

const char *bootinfo_option_value(const char *prefix, char *buf, size_t n)
{
	size_t k = strlen(prefix);

	for (const char *p = bootinfo.cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, prefix, k) == 0) {
			size_t i = 0;

			for (p += k; i + 1 < n && *p && *p != ' '; i++)
				buf[i] = *p++;
			buf[i] = '\0';
			return buf;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}
