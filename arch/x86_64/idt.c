/* IDT: every vector gets its entry.S stub; NMI, #DF and #MC run on IST stacks.
 * #BP, #DB and #PF deliberately have no IST: inside an NMI they push onto the
 * NMI stack below its frames, which the nested-NMI protocol relies on. */
#include "idt.h"
#include "boot_layout.h"
#include "percpu.h"
#include "trap_frame.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_gate idt_table[256] __attribute__((aligned(16)));
extern char trap_stubs[];
extern void nmi_entry(void);
_Static_assert(sizeof(struct idt_gate) == 16, "protected.c assumes 16-byte gates");

#define GATE_INTERRUPT	0x8E	/* present, DPL 0, 64-bit interrupt gate: clears IF */

void idt_set_handler(unsigned int vector, void (*entry)(void), unsigned int ist)
{
	uint64_t a = (uint64_t)(uintptr_t)entry;

	idt_table[vector] = (struct idt_gate){
		.off_lo = a & 0xffff,
		.sel = KERNEL_CS,
		.ist = ist & 7,
		.type_attr = GATE_INTERRUPT,
		.off_mid = (a >> 16) & 0xffff,
		.off_hi = a >> 32,
	};
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		idt_set_handler(v, (void (*)(void))(trap_stubs + v * TRAP_STUB_SIZE), 0);
	idt_set_handler(2, nmi_entry, IST_NMI);	/* the nested-safe entry, nmi_entry.S */
	idt_table[8].ist = IST_DF;
	idt_table[18].ist = IST_MC;
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt_table) - 1, (uint64_t)(uintptr_t)idt_table };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}
