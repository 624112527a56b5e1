/* Byte offsets into struct trap_frame (trap_frame.h asserts them), for
 * assembly that fills a frame field by field (nmi_entry.S). */
#ifndef ARCH_TRAP_FRAME_OFFSETS_H
#define ARCH_TRAP_FRAME_OFFSETS_H

#define TF_R15		0
#define TF_R14		8
#define TF_R13		16
#define TF_R12		24
#define TF_R11		32
#define TF_R10		40
#define TF_R9		48
#define TF_R8		56
#define TF_RBP		64
#define TF_RDI		72
#define TF_RSI		80
#define TF_RDX		88
#define TF_RCX		96
#define TF_RBX		104
#define TF_RAX		112
#define TF_VECTOR	120
#define TF_ERROR	128
#define TF_GPRS_BYTES	136	/* the general registers, vector and error code */

#endif
