#include "monitor/acpi/acpi.h"
#include "monitor/lib/string.h"

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

int acpi_rsdp_parse(const uint8_t *p, size_t avail, struct acpi_rsdp *out)
{
	if (avail < ACPI_RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(p, ACPI_RSDP_V1_LEN))
		return -1;
	*out = (struct acpi_rsdp){ .revision = p[15], .rsdt = acpi_le32(p + 16) };
	/* revision 0 is ACPI 1.0 (20 bytes); 2 and later add the XSDT */
	if (p[15] >= 2) {
		uint32_t len;

		if (avail < ACPI_RSDP_V2_LEN)
			return -1;
		len = acpi_le32(p + 20);
		if (len < ACPI_RSDP_V2_LEN || len > avail || !acpi_checksum_ok(p, len))
			return -1;
		out->xsdt = acpi_le64(p + 24);
	}
	return 0;
}

/* A table's header and whole body, checked, or NULL. */
static const uint8_t *map_table(const struct acpi_mem *m, uint64_t phys, uint32_t *len)
{
	const uint8_t *h;
	const uint8_t *t;
	uint32_t n;

	if (!phys || !(h = m->map(m->ctx, phys, ACPI_HEADER_LEN)))
		return NULL;
	n = acpi_le32(h + 4);
	if (n < ACPI_HEADER_LEN || !(t = m->map(m->ctx, phys, n)) || !acpi_checksum_ok(t, n))
		return NULL;
	*len = n;
	return t;
}

static uint64_t find_in(const struct acpi_mem *m, uint64_t sdt, const char *sdt_sig,
			unsigned int entry_size, const char sig[4], uint32_t *len)
{
	uint32_t sdt_len, n;
	const uint8_t *s = map_table(m, sdt, &sdt_len);

	if (!s || memcmp(s, sdt_sig, 4) != 0)
		return 0;
	n = (sdt_len - ACPI_HEADER_LEN) / entry_size;
	if (n > ACPI_TABLES_MAX)
		n = ACPI_TABLES_MAX;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = s + ACPI_HEADER_LEN + i * entry_size;
		uint64_t phys = entry_size == 8 ? acpi_le64(e) : acpi_le32(e);
		const uint8_t *t = map_table(m, phys, len);

		if (t && memcmp(t, sig, 4) == 0)
			return phys;
	}
	return 0;
}

uint64_t acpi_find_table(const struct acpi_rsdp *r, const struct acpi_mem *m, const char sig[4],
			 uint32_t *len)
{
	uint64_t phys = 0;

	/* the XSDT supersedes the RSDT where both exist (ACPI 5.2.5.3) */
	if (r->xsdt)
		phys = find_in(m, r->xsdt, "XSDT", 8, sig, len);
	if (!phys && r->rsdt)
		phys = find_in(m, r->rsdt, "RSDT", 4, sig, len);
	return phys;
}

/* The header fields of the table at phys, however damaged. */
static const uint8_t *describe(const struct acpi_mem *m, uint64_t phys, struct acpi_table_entry *e)
{
	const uint8_t *h = phys ? m->map(m->ctx, phys, ACPI_HEADER_LEN) : NULL;
	const uint8_t *t;

	*e = (struct acpi_table_entry){ .phys = phys };
	if (!h)
		return NULL;
	memcpy(e->sig, h, 4);
	memcpy(e->oem_id, h + 10, 6);
	e->len = acpi_le32(h + 4);
	if (e->len < ACPI_HEADER_LEN || !(t = m->map(m->ctx, phys, e->len)))
		return NULL;
	e->readable = true;
	e->checksum_ok = acpi_checksum_ok(t, e->len);
	return t;
}

static bool usable_root(const struct acpi_mem *m, uint64_t phys, const char *sig,
			struct acpi_table_entry *root, const uint8_t **t)
{
	*t = describe(m, phys, root);
	return *t && root->checksum_ok && memcmp(root->sig, sig, 4) == 0;
}

unsigned int acpi_list_tables(const struct acpi_rsdp *r, const struct acpi_mem *m,
			      struct acpi_table_entry *root, struct acpi_table_entry *out,
			      unsigned int max)
{
	unsigned int entry_size = 8, n;
	const uint8_t *t;

	if (!usable_root(m, r->xsdt, "XSDT", root, &t)) {
		entry_size = 4;
		if (!usable_root(m, r->rsdt, "RSDT", root, &t)) {
			root->readable = false;
			return 0;
		}
	}
	n = (root->len - ACPI_HEADER_LEN) / entry_size;
	if (n > max)
		n = max;
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = t + ACPI_HEADER_LEN + i * entry_size;

		describe(m, entry_size == 8 ? acpi_le64(e) : acpi_le32(e), &out[i]);
	}
	return n;
}

int acpi_spcr_parse(const uint8_t *t, size_t len, struct acpi_spcr *out)
{
	/* byte 58: 3, 4, 6, 7 select 9600, 19200, 57600, 115200; 0 keeps the
	 * firmware's setting (the table's revision 2 text) */
	static const uint32_t baud[8] = { 0, 0, 0, 9600, 19200, 0, 57600, 115200 };

	if (len < ACPI_SPCR_MIN_LEN || memcmp(t, "SPCR", 4) != 0 || acpi_le32(t + 4) != len ||
	    !acpi_checksum_ok(t, len))
		return -1;
	*out = (struct acpi_spcr){
		.interface = t[36],
		.space = t[40],
		.bit_width = t[41],
		.address = acpi_le64(t + 44),
		.irq_type = t[52],
		.irq = t[53],
		.gsi = acpi_le32(t + 54),
		.baud = t[58] < 8 ? baud[t[58]] : 0,
	};
	return 0;
}
