/* Private to the s390x decoder (decode.c) and emulator (emulate.c): the
 * semantics table (table.c) both of them and the unit tests read, and what
 * the decoder stores in struct insn's arch[] bytes.
 *
 * The table decodes by itself: s390x formats are regular, the instruction
 * length is in the top two bits of the first byte and the opcode sits at
 * fixed places for each first byte. capstone only prints the text and
 * cross-checks the length (4.0.2 stops at z196 and cannot decode LRVH,
 * LLGT, LM, ICM, EX ...). */
#ifndef MMIOSHIM_S390X_H
#define MMIOSHIM_S390X_H

#include <stdint.h>

#include "arch.h"

/* Instruction formats, by where the operand fields are. */
enum s390x_fmt {
	S390X_RX,	/* op R1 X2 B2 D2(12)                    4 bytes */
	S390X_RXY,	/* op R1 X2 B2 DL2 DH2 op                6 bytes */
	S390X_RS,	/* op R1 R3/M3 B2 D2(12)                 4 bytes */
	S390X_RSY,	/* op R1 R3/M3 B2 DL2 DH2 op             6 bytes */
	S390X_SI,	/* op I2(8) B1 D1(12)                    4 bytes (also S: TS) */
	S390X_SIY,	/* op I2(8) B1 DL1 DH1 op                6 bytes */
	S390X_SIL,	/* op op B1 D1(12) I2(16)                6 bytes */
	S390X_SS,	/* op L(8) B1 D1 B2 D2                   6 bytes */
	S390X_SSE,	/* op op B1 D1 B2 D2                     6 bytes (MVCRL) */
	S390X_SSF,	/* op R3 op B1 D1 B2 D2                  6 bytes (CSST, LPD) */
	S390X_RIL,	/* op R1 op I2(32), halfwords from pc    6 bytes (EXRL) */
	S390X_VRX,	/* op V1 X2 B2 D2 M3 RXB op              6 bytes (VL, VST) */
	S390X_VRS,	/* op V1 R3 B2 D2 - RXB op               6 bytes (VLL, VSTL) */
	S390X_FMT_COUNT
};

/* What arch_emulate does; the direction of the access follows from it. */
enum s390x_op {
	S390X_OP_LOAD,		/* register field <- ext(mem)               (L LH LLGC IC LRV LT LE LD ...) */
	S390X_OP_STORE,		/* mem <- register field                    (ST STH STRV STFH STE STD ...) */
	S390X_OP_STORE_IMM,	/* mem <- immediate                         (MVI MVHI ...) */
	S390X_OP_ALU,		/* register field <- field alu ext(mem), cc (A AL S N O X MS ...) */
	S390X_OP_CMP,		/* cc <- field compared with ext(mem)       (C CL CG CH CHF ...) */
	S390X_OP_CMP_IMM,	/* cc <- mem compared with immediate        (CLI CHSI CLGHSI ...) */
	S390X_OP_TM,		/* cc <- mem under immediate mask           (TM TMY) */
	S390X_OP_RMW_IMM,	/* mem <- mem alu immediate, cc             (NI OI XI ASI ALGSI ...) */
	S390X_OP_ICM,		/* insert characters under mask, cc         (ICM ICMY ICMH) */
	S390X_OP_STCM,		/* store characters under mask              (STCM STCMY STCMH) */
	S390X_OP_LM,		/* R1..R3 <- consecutive words              (LM LMY LMG LMH) */
	S390X_OP_STM,		/* consecutive words <- R1..R3              (STM STMY STMG STMH) */
	S390X_OP_LOC,		/* load if the mask selects the cc          (LOC LOCG LOCFH) */
	S390X_OP_STOC,		/* store if the mask selects the cc         (STOC STOCG STOCFH) */
	S390X_OP_SS,		/* storage to storage, L+1 bytes            (MVC CLC NC OC XC) */
	S390X_OP_MVCRL,		/* MVC right to left, GR0 bits 56-63 + 1 bytes */
	S390X_OP_EX,		/* execute the instruction at the second-operand address */
	S390X_OP_EXRL,		/* execute the instruction at pc + 2 * I2 */
	S390X_OP_VL,		/* vector register <- 16 bytes (VL), or up to 16 (VLL) */
	S390X_OP_VST,		/* 16 bytes (VST), or up to 16 (VSTL) <- vector register */
	S390X_OP_VLE,		/* vector element M3 <- width bytes (VLEB VLEH VLEF VLEG) */
	S390X_OP_VLREP,		/* every element <- 2^M3 bytes (VLREP; clang -O0 loads floats so) */
	S390X_OP_VSTE,		/* width bytes <- vector element M3 (VSTEB VSTEH VSTEF VSTEG) */
	S390X_OP_MVCLE,		/* move long extended: R1/R1+1 <- R3/R3+1, padded; in chunks, cc 3 until done */
	S390X_OP_REFUSE,	/* decoded, never emulated: the row's refuse code */
	S390X_OP_COUNT
};

/* How the bytes of the storage operand become a number (big-endian: the
 * bytes in address order are the integer). */
enum s390x_ext {
	S390X_EXT_ZERO,		/* zero-extended */
	S390X_EXT_SIGN,		/* sign-extended */
	S390X_EXT_SWAP,		/* byte-reversed, then zero-extended (LRV*, STRV*) */
	S390X_EXT_31,		/* the rightmost 31 bits, zero-extended (LLGT) */
};

/* Which bits of the general register the instruction reads or writes.
 * A load writes ext(value) into the field and keeps the other bits. */
