/* Private to the x86_64 decoder (decode.c) and emulator (emulate.c): what
 * the decoder stores in struct insn's arch[] bytes, and the instruction
 * table both of them (and the unit tests) read. */
#ifndef MMIOSHIM_X86_H
#define MMIOSHIM_X86_H

#include <stdint.h>

#include "arch.h"

/* What the instruction does with its operands; one row class per group of
 * capstone ids that the decoder handles the same way. */
enum x86_class {
	X86_C_ATOMIC,	/* xchg, cmpxchg*, xadd: refused (MMIO_E_ATOMIC) */
	X86_C_MOV,	/* mov-like: gpr <- ext(mem) or mem <- gpr/imm */
	X86_C_ALU,	/* add or adc sbb and sub xor: memory destination or source */
	X86_C_UNARY,	/* inc dec not neg: memory destination */
	X86_C_SHIFT,	/* shl shr sar rol ror rcl rcr: memory destination */
	X86_C_CMP,	/* cmp test: flags only */
	X86_C_IMUL,	/* imul reg, mem and imul reg, mem, imm */
	X86_C_CMOV,	/* cmovcc reg, mem */
	X86_C_SETCC,	/* setcc mem */
	X86_C_VEC,	/* SSE/AVX/AVX-512 moves between a vector register and memory */
	X86_C_VALU,	/* vector logic/compare with a memory source: reg <- reg op mem */
	X86_C_BT,	/* bt bts btr btc with a memory operand */
	X86_C_MOVS,	/* movs (rep or not) */
	X86_C_STOS,	/* stos (rep or not) */
	X86_C_MOVSD,	/* string movsd or SSE movsd: capstone uses one id for both */
};

/* How a loaded value reaches the register, or a stored one the memory. */
enum x86_ext { X86_EXT_NONE, X86_EXT_ZERO, X86_EXT_SIGN, X86_EXT_SWAP };

/* Operations executed natively to get the flags exactly right. */
enum x86_alu {
	X86_ALU_ADD, X86_ALU_OR, X86_ALU_ADC, X86_ALU_SBB, X86_ALU_AND,
	X86_ALU_SUB, X86_ALU_XOR, X86_ALU_CMP, X86_ALU_TEST, X86_ALU_IMUL,
	X86_ALU_INC, X86_ALU_DEC, X86_ALU_NOT, X86_ALU_NEG,
	X86_ALU_SHL, X86_ALU_SHR, X86_ALU_SAR, X86_ALU_ROL, X86_ALU_ROR,
	X86_ALU_RCL, X86_ALU_RCR,
	X86_ALU_BT, X86_ALU_BTS, X86_ALU_BTR, X86_ALU_BTC,
	X86_ALU_COUNT
};

/* Which bytes of the vector register a vector move reads or writes. */
enum x86_vec {
	X86_VEC_FULL,		/* the whole xmm/ymm register */
	X86_VEC_LOW_ZERO,	/* movd movq movss movsd: low bytes; a load zeroes the rest of the xmm */
	X86_VEC_LOW_MERGE,	/* movlps movlpd: bytes 0..7, the rest kept */
	X86_VEC_HIGH_MERGE,	/* movhps movhpd: bytes 8..15, the rest kept */
};

/* Vector operations computed in C, on bytes (X86_C_VALU rows). */
enum x86_valu {
	X86_VALU_XOR, X86_VALU_AND, X86_VALU_OR,
	X86_VALU_ANDN,		/* ~first source & memory */
	X86_VALU_CMPEQ8, X86_VALU_CMPEQ16, X86_VALU_CMPEQ32,
	X86_VALU_MINUB, X86_VALU_MAXUB,
	X86_VALU_COUNT
};

/* One row per capstone instruction id the decoder knows. */
struct x86_row {
	uint16_t id;		/* x86_insn */
	uint8_t cls;		/* enum x86_class */
	uint8_t arg;		/* x86_ext, x86_alu, condition code, x86_vec or x86_valu */
	uint8_t vex;		/* VEX/EVEX encoded: a register write zeroes above it */
	uint8_t width;		/* bytes of memory, when the id fixes it (0: the operand's) */
	uint8_t elem;		/* EVEX moves: element size an opmask selects (0: no masking) */
};

const struct x86_row *x86_row_find(unsigned id);

