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

struct bootinfo bootinfo;

static void add_region(uint64_t base, uint64_t len, uint32_t type)
{
	if (bootinfo.mem_count == MEM_REGIONS_MAX)
		return;
	bootinfo.mem[bootinfo.mem_count++] = (struct mem_region){ base, len, type };
	if (type == MEM_USABLE)
		bootinfo.usable_bytes += len;
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

		/* each entry: size (not counting itself), base, length, type */
		while (p < end) {
			uint32_t size = *(const uint32_t *)p;

			add_region(*(const uint64_t *)(p + 4), *(const uint64_t *)(p + 12),
				   *(const uint32_t *)(p + 20));
			p += size + 4;
		}
	} else if (flags & MB1_INFO_MEM) {
		add_region(0, (uint64_t)*(const uint32_t *)(info + 4) << 10, MEM_USABLE);
		add_region(1 << 20, (uint64_t)*(const uint32_t *)(info + 8) << 10, MEM_USABLE);
	}
}

static void parse_mb2(const uint8_t *info)
{
	uint32_t total = *(const uint32_t *)info;
	const uint8_t *p = info + 8;

	bootinfo.protocol = "multiboot2";
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
		else if (type == MB2_TAG_MMAP) {
			uint32_t esize = *(const uint32_t *)(p + 8);

			for (const uint8_t *e = p + 16; esize && e + esize <= p + size; e += esize)
				add_region(*(const uint64_t *)e, *(const uint64_t *)(e + 8),
					   *(const uint32_t *)(e + 16));
		}
		p += (size + 7) & ~7u;
	}
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