enum s390x_field {
	S390X_F_LOW32,		/* bits 32-63, the high half kept */
	S390X_F_FULL64,		/* bits 0-63 */
	S390X_F_HIGH32,		/* bits 0-31, the low half kept (LFH, STFH, CHF ...) */
	S390X_F_LOW16,		/* bits 48-63, the rest kept (LRVH) */
	S390X_F_LOW8,		/* bits 56-63, the rest kept (IC, ICY) */
	S390X_F_NONE,
	S390X_F_FPR32,		/* floating-point register bits 0-31, the rest kept (LE, STE) */
	S390X_F_FPR64,		/* floating-point register bits 0-63 (LD, STD) */
	S390X_F_FPR32Z,		/* floating-point register bits 0-31, bits 32-63 zeroed (LDE) */
};

/* The operation of ALU, compare and read-modify-write rows. */
enum s390x_alu {
	S390X_ALU_NONE,
	S390X_ALU_ADD,		/* signed add */
	S390X_ALU_SUB,		/* signed subtract */
	S390X_ALU_ADDL,		/* add logical */
	S390X_ALU_SUBL,		/* subtract logical */
	S390X_ALU_ADDC,		/* add logical with carry (cc bit 1 in) */
	S390X_ALU_SUBB,		/* subtract logical with borrow (cc bit 1 in) */
	S390X_ALU_AND,
	S390X_ALU_OR,
	S390X_ALU_XOR,
	S390X_ALU_MUL,		/* multiply single: low bits, no cc */
	S390X_ALU_MOVE,		/* MVC: copy */
	S390X_ALU_CMP,		/* CLC: compare, no write */
};

/* How the condition code is set (Principles of Operation). */
enum s390x_cc {
	S390X_CC_NONE,		/* unchanged */
	S390X_CC_ARITH,		/* 0 zero, 1 < 0, 2 > 0, 3 overflow */
	S390X_CC_LOGICAL,	/* 0 zero no carry, 1 nonzero no carry, 2 zero carry, 3 nonzero carry */
	S390X_CC_BITWISE,	/* 0 zero, 1 nonzero */
	S390X_CC_SIGN,		/* 0 zero, 1 < 0, 2 > 0 (LT LTG LTGF) */
	S390X_CC_CMP_SIGNED,	/* 0 equal, 1 first low, 2 first high */
	S390X_CC_CMP_LOGICAL,	/* the same, unsigned */
	S390X_CC_TM,		/* 0 selected bits zero (or mask 0), 1 mixed, 3 all ones */
	S390X_CC_ICM,		/* 0 inserted bits zero (or mask 0), 1 leftmost one, 2 otherwise */
};

/* One row per instruction. */
struct s390x_row {
	uint16_t opcode;	/* first byte << 8 | the second opcode part (see s390x_opcode) */
	uint8_t fmt;		/* enum s390x_fmt */
	uint8_t op;		/* enum s390x_op */
	uint8_t width;		/* bytes of one access; 0: from the mask (ICM, STCM) or the length (SS) */
	uint8_t ext;		/* enum s390x_ext */
	uint8_t field;		/* enum s390x_field */
	uint8_t alu;		/* enum s390x_alu */
	uint8_t cc;		/* enum s390x_cc */
	uint8_t refuse;		/* enum mmio_err for S390X_OP_REFUSE rows */
	char mnemonic[8];
};

extern const struct s390x_row s390x_rows[];
extern const unsigned s390x_row_count;

/* The opcode key of the instruction starting with b[0], b[1] and (6-byte
 * formats) b[5]: where the second part of the opcode is depends on b[0]. */
uint16_t s390x_opcode(const uint8_t *b);

/* The row for an opcode key, or NULL. */
const struct s390x_row *s390x_row_find(uint16_t opcode);

/* Instruction length from the first byte: 00 -> 2, 01/10 -> 4, 11 -> 6. */
static inline unsigned s390x_ilen(uint8_t b0)
{
	return b0 < 0x40 ? 2 : b0 < 0xc0 ? 4 : 6;
}

#define S390X_NO_ROW 0xffff

/* A storage operand: base, index (0: none) and displacement. */
struct s390x_mem {
	uint8_t b, x;
	int32_t d;
};

/* The decoded instruction, in struct insn's arch[]. */
struct s390x_decoded {
	uint16_t row;		/* index in s390x_rows, or S390X_NO_ROW */
	uint8_t r1;		/* R1 or V1 (0..31 with RXB) */
	uint8_t r3;		/* R3, or the M3 mask (ICM, STCM, LOC, STOC) */
	uint8_t l;		/* SS: the length field L (L + 1 bytes) */
	uint8_t nmem;		/* storage operands in m[] (0..2), also for refusals */
	uint8_t len;		/* instruction length */
	uint8_t code[6];	/* the instruction bytes */
	int64_t imm;		/* I2, sign- or zero-extended as the row says; RIL: the offset */
	struct s390x_mem m[2];	/* m[0] the first storage operand to name, m[1] SS's second */
};

_Static_assert(sizeof(struct s390x_decoded) <= sizeof(((struct insn *)0)->arch),
	       "struct s390x_decoded must fit in struct insn's arch[]");

/* Decode code[0..avail) with the table alone (no capstone): fills *x and
 * returns the row, or NULL (x->len, x->nmem still filled when the format
 * family is known). Shared by arch_decode and EXECUTE's target. */
const struct s390x_row *s390x_decode_bytes(const uint8_t *code, size_t avail, struct s390x_decoded *x);

/* The struct insn kind for a row (enum insn_kind) and its access width. */
uint8_t s390x_kind(const struct s390x_row *row);
uint8_t s390x_width(const struct s390x_row *row, const struct s390x_decoded *x);

/* Condition code in the PSW mask: bits 18-19 counted from the left. */
#define S390X_CC_SHIFT 44
#define S390X_CC_MASK (3ull << S390X_CC_SHIFT)

#endif