/* What arch_emulate does. */
enum x86_op {
	X86_OP_LOAD,		/* gpr <- ext(mem) */
	X86_OP_STORE,		/* mem <- ext(gpr or imm) */
	X86_OP_RMW,		/* mem <- mem alu src, flags */
	X86_OP_ALU_LOAD,	/* gpr <- gpr alu mem, or gpr <- mem * imm; flags */
	X86_OP_CMP,		/* flags <- a alu b */
	X86_OP_CMOV,		/* read mem; gpr <- mem if cc */
	X86_OP_SETCC,		/* mem <- cc */
	X86_OP_VLOAD,		/* vector register <- mem */
	X86_OP_VSTORE,		/* mem <- vector register */
	X86_OP_MOVS,		/* [rdi] <- [rsi], rcx times with rep */
	X86_OP_STOS,		/* [rdi] <- rax, rcx times with rep */
	X86_OP_VALU,		/* vector register <- vector register op mem */
	X86_OP_BT,		/* CF <- bit of mem (bts btr btc: and write it back) */
};

/* A non-memory operand. */
enum x86_opnd_kind { X86_OPND_NONE, X86_OPND_GPR, X86_OPND_HI8, X86_OPND_IMM, X86_OPND_VEC };

struct x86_opnd {
	uint8_t kind;		/* enum x86_opnd_kind */
	uint8_t num;		/* register number: 0 rax .. 15 r15, or xmm/ymm 0..31 */
	uint8_t size;		/* bytes */
};

#define X86_BASE_NONE 0xff
#define X86_BASE_RIP 16

enum x86_seg { X86_SEG_NONE, X86_SEG_FS, X86_SEG_GS };

struct x86_mem {
	uint8_t base;		/* 0..15, X86_BASE_RIP or X86_BASE_NONE */
	uint8_t index;		/* 0..15 or X86_BASE_NONE */
	uint8_t scale;
	uint8_t seg;		/* enum x86_seg */
	uint8_t addr32;		/* 0x67 prefix: 32-bit address */
	int64_t disp;
};

/* The decoded instruction, in struct insn's arch[]. */
struct x86_decoded {
	uint8_t op;		/* enum x86_op */
	uint8_t alu;		/* enum x86_alu */
	uint8_t ext;		/* enum x86_ext */
	uint8_t cc;		/* condition code 0..15 (o no b ae e ne be a s ns p np l ge le g) */
	uint8_t vec;		/* enum x86_vec */
	uint8_t vex;		/* a vector write zeroes the register above it */
	uint8_t rep;		/* rep prefix on movs/stos */
	uint8_t mem_first;	/* cmp/test: the memory operand is the first one */
	uint8_t has_mem;	/* mem is valid (also for refused instructions) */
	uint8_t mask;		/* EVEX opmask register k1..k7 of a vector move, 0: none */
	uint8_t zero;		/* EVEX.z: a masked load zeroes unselected elements */
	uint8_t elem;		/* element size the opmask selects, in bytes */
	struct x86_opnd reg;	/* register operand: destination of loads, source of stores */
	struct x86_opnd src;	/* the other source: immediate, register, shift count, bit
				 * offset or (X86_OP_VALU) the first vector source */
	int64_t imm;
	struct x86_mem mem;
};

_Static_assert(sizeof(struct x86_decoded) <= sizeof(((struct insn *)0)->arch),
	       "struct x86_decoded must fit in struct insn's arch[]");

/* RFLAGS bits. */
#define X86_FLAGS_STATUS 0x8d5ull	/* OF SF ZF AF PF CF */
#define X86_FLAG_DF 0x400ull

/* The signal frame's FPU state (uc_mcontext.fpregs): fxsave area, the
 * software bytes the kernel puts in its unused tail, the XSAVE header and
 * the standard-format state components. */
#define X86_FX_XMM_OFFSET 160
#define X86_FX_SW_OFFSET 464		/* struct _fpx_sw_bytes */
#define X86_FP_XSTATE_MAGIC1 0x46505853u
#define X86_XSAVE_HDR_OFFSET 512	/* xstate_bv */
#define X86_XSAVE_YMM_OFFSET 576	/* component 2: YMM_Hi128, 16 x 16 bytes */
#define X86_XCOMP_YMM 2
#define X86_XCOMP_OPMASK 5		/* k0..k7, 8 x 8 bytes */
#define X86_XCOMP_ZMM_HI256 6		/* zmm0..15 bits 511..256, 16 x 32 bytes */
#define X86_XCOMP_HI16_ZMM 7		/* zmm16..31, 16 x 64 bytes */

#endif
