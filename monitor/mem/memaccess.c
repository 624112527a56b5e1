#include "monitor/mem/memaccess.h"
#include "arch/x86_64/percpu.h"
#include "monitor/lib/fmt.h"
#include "monitor/mem/lazy.h"
#include "monitor/debug/trap_names.h"

fault_t mem_read(uintptr_t addr, unsigned int width, uint64_t *out)
{
	fault_t f;

	switch (width) {
	case 1: { uint8_t v = 0; f = fault_safe_read8(addr, &v); *out = v; return f; }
	case 2: { uint16_t v = 0; f = fault_safe_read16(addr, &v); *out = v; return f; }
	case 4: { uint32_t v = 0; f = fault_safe_read32(addr, &v); *out = v; return f; }
	default: return fault_safe_read64(addr, out);
	}
}

fault_t mem_write(uintptr_t addr, unsigned int width, uint64_t v)
{
	switch (width) {
	case 1: return fault_safe_write8(addr, (uint8_t)v);
	case 2: return fault_safe_write16(addr, (uint16_t)v);
	case 4: return fault_safe_write32(addr, (uint32_t)v);
	default: return fault_safe_write64(addr, v);
	}
}

static int canonical(uintptr_t a)
{
	return (uintptr_t)((intptr_t)(a << 16) >> 16) == a;
}

const char *fault_text(fault_t f, uintptr_t addr, char *buf, size_t n)
{
	unsigned int vec = FAULT_VECTOR(f), cpu;
	uint32_t err = FAULT_ERROR(f);
	const char *guard;

	if (vec == 14 && !(err & PF_ERR_PRESENT) && (guard = ist_guard_of(addr, &cpu)))
		fmt_snprintf(buf, n, "page fault (not present): the guard page below cpu %u's %s",
			     cpu, guard);
	else if (vec == 14 && !(err & PF_ERR_PRESENT) && lazy_contains(addr))
		fmt_snprintf(buf, n, "page fault (not present): out of memory for the lazy region");
	else if (vec == 14)
		fmt_snprintf(buf, n, "page fault (%s%s%s)",
			     err & PF_ERR_PRESENT ? "protection violation" : "not present",
			     err & PF_ERR_WRITE ? ", write" : "",
			     err & PF_ERR_RSVD ? ", reserved bit set" : "");
	else if ((vec == 13 || vec == 12) && !canonical(addr))
		fmt_snprintf(buf, n, "%s (non-canonical address)", trap_name(vec));
	else
		fmt_snprintf(buf, n, "%s", trap_name(vec));
	return buf;
}
