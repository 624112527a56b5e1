#include "protected.h"
#include "percpu.h"

extern char __entry_text_start[], __entry_text_end[];
extern char __debugpath_start[], __debugpath_end[];
extern char __debugpath_data_start[], __debugpath_data_end[];
extern char step_slots[], step_slots_end[];
extern struct ist_stacks ist_area[MAX_CPUS];
extern uint64_t gdt_table[MAX_CPUS][5];
extern char idt_table[];

#define IDT_BYTES (256 * 16)

struct range {
	const char *what;
	uintptr_t start, end;
};

static size_t get_ranges(struct range *r)
{
	r[0] = (struct range){ "interrupt and NMI entry text", (uintptr_t)__entry_text_start,
			       (uintptr_t)__entry_text_end };
	r[5] = (struct range){ "breakpoint trap path", (uintptr_t)__debugpath_start,
			       (uintptr_t)__debugpath_end };
	r[1] = (struct range){ "NMI/#DF/#MC stacks", (uintptr_t)ist_area,
			       (uintptr_t)ist_area + sizeof(ist_area) };
	r[2] = (struct range){ "per-CPU area and TSS", (uintptr_t)percpu_area,
			       (uintptr_t)percpu_area + sizeof(percpu_area) };
	r[3] = (struct range){ "GDT", (uintptr_t)gdt_table, (uintptr_t)gdt_table + sizeof(gdt_table) };
	r[4] = (struct range){ "IDT", (uintptr_t)idt_table, (uintptr_t)idt_table + IDT_BYTES };
	r[6] = (struct range){ "out-of-line step slots", (uintptr_t)step_slots,
			       (uintptr_t)step_slots_end };
	r[7] = (struct range){ "breakpoint trap path's data", (uintptr_t)__debugpath_data_start,
			       (uintptr_t)__debugpath_data_end };
	return 8;
}

const char *protected_what(uintptr_t addr)
{
	struct range r[8];
	size_t n = get_ranges(r);

	for (size_t i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return r[i].what;
	return NULL;
}

bool protected_range(uintptr_t addr, size_t len)
{
	struct range r[8];
	size_t n = get_ranges(r);

	for (size_t i = 0; i < n; i++)
		if (addr < r[i].end && addr + len > r[i].start)
			return true;
	return false;
}
