/*
 * The legacy 8259 pair: remapped to vectors 0x20-0x2f (away from the
 * exception vectors) with every line masked except the ones asked for.
 */
#include "pic.h"
#include "cpu.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1
#define PIC_EOI		0x20

static uint16_t mask = 0xffff & ~(1u << 2);	/* line 2 cascades the slave */

static void pic_write_mask(void)
{
	outb(PIC1_DATA, mask & 0xff);
	outb(PIC2_DATA, mask >> 8);
}

void pic_init(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1 << 2);	/* slave on line 2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 0x01);		/* 8086 mode */
	outb(PIC2_DATA, 0x01);
	pic_write_mask();
}

void pic_unmask(unsigned int irq)
{
	mask &= ~(1u << irq);
	pic_write_mask();
}

void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}
