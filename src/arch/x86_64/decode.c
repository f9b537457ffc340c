/* x86_64: decode one faulting instruction with capstone into struct insn.
 *
 * Runs in the signal handler: capstone's own allocation goes to the shim's
 * allocator (CS_OPT_MEM); nothing here allocates, prints or locks.
 * Everything is decided by instruction id and operand position (Intel
 * syntax: destination first), never by capstone's per-operand access flags,
 * which are wrong for some instructions (movnti is reported as a read). */
#include <string.h>

#include "x86.h"

/* The instruction table: every id the emulator knows, and the atomics it
 * refuses by name. Any other id with a memory operand is refused as
 * unsupported (push/pop/call/jmp mem, mul/div, x87, prefetch, lea,
 * lods/scas/cmps, SSE arithmetic, gathers, broadcasts ...). */
static const struct x86_row rows[] = {
	{ X86_INS_XCHG,       X86_C_ATOMIC, 0, 0, 0, 0 },
	{ X86_INS_CMPXCHG,    X86_C_ATOMIC, 0, 0, 0, 0 },
	{ X86_INS_CMPXCHG8B,  X86_C_ATOMIC, 0, 0, 0, 0 },
	{ X86_INS_CMPXCHG16B, X86_C_ATOMIC, 0, 0, 0, 0 },
	{ X86_INS_XADD,       X86_C_ATOMIC, 0, 0, 0, 0 },

	{ X86_INS_MOV,    X86_C_MOV, X86_EXT_NONE, 0, 0, 0 },
	{ X86_INS_MOVABS, X86_C_MOV, X86_EXT_NONE, 0, 0, 0 },
	{ X86_INS_MOVNTI, X86_C_MOV, X86_EXT_NONE, 0, 0, 0 },
	{ X86_INS_MOVZX,  X86_C_MOV, X86_EXT_ZERO, 0, 0, 0 },
	{ X86_INS_MOVSX,  X86_C_MOV, X86_EXT_SIGN, 0, 0, 0 },
	{ X86_INS_MOVSXD, X86_C_MOV, X86_EXT_SIGN, 0, 0, 0 },
	{ X86_INS_MOVBE,  X86_C_MOV, X86_EXT_SWAP, 0, 0, 0 },

	{ X86_INS_ADD, X86_C_ALU, X86_ALU_ADD, 0, 0, 0 },
	{ X86_INS_OR,  X86_C_ALU, X86_ALU_OR,  0, 0, 0 },
	{ X86_INS_ADC, X86_C_ALU, X86_ALU_ADC, 0, 0, 0 },
	{ X86_INS_SBB, X86_C_ALU, X86_ALU_SBB, 0, 0, 0 },
	{ X86_INS_AND, X86_C_ALU, X86_ALU_AND, 0, 0, 0 },
	{ X86_INS_SUB, X86_C_ALU, X86_ALU_SUB, 0, 0, 0 },
	{ X86_INS_XOR, X86_C_ALU, X86_ALU_XOR, 0, 0, 0 },

	{ X86_INS_INC, X86_C_UNARY, X86_ALU_INC, 0, 0, 0 },
	{ X86_INS_DEC, X86_C_UNARY, X86_ALU_DEC, 0, 0, 0 },
	{ X86_INS_NOT, X86_C_UNARY, X86_ALU_NOT, 0, 0, 0 },
	{ X86_INS_NEG, X86_C_UNARY, X86_ALU_NEG, 0, 0, 0 },

	{ X86_INS_SHL, X86_C_SHIFT, X86_ALU_SHL, 0, 0, 0 },
	{ X86_INS_SAL, X86_C_SHIFT, X86_ALU_SHL, 0, 0, 0 },
	{ X86_INS_SHR, X86_C_SHIFT, X86_ALU_SHR, 0, 0, 0 },
	{ X86_INS_SAR, X86_C_SHIFT, X86_ALU_SAR, 0, 0, 0 },
	{ X86_INS_ROL, X86_C_SHIFT, X86_ALU_ROL, 0, 0, 0 },
	{ X86_INS_ROR, X86_C_SHIFT, X86_ALU_ROR, 0, 0, 0 },
	{ X86_INS_RCL, X86_C_SHIFT, X86_ALU_RCL, 0, 0, 0 },
	{ X86_INS_RCR, X86_C_SHIFT, X86_ALU_RCR, 0, 0, 0 },

	{ X86_INS_CMP,  X86_C_CMP, X86_ALU_CMP,  0, 0, 0 },
	{ X86_INS_TEST, X86_C_CMP, X86_ALU_TEST, 0, 0, 0 },

	{ X86_INS_IMUL, X86_C_IMUL, X86_ALU_IMUL, 0, 0, 0 },

	{ X86_INS_CMOVO,  X86_C_CMOV, 0, 0, 0, 0 },  { X86_INS_CMOVNO, X86_C_CMOV, 1, 0, 0, 0 },
	{ X86_INS_CMOVB,  X86_C_CMOV, 2, 0, 0, 0 },  { X86_INS_CMOVAE, X86_C_CMOV, 3, 0, 0, 0 },
	{ X86_INS_CMOVE,  X86_C_CMOV, 4, 0, 0, 0 },  { X86_INS_CMOVNE, X86_C_CMOV, 5, 0, 0, 0 },
	{ X86_INS_CMOVBE, X86_C_CMOV, 6, 0, 0, 0 },  { X86_INS_CMOVA,  X86_C_CMOV, 7, 0, 0, 0 },
	{ X86_INS_CMOVS,  X86_C_CMOV, 8, 0, 0, 0 },  { X86_INS_CMOVNS, X86_C_CMOV, 9, 0, 0, 0 },
	{ X86_INS_CMOVP,  X86_C_CMOV, 10, 0, 0, 0 }, { X86_INS_CMOVNP, X86_C_CMOV, 11, 0, 0, 0 },
	{ X86_INS_CMOVL,  X86_C_CMOV, 12, 0, 0, 0 }, { X86_INS_CMOVGE, X86_C_CMOV, 13, 0, 0, 0 },
	{ X86_INS_CMOVLE, X86_C_CMOV, 14, 0, 0, 0 }, { X86_INS_CMOVG,  X86_C_CMOV, 15, 0, 0, 0 },

	{ X86_INS_SETO,  X86_C_SETCC, 0, 0, 0, 0 },  { X86_INS_SETNO, X86_C_SETCC, 1, 0, 0, 0 },
	{ X86_INS_SETB,  X86_C_SETCC, 2, 0, 0, 0 },  { X86_INS_SETAE, X86_C_SETCC, 3, 0, 0, 0 },
	{ X86_INS_SETE,  X86_C_SETCC, 4, 0, 0, 0 },  { X86_INS_SETNE, X86_C_SETCC, 5, 0, 0, 0 },
	{ X86_INS_SETBE, X86_C_SETCC, 6, 0, 0, 0 },  { X86_INS_SETA,  X86_C_SETCC, 7, 0, 0, 0 },
	{ X86_INS_SETS,  X86_C_SETCC, 8, 0, 0, 0 },  { X86_INS_SETNS, X86_C_SETCC, 9, 0, 0, 0 },
	{ X86_INS_SETP,  X86_C_SETCC, 10, 0, 0, 0 }, { X86_INS_SETNP, X86_C_SETCC, 11, 0, 0, 0 },
	{ X86_INS_SETL,  X86_C_SETCC, 12, 0, 0, 0 }, { X86_INS_SETGE, X86_C_SETCC, 13, 0, 0, 0 },
	{ X86_INS_SETLE, X86_C_SETCC, 14, 0, 0, 0 }, { X86_INS_SETG,  X86_C_SETCC, 15, 0, 0, 0 },

	/* legacy SSE: a write keeps the ymm/zmm bits above the xmm */
	{ X86_INS_MOVD,    X86_C_VEC, X86_VEC_LOW_ZERO, 0, 4, 0 },
	{ X86_INS_MOVQ,    X86_C_VEC, X86_VEC_LOW_ZERO, 0, 8, 0 },
	{ X86_INS_MOVSS,   X86_C_VEC, X86_VEC_LOW_ZERO, 0, 4, 0 },
	{ X86_INS_MOVDQU,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVDQA,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVUPS,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVAPS,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVUPD,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVAPD,  X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVNTDQ, X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVNTPS, X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVNTPD, X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVNTDQA, X86_C_VEC, X86_VEC_FULL, 0, 0, 0 },
	{ X86_INS_MOVLPS,  X86_C_VEC, X86_VEC_LOW_MERGE, 0, 8, 0 },
	{ X86_INS_MOVLPD,  X86_C_VEC, X86_VEC_LOW_MERGE, 0, 8, 0 },
	{ X86_INS_MOVHPS,  X86_C_VEC, X86_VEC_HIGH_MERGE, 0, 8, 0 },
	{ X86_INS_MOVHPD,  X86_C_VEC, X86_VEC_HIGH_MERGE, 0, 8, 0 },

	/* VEX and EVEX: a write zeroes the register above what it writes */
	{ X86_INS_VMOVD,     X86_C_VEC, X86_VEC_LOW_ZERO, 1, 4, 0 },
	{ X86_INS_VMOVQ,     X86_C_VEC, X86_VEC_LOW_ZERO, 1, 8, 0 },
	{ X86_INS_VMOVSS,    X86_C_VEC, X86_VEC_LOW_ZERO, 1, 4, 0 },
	{ X86_INS_VMOVSD,    X86_C_VEC, X86_VEC_LOW_ZERO, 1, 8, 0 },
	{ X86_INS_VMOVDQU,   X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	{ X86_INS_VMOVDQA,   X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	/* EVEX forms may take an opmask: its bits select elements of this size */
	{ X86_INS_VMOVDQU8,  X86_C_VEC, X86_VEC_FULL, 1, 0, 1 },
	{ X86_INS_VMOVDQU16, X86_C_VEC, X86_VEC_FULL, 1, 0, 2 },
	{ X86_INS_VMOVDQU32, X86_C_VEC, X86_VEC_FULL, 1, 0, 4 },
	{ X86_INS_VMOVDQU64, X86_C_VEC, X86_VEC_FULL, 1, 0, 8 },
	{ X86_INS_VMOVDQA32, X86_C_VEC, X86_VEC_FULL, 1, 0, 4 },
	{ X86_INS_VMOVDQA64, X86_C_VEC, X86_VEC_FULL, 1, 0, 8 },
	{ X86_INS_VMOVUPS,   X86_C_VEC, X86_VEC_FULL, 1, 0, 4 },
	{ X86_INS_VMOVAPS,   X86_C_VEC, X86_VEC_FULL, 1, 0, 4 },
	{ X86_INS_VMOVUPD,   X86_C_VEC, X86_VEC_FULL, 1, 0, 8 },
	{ X86_INS_VMOVAPD,   X86_C_VEC, X86_VEC_FULL, 1, 0, 8 },
	{ X86_INS_VMOVNTDQ,  X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	{ X86_INS_VMOVNTPS,  X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	{ X86_INS_VMOVNTPD,  X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	{ X86_INS_VMOVNTDQA, X86_C_VEC, X86_VEC_FULL, 1, 0, 0 },
	/* only their two-operand store forms: the loads take a second register */
	{ X86_INS_VMOVLPS,   X86_C_VEC, X86_VEC_LOW_MERGE, 1, 8, 0 },
	{ X86_INS_VMOVLPD,   X86_C_VEC, X86_VEC_LOW_MERGE, 1, 8, 0 },
	{ X86_INS_VMOVHPS,   X86_C_VEC, X86_VEC_HIGH_MERGE, 1, 8, 0 },
	{ X86_INS_VMOVHPD,   X86_C_VEC, X86_VEC_HIGH_MERGE, 1, 8, 0 },

	/* vector logic and compares with a memory source (a folded load);
	 * legacy SSE two-operand forms, VEX and unmasked EVEX three-operand */
	{ X86_INS_PXOR,    X86_C_VALU, X86_VALU_XOR, 0, 0, 0 },
	{ X86_INS_XORPS,   X86_C_VALU, X86_VALU_XOR, 0, 0, 0 },
	{ X86_INS_XORPD,   X86_C_VALU, X86_VALU_XOR, 0, 0, 0 },
	{ X86_INS_PAND,    X86_C_VALU, X86_VALU_AND, 0, 0, 0 },
	{ X86_INS_ANDPS,   X86_C_VALU, X86_VALU_AND, 0, 0, 0 },
	{ X86_INS_ANDPD,   X86_C_VALU, X86_VALU_AND, 0, 0, 0 },
	{ X86_INS_POR,     X86_C_VALU, X86_VALU_OR, 0, 0, 0 },
	{ X86_INS_ORPS,    X86_C_VALU, X86_VALU_OR, 0, 0, 0 },
	{ X86_INS_ORPD,    X86_C_VALU, X86_VALU_OR, 0, 0, 0 },
	{ X86_INS_PANDN,   X86_C_VALU, X86_VALU_ANDN, 0, 0, 0 },
	{ X86_INS_ANDNPS,  X86_C_VALU, X86_VALU_ANDN, 0, 0, 0 },
	{ X86_INS_ANDNPD,  X86_C_VALU, X86_VALU_ANDN, 0, 0, 0 },
	{ X86_INS_PCMPEQB, X86_C_VALU, X86_VALU_CMPEQ8, 0, 0, 0 },
	{ X86_INS_PCMPEQW, X86_C_VALU, X86_VALU_CMPEQ16, 0, 0, 0 },
	{ X86_INS_PCMPEQD, X86_C_VALU, X86_VALU_CMPEQ32, 0, 0, 0 },
	{ X86_INS_PMINUB,  X86_C_VALU, X86_VALU_MINUB, 0, 0, 0 },
	{ X86_INS_PMAXUB,  X86_C_VALU, X86_VALU_MAXUB, 0, 0, 0 },
	{ X86_INS_VPXOR,   X86_C_VALU, X86_VALU_XOR, 1, 0, 0 },
	{ X86_INS_VPXORD,  X86_C_VALU, X86_VALU_XOR, 1, 0, 0 },
	{ X86_INS_VPXORQ,  X86_C_VALU, X86_VALU_XOR, 1, 0, 0 },
	{ X86_INS_VXORPS,  X86_C_VALU, X86_VALU_XOR, 1, 0, 0 },
	{ X86_INS_VXORPD,  X86_C_VALU, X86_VALU_XOR, 1, 0, 0 },
	{ X86_INS_VPAND,   X86_C_VALU, X86_VALU_AND, 1, 0, 0 },
	{ X86_INS_VPANDD,  X86_C_VALU, X86_VALU_AND, 1, 0, 0 },
	{ X86_INS_VPANDQ,  X86_C_VALU, X86_VALU_AND, 1, 0, 0 },
	{ X86_INS_VANDPS,  X86_C_VALU, X86_VALU_AND, 1, 0, 0 },
	{ X86_INS_VANDPD,  X86_C_VALU, X86_VALU_AND, 1, 0, 0 },
	{ X86_INS_VPOR,    X86_C_VALU, X86_VALU_OR, 1, 0, 0 },
	{ X86_INS_VPORD,   X86_C_VALU, X86_VALU_OR, 1, 0, 0 },
	{ X86_INS_VPORQ,   X86_C_VALU, X86_VALU_OR, 1, 0, 0 },
	{ X86_INS_VORPS,   X86_C_VALU, X86_VALU_OR, 1, 0, 0 },
	{ X86_INS_VORPD,   X86_C_VALU, X86_VALU_OR, 1, 0, 0 },
	{ X86_INS_VPANDN,  X86_C_VALU, X86_VALU_ANDN, 1, 0, 0 },
	{ X86_INS_VPANDND, X86_C_VALU, X86_VALU_ANDN, 1, 0, 0 },
	{ X86_INS_VPANDNQ, X86_C_VALU, X86_VALU_ANDN, 1, 0, 0 },
	{ X86_INS_VANDNPS, X86_C_VALU, X86_VALU_ANDN, 1, 0, 0 },
	{ X86_INS_VANDNPD, X86_C_VALU, X86_VALU_ANDN, 1, 0, 0 },
	/* the EVEX compares write an opmask register: refused by the operand check */
	{ X86_INS_VPCMPEQB, X86_C_VALU, X86_VALU_CMPEQ8, 1, 0, 0 },
	{ X86_INS_VPCMPEQW, X86_C_VALU, X86_VALU_CMPEQ16, 1, 0, 0 },
	{ X86_INS_VPCMPEQD, X86_C_VALU, X86_VALU_CMPEQ32, 1, 0, 0 },
	{ X86_INS_VPMINUB,  X86_C_VALU, X86_VALU_MINUB, 1, 0, 0 },
	{ X86_INS_VPMAXUB,  X86_C_VALU, X86_VALU_MAXUB, 1, 0, 0 },

	{ X86_INS_BT,  X86_C_BT, X86_ALU_BT, 0, 0, 0 },
	{ X86_INS_BTS, X86_C_BT, X86_ALU_BTS, 0, 0, 0 },
	{ X86_INS_BTR, X86_C_BT, X86_ALU_BTR, 0, 0, 0 },
	{ X86_INS_BTC, X86_C_BT, X86_ALU_BTC, 0, 0, 0 },

	{ X86_INS_MOVSB, X86_C_MOVS, 0, 0, 0, 0 },
	{ X86_INS_MOVSW, X86_C_MOVS, 0, 0, 0, 0 },
	{ X86_INS_MOVSQ, X86_C_MOVS, 0, 0, 0, 0 },
	{ X86_INS_MOVSD, X86_C_MOVSD, X86_VEC_LOW_ZERO, 0, 8, 0 },
	{ X86_INS_STOSB, X86_C_STOS, 0, 0, 0, 0 },
	{ X86_INS_STOSW, X86_C_STOS, 0, 0, 0, 0 },
	{ X86_INS_STOSD, X86_C_STOS, 0, 0, 0, 0 },
	{ X86_INS_STOSQ, X86_C_STOS, 0, 0, 0, 0 },
};

const struct x86_row *x86_row_find(unsigned id)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].id == id)
			return &rows[i];
	return NULL;
}

int arch_cs_open(csh *handle)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, handle) != CS_ERR_OK)
		return MMIO_E_DECODE;
	if (cs_option(*handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
		cs_close(handle);
		return MMIO_E_DECODE;
	}
	return 0;
}

/* General-purpose registers by capstone id: number + 1 (0: not a GPR),
 * size in bytes, and whether it is ah/ch/dh/bh. */
struct gpr_info {
	uint8_t num1;
	uint8_t size;
	uint8_t hi8;
};

#define GPR(n, b, w, d, q) \
	[X86_REG_##b] = { (n) + 1, 1, 0 }, [X86_REG_##w] = { (n) + 1, 2, 0 }, \
	[X86_REG_##d] = { (n) + 1, 4, 0 }, [X86_REG_##q] = { (n) + 1, 8, 0 }

static const struct gpr_info gprs[X86_REG_ENDING] = {
	GPR(0, AL, AX, EAX, RAX),	GPR(1, CL, CX, ECX, RCX),
	GPR(2, DL, DX, EDX, RDX),	GPR(3, BL, BX, EBX, RBX),
	GPR(4, SPL, SP, ESP, RSP),	GPR(5, BPL, BP, EBP, RBP),
	GPR(6, SIL, SI, ESI, RSI),	GPR(7, DIL, DI, EDI, RDI),
	GPR(8, R8B, R8W, R8D, R8),	GPR(9, R9B, R9W, R9D, R9),
	GPR(10, R10B, R10W, R10D, R10),	GPR(11, R11B, R11W, R11D, R11),
	GPR(12, R12B, R12W, R12D, R12),	GPR(13, R13B, R13W, R13D, R13),
	GPR(14, R14B, R14W, R14D, R14),	GPR(15, R15B, R15W, R15D, R15),
	[X86_REG_AH] = { 1, 1, 1 },	[X86_REG_CH] = { 2, 1, 1 },
	[X86_REG_DH] = { 3, 1, 1 },	[X86_REG_BH] = { 4, 1, 1 },
};

_Static_assert(X86_REG_XMM31 - X86_REG_XMM0 == 31 && X86_REG_YMM31 - X86_REG_YMM0 == 31 &&
	       X86_REG_ZMM31 - X86_REG_ZMM0 == 31 && X86_REG_K7 - X86_REG_K0 == 7,
	       "capstone's xmm, ymm, zmm and k register ids are contiguous");

static const struct gpr_info *gpr_of(x86_reg r)
{
	if (r <= X86_REG_INVALID || r >= X86_REG_ENDING || !gprs[r].num1)
		return NULL;
	return &gprs[r];
}

/* A register or immediate operand into *o. */
static int opnd_decode(const cs_insn *ci, const cs_x86_op *op, struct x86_opnd *o, int64_t *imm)
{
	const cs_x86 *d = &ci->detail->x86;

	if (op->type == X86_OP_IMM) {
		o->kind = X86_OPND_IMM;
		o->size = op->size;
		*imm = op->imm;
		/* the encoded bytes, sign-extended: exactly what the CPU uses */
		unsigned off = d->encoding.imm_offset, n = d->encoding.imm_size;
		if (n == 1 || n == 2 || n == 4 || n == 8) {
			if (off + n > ci->size)
				return MMIO_E_DECODE;
			uint64_t v = 0;
			for (unsigned i = 0; i < n; i++)
				v |= (uint64_t)ci->bytes[off + i] << (8 * i);
			if (n < 8 && (v >> (8 * n - 1)) & 1)
				v |= ~0ull << (8 * n);
			*imm = (int64_t)v;
		}
		return 0;
	}
	if (op->type != X86_OP_REG)
		return MMIO_E_UNSUPPORTED;
	const struct gpr_info *g = gpr_of(op->reg);
	if (g) {
		o->kind = g->hi8 ? X86_OPND_HI8 : X86_OPND_GPR;
		o->num = g->num1 - 1;
		o->size = g->size;
		return 0;
	}
	if (op->reg >= X86_REG_XMM0 && op->reg <= X86_REG_XMM31) {
		o->kind = X86_OPND_VEC;
		o->num = op->reg - X86_REG_XMM0;
		o->size = 16;
		return 0;
	}
	if (op->reg >= X86_REG_YMM0 && op->reg <= X86_REG_YMM31) {
		o->kind = X86_OPND_VEC;
		o->num = op->reg - X86_REG_YMM0;
		o->size = 32;
		return 0;
	}
	if (op->reg >= X86_REG_ZMM0 && op->reg <= X86_REG_ZMM31) {
		o->kind = X86_OPND_VEC;
		o->num = op->reg - X86_REG_ZMM0;
		o->size = 64;
		return 0;
	}
	return MMIO_E_UNSUPPORTED;	/* mmx, k, segment, control ... */
}

static int gpr_decode(const cs_insn *ci, const cs_x86_op *op, struct x86_opnd *o)
{
	int64_t imm;
	int err = opnd_decode(ci, op, o, &imm);
	if (err)
		return err;
	return o->kind == X86_OPND_GPR || o->kind == X86_OPND_HI8 ? 0 : MMIO_E_UNSUPPORTED;
}

/* A register or an immediate source. */
static int src_decode(const cs_insn *ci, const cs_x86_op *op, struct x86_opnd *o, int64_t *imm)
{
	int err = opnd_decode(ci, op, o, imm);
	if (err)
		return err;
	return o->kind == X86_OPND_VEC ? MMIO_E_UNSUPPORTED : 0;
}

static int addr_reg(x86_reg r, int addr32, uint8_t *num)
{
	const struct gpr_info *g = gpr_of(r);
	if (!g || g->hi8 || g->size != (addr32 ? 4 : 8))
		return MMIO_E_UNSUPPORTED;
	*num = g->num1 - 1;
	return 0;
}

static int mem_decode(const cs_x86 *d, const x86_op_mem *m, struct x86_mem *out)
{
	out->addr32 = d->addr_size == 4;
	if (d->addr_size != 4 && d->addr_size != 8)
		return MMIO_E_UNSUPPORTED;

	switch (m->segment) {
	case X86_REG_FS: out->seg = X86_SEG_FS; break;
	case X86_REG_GS: out->seg = X86_SEG_GS; break;
	default: out->seg = X86_SEG_NONE; break;	/* cs ds es ss: no effect in 64-bit mode */
	}

	if (m->base == X86_REG_INVALID)
		out->base = X86_BASE_NONE;
	else if (m->base == X86_REG_RIP || m->base == X86_REG_EIP)
		out->base = X86_BASE_RIP;
	else if (addr_reg(m->base, out->addr32, &out->base))
		return MMIO_E_UNSUPPORTED;

	if (m->index == X86_REG_INVALID || m->index == X86_REG_RIZ || m->index == X86_REG_EIZ)
		out->index = X86_BASE_NONE;
	else if (addr_reg(m->index, out->addr32, &out->index))
		return MMIO_E_UNSUPPORTED;	/* also VSIB (gathers, scatters) */

	out->scale = m->scale ? m->scale : 1;
	out->disp = m->disp;
	return 0;
}

/* Per-class decoders: they fill x and out->kind, or return why not. */
typedef int decode_fn(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out);

static const cs_x86_op *ops(const cs_insn *ci)
{
	return ci->detail->x86.operands;
}

static int nops(const cs_insn *ci)
{
	return ci->detail->x86.op_count;
}

static int mem_at(const cs_insn *ci, int i)
{
	return i < nops(ci) && ops(ci)[i].type == X86_OP_MEM;
}

/* Is byte b among the instruction's legacy prefixes? capstone keeps one
 * prefix per group and may drop one it takes for part of the opcode: f0
 * f2 89 .. reads as repne mov (the lock lost, #UD on the CPU), f2 a5 as
 * movsd (the rep lost), 66 f2 09 .. with a dword operand (the 66 lost).
 * The bytes say what the CPU sees. */
static bool legacy_prefix_byte(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
	case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

static bool legacy_prefix(const cs_insn *ci, uint8_t b)
{
	for (int i = 0; i < ci->size && legacy_prefix_byte(ci->bytes[i]); i++)
		if (ci->bytes[i] == b)
			return true;
	return false;
}

static int decode_mov(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 2)
		return MMIO_E_UNSUPPORTED;
	/* movnti has 32 and 64-bit forms only: with 66 it is #UD */
	if (ci->id == X86_INS_MOVNTI && legacy_prefix(ci, 0x66))
		return MMIO_E_UNSUPPORTED;
	x->ext = row->arg;
	if (mem_at(ci, 0)) {
		x->op = X86_OP_STORE;
		out->kind = INSN_STORE;
		int err = src_decode(ci, &ops(ci)[1], &x->reg, &x->imm);
		if (err)
			return err;	/* mov mem, segment register */
		return x->reg.kind == X86_OPND_IMM || x->reg.size == out->width ? 0 : MMIO_E_UNSUPPORTED;
	}
	if (!mem_at(ci, 1))
		return MMIO_E_UNSUPPORTED;
	x->op = X86_OP_LOAD;
	out->kind = INSN_LOAD;
	int err = gpr_decode(ci, &ops(ci)[0], &x->reg);
	if (err)
		return err;
	/* capstone 4.0.2 calls movsxd without REX.W "movsxd rax, dword":
	 * it is a 32-bit move (zero-extended like any 32-bit write) */
	if (ci->id == X86_INS_MOVSXD && !(ci->detail->x86.rex & 8)) {
		if (ci->detail->x86.prefix[2] == X86_PREFIX_OPSIZE)
			return MMIO_E_UNSUPPORTED;
		x->reg.size = 4;
		x->ext = X86_EXT_NONE;
	}
	return 0;
}

static int decode_alu(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 2)
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	if (mem_at(ci, 0)) {
		x->op = X86_OP_RMW;
		out->kind = INSN_RMW;
		return src_decode(ci, &ops(ci)[1], &x->src, &x->imm);
	}
	x->op = X86_OP_ALU_LOAD;
	out->kind = INSN_LOAD;
	return gpr_decode(ci, &ops(ci)[0], &x->reg);
}

static int decode_unary(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 1 || !mem_at(ci, 0))
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	x->op = X86_OP_RMW;
	out->kind = INSN_RMW;
	return 0;
}

static int decode_shift(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (!mem_at(ci, 0) || nops(ci) > 2)
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	x->op = X86_OP_RMW;
	out->kind = INSN_RMW;
	if (nops(ci) == 1) {	/* the D0/D1 "by one" forms, if printed without the 1 */
		x->src.kind = X86_OPND_IMM;
		x->imm = 1;
		return 0;
	}
	int err = src_decode(ci, &ops(ci)[1], &x->src, &x->imm);
	if (err)
		return err;
	if (x->src.kind == X86_OPND_GPR && !(x->src.num == 1 && x->src.size == 1))
		return MMIO_E_UNSUPPORTED;	/* the count is an immediate or cl */
	return x->src.kind == X86_OPND_HI8 ? MMIO_E_UNSUPPORTED : 0;
}

static int decode_cmp(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 2)
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	x->op = X86_OP_CMP;
	out->kind = INSN_CMP;
	if (mem_at(ci, 0)) {
		x->mem_first = 1;
		return src_decode(ci, &ops(ci)[1], &x->src, &x->imm);
	}
	return gpr_decode(ci, &ops(ci)[0], &x->reg);
}

static int decode_imul(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if ((nops(ci) != 2 && nops(ci) != 3) || !mem_at(ci, 1))
		return MMIO_E_UNSUPPORTED;	/* the one-operand form writes rdx:rax */
	x->alu = row->arg;
	x->op = X86_OP_ALU_LOAD;
	out->kind = INSN_LOAD;
	int err = gpr_decode(ci, &ops(ci)[0], &x->reg);
	if (err)
		return err;
	if (nops(ci) == 3) {
		err = src_decode(ci, &ops(ci)[2], &x->src, &x->imm);
		if (err || x->src.kind != X86_OPND_IMM)
			return MMIO_E_UNSUPPORTED;
	}
	return 0;
}

static int decode_cmov(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 2 || !mem_at(ci, 1))
		return MMIO_E_UNSUPPORTED;
	x->cc = row->arg;
	x->op = X86_OP_CMOV;
	out->kind = INSN_LOAD;
	return gpr_decode(ci, &ops(ci)[0], &x->reg);
}

static int decode_setcc(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 1 || !mem_at(ci, 0))
		return MMIO_E_UNSUPPORTED;
	x->cc = row->arg;
	x->op = X86_OP_SETCC;
	out->kind = INSN_STORE;
	return 0;
}

static int is_opmask(const cs_x86_op *op)
{
	return op->type == X86_OP_REG && op->reg >= X86_REG_K0 && op->reg <= X86_REG_K7;
}

/* A broadcast ({1toN}: one element read and repeated) or an opmask
 * operand at any position but the one the caller handles. */
static int bcast_or_opmask(const cs_insn *ci, int allowed_k)
{
	for (int i = 0; i < nops(ci); i++)
		if (ops(ci)[i].avx_bcast != X86_AVX_BCAST_INVALID || (i != allowed_k && is_opmask(&ops(ci)[i])))
			return 1;
	return 0;
}

static int decode_vec(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	/* EVEX merge/zero masking: "mem {k}, reg" or "reg {k}{z}, mem";
	 * capstone prints k0 (no masking) as no operand at all */
	int n = nops(ci), masked = n == 3 && is_opmask(&ops(ci)[1]);
	if (bcast_or_opmask(ci, masked ? 1 : -1))
		return MMIO_E_UNSUPPORTED;
	if (n != (masked ? 3 : 2))
		return MMIO_E_UNSUPPORTED;	/* vmovlps xmm, xmm, mem and friends */
	x->vec = row->arg;
	x->vex = row->vex;
	/* capstone 4.0.2 calls the memory of EVEX vmovq (f3 0f 7e) an xmmword */
	if (row->width)
		out->width = row->width;
	int store = mem_at(ci, 0);
	if (!store && !mem_at(ci, n - 1))
		return MMIO_E_UNSUPPORTED;
	if (masked) {
		if (!row->elem || ci->detail->x86.opcode[0] != 0x62)
			return MMIO_E_UNSUPPORTED;	/* vmovss/vmovsd {k}: not emulated */
		x->mask = (uint8_t)(ops(ci)[1].reg - X86_REG_K0);
		x->zero = ops(ci)[1].avx_zero_opmask;
		x->elem = row->elem;
		if (store && x->zero)
			return MMIO_E_UNSUPPORTED;	/* {z} on a store: #UD */
	}
	int64_t imm;
	int err = opnd_decode(ci, &ops(ci)[store ? n - 1 : 0], &x->reg, &imm);
	if (err || x->reg.kind != X86_OPND_VEC)
		return MMIO_E_UNSUPPORTED;	/* mmx, or movq with a gpr */
	if (!x->vex && (x->reg.size != 16 || x->reg.num > 15))
		return MMIO_E_UNSUPPORTED;
	switch (x->vec) {
	case X86_VEC_FULL:
		if (out->width != x->reg.size)
			return MMIO_E_UNSUPPORTED;
		break;
	case X86_VEC_LOW_ZERO:
		if (out->width != 4 && out->width != 8)
			return MMIO_E_UNSUPPORTED;
		break;
	default:
		if (out->width != 8 || (x->vex && !store))
			return MMIO_E_UNSUPPORTED;
		break;
	}
	x->op = store ? X86_OP_VSTORE : X86_OP_VLOAD;
	out->kind = store ? INSN_STORE : INSN_LOAD;
	/* A masked move accesses the selected elements only, as one io call
	 * per contiguous run of them: byte runs of any length at any address,
	 * pieces of one vector access that has no alignment of its own, like
	 * a block copy's (the shim's alignment check knows INSN_COPY). */
	if (x->mask)
		out->kind = INSN_COPY;
	return 0;
}

/* Vector logic and compares with a memory source: "xmm, mem" (legacy SSE:
 * the destination is the first source, the bits above the xmm kept) or
 * "reg, reg, mem" (VEX, unmasked EVEX: zeroed above). */
static int decode_valu(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	int n = nops(ci);
	int64_t imm;

	/* broadcasts, masking, EVEX compares into an opmask register */
	if (bcast_or_opmask(ci, -1))
		return MMIO_E_UNSUPPORTED;
	if (n != (row->vex ? 3 : 2) || !mem_at(ci, n - 1))
		return MMIO_E_UNSUPPORTED;
	if (opnd_decode(ci, &ops(ci)[0], &x->reg, &imm) || x->reg.kind != X86_OPND_VEC)
		return MMIO_E_UNSUPPORTED;	/* mmx */
	if (row->vex) {
		if (opnd_decode(ci, &ops(ci)[1], &x->src, &imm) || x->src.kind != X86_OPND_VEC ||
		    x->src.size != x->reg.size)
			return MMIO_E_UNSUPPORTED;
	} else {
		if (x->reg.size != 16 || x->reg.num > 15)
			return MMIO_E_UNSUPPORTED;
		x->src = x->reg;
	}
	if (out->width != x->reg.size)
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	x->vex = row->vex;
	x->op = X86_OP_VALU;
	out->kind = INSN_LOAD;
	return 0;
}


/* Prefixes the shim does not take, though capstone decodes past them:
 * f2/f3 on a general-register instruction mean nothing (or xacquire,
 * xrelease) and capstone may then misread its operand size; on a legacy
 * SSE instruction they are part of the opcode, and where that opcode does
 * not exist (f2 0f 56: no "orps" with f2) the CPU raises #UD; 66, f2, f3,
 * f0 or REX before a VEX or EVEX prefix is #UD too. Two segment
 * overrides, or prefixes after a REX: capstone and the CPU differ on what
 * applies. */
static bool prefixes_refused(const cs_insn *ci, const struct x86_row *row)
{
	int i = 0, segments = 0;

	for (; i < ci->size && legacy_prefix_byte(ci->bytes[i]); i++)
		segments += ci->bytes[i] == 0x2e || ci->bytes[i] == 0x36 || ci->bytes[i] == 0x3e ||
			    ci->bytes[i] == 0x26 || ci->bytes[i] == 0x64 || ci->bytes[i] == 0x65;
	/* 64 36 ..: capstone takes the last (ss), the CPU ignores ss in
	 * 64-bit mode and uses fs */
	if (segments > 1)
		return true;
	int first = i;
	if (i < ci->size && (ci->bytes[i] & 0xf0) == 0x40)
		i++;	/* REX */
	/* a REX not right before the opcode is ignored by the CPU, and the
	 * prefixes after it are read differently by capstone */
	if (i > first && i < ci->size && (legacy_prefix_byte(ci->bytes[i]) || (ci->bytes[i] & 0xf0) == 0x40))
		return true;
	bool vex = i < ci->size && (ci->bytes[i] == 0xc4 || ci->bytes[i] == 0xc5 || ci->bytes[i] == 0x62);
	bool rep = legacy_prefix(ci, 0xf2) || legacy_prefix(ci, 0xf3);
	/* EVEX: the reserved bits the CPU checks (P0 bits 3-2 zero, P1 bit
	 * 2 one) and the vector length L'L = 11, which is #UD; capstone
	 * decodes past them (62 f1 65 60 db: "vpandd" of 512 bits) */
	if (i + 3 < ci->size && ci->bytes[i] == 0x62 &&
	    ((ci->bytes[i + 1] & 0x0c) || !(ci->bytes[i + 2] & 0x04) || ((ci->bytes[i + 3] >> 5) & 3) == 3))
		return true;
	/* EVEX: the vector length is L'L; capstone 4 may name registers of
	 * another length (62 e1 e5 28 de: W=1, L'L=01, "vpmaxub xmm22", a
	 * 256-bit operation on the CPU). vmovss/vmovsd ignore L'L. */
	if (i + 3 < ci->size && ci->bytes[i] == 0x62 && ci->id != X86_INS_VMOVSS && ci->id != X86_INS_VMOVSD) {
		int ll = (ci->bytes[i + 3] >> 5) & 3;
		for (int k = 0; k < nops(ci); k++) {
			x86_reg r = ops(ci)[k].type == X86_OP_REG ? ops(ci)[k].reg : X86_REG_INVALID;
			int len = r >= X86_REG_XMM0 && r <= X86_REG_XMM31   ? 0
				  : r >= X86_REG_YMM0 && r <= X86_REG_YMM31 ? 1
				  : r >= X86_REG_ZMM0 && r <= X86_REG_ZMM31 ? 2
									    : -1;
			if (len >= 0 && len != ll)
				return true;
		}
	}
	if (vex)
		return i > 0 && (legacy_prefix(ci, 0x66) || rep || legacy_prefix(ci, 0xf0) || i > first);
	/* 0f 60..7f and 0f d0..ff without 66 (or f3: movdqu, movq) are the
	 * MMX forms; capstone 4 reads some with REX.W as xmm (67 4e 0f de:
	 * "pmaxub xmm9", the CPU's is pmaxub mm1, m64) */
	const uint8_t *op = ci->detail->x86.opcode;
	if ((row->cls == X86_C_VEC || row->cls == X86_C_VALU) && op[0] == 0x0f &&
	    ((op[1] >= 0x60 && op[1] <= 0x7f) || op[1] >= 0xd0) && !legacy_prefix(ci, 0x66) &&
	    !legacy_prefix(ci, 0xf3))
		return true;
	if (!rep)
		return false;
	switch (row->cls) {
	case X86_C_MOVS: case X86_C_STOS: case X86_C_MOVSD:
		return false;	/* rep */
	case X86_C_VEC: case X86_C_VALU: {
		/* the legacy SSE moves whose opcode takes f3 or f2 (movss, movdqu,
		 * movq load f3 0f 7e; movsd f2); with both, or with 66 as well,
		 * the CPU and capstone may read another instruction (f2 66 0f
		 * d6 is movdq2q, #UD with memory, not movq) */
		bool f2 = legacy_prefix(ci, 0xf2), f3 = legacy_prefix(ci, 0xf3);
		if ((f2 && f3) || legacy_prefix(ci, 0x66))
			return true;
		if (f2)
			return ci->id != X86_INS_MOVSD;
		return ci->id != X86_INS_MOVSS && ci->id != X86_INS_MOVDQU &&
		       !(ci->id == X86_INS_MOVQ && op[0] == 0x0f && op[1] == 0x7e);
	}
	default:
		return true;
	}
}

/* bt mem, imm/reg reads; bts btr btc write back (lock: refused before). */
static int decode_bt(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (nops(ci) != 2 || !mem_at(ci, 0) || out->width < 2 || out->width > 8)
		return MMIO_E_UNSUPPORTED;
	x->alu = row->arg;
	x->op = X86_OP_BT;
	out->kind = row->arg == X86_ALU_BT ? INSN_CMP : INSN_RMW;
	int err = src_decode(ci, &ops(ci)[1], &x->src, &x->imm);
	if (err)
		return err;
	if (x->src.kind == X86_OPND_HI8 || (x->src.kind == X86_OPND_GPR && x->src.size != out->width))
		return MMIO_E_UNSUPPORTED;
	return 0;
}

static int decode_string(const cs_insn *ci, struct x86_decoded *x, struct insn *out, int movs)
{
	const cs_x86 *d = &ci->detail->x86;
	if (!mem_at(ci, 0) || (movs && !mem_at(ci, 1)))
		return MMIO_E_UNSUPPORTED;
	if (d->addr_size != 8)
		return MMIO_E_UNSUPPORTED;	/* esi/edi/ecx string operations */
	if (movs && ops(ci)[1].mem.segment != X86_REG_INVALID && ops(ci)[1].mem.segment != X86_REG_DS)
		return MMIO_E_UNSUPPORTED;	/* fs:/gs: on the source */
	/* capstone 4.0.2 calls "rep movsw" (f3 66 a5) "rep movsd dword": take
	 * the element size from the encoding */
	uint8_t opc = d->opcode[0];
	if (opc != 0xa4 && opc != 0xa5 && opc != 0xaa && opc != 0xab)
		return MMIO_E_UNSUPPORTED;
	if (opc == 0xa4 || opc == 0xaa)
		out->width = 1;
	else if (d->rex & 8)
		out->width = 8;
	else if (d->prefix[2] == X86_PREFIX_OPSIZE || legacy_prefix(ci, 0x66))
		out->width = 2;
	else
		out->width = 4;
	/* f2 acts as rep on movs/stos too */
	x->rep = d->prefix[0] == X86_PREFIX_REP || d->prefix[0] == X86_PREFIX_REPNE || legacy_prefix(ci, 0xf2) ||
		 legacy_prefix(ci, 0xf3);
	x->op = movs ? X86_OP_MOVS : X86_OP_STOS;
	x->reg.kind = X86_OPND_GPR;	/* stos stores al/ax/eax/rax */
	x->reg.num = 0;
	x->reg.size = out->width;
	out->kind = INSN_COPY;
	out->element = out->width;
	return 0;
}

static int decode_movs(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	(void)row;
	return decode_string(ci, x, out, 1);
}

static int decode_stos(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	(void)row;
	return decode_string(ci, x, out, 0);
}

/* movsd: the string form has two memory operands, the SSE form a register. */
static int decode_movsd(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	if (mem_at(ci, 0) && mem_at(ci, 1))
		return decode_string(ci, x, out, 1);
	return decode_vec(row, ci, x, out);
}

static int decode_atomic(const struct x86_row *row, const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	(void)row, (void)ci, (void)x;
	out->kind = INSN_RMW;
	return MMIO_E_ATOMIC;
}

static decode_fn *const decoders[] = {
	[X86_C_ATOMIC] = decode_atomic,
	[X86_C_MOV] = decode_mov,
	[X86_C_ALU] = decode_alu,
	[X86_C_UNARY] = decode_unary,
	[X86_C_SHIFT] = decode_shift,
	[X86_C_CMP] = decode_cmp,
	[X86_C_IMUL] = decode_imul,
	[X86_C_CMOV] = decode_cmov,
	[X86_C_SETCC] = decode_setcc,
	[X86_C_VEC] = decode_vec,
	[X86_C_VALU] = decode_valu,
	[X86_C_BT] = decode_bt,
	[X86_C_MOVS] = decode_movs,
	[X86_C_STOS] = decode_stos,
	[X86_C_MOVSD] = decode_movsd,
};

static int decode_insn(const cs_insn *ci, struct x86_decoded *x, struct insn *out)
{
	const cs_x86 *d = &ci->detail->x86;
	int m = -1;

	for (int i = nops(ci) - 1; i >= 0; i--)
		if (ops(ci)[i].type == X86_OP_MEM)
			m = i;
	if (m >= 0)
		out->width = ops(ci)[m].size;
	out->kind = INSN_LOAD;

	const struct x86_row *row = x86_row_find(ci->id);
	if (d->prefix[0] == X86_PREFIX_LOCK || legacy_prefix(ci, 0xf0) || (row && row->cls == X86_C_ATOMIC)) {
		out->kind = INSN_RMW;
		if (m >= 0 && !mem_decode(d, &ops(ci)[m].mem, &x->mem))
			x->has_mem = 1;
		return MMIO_E_ATOMIC;
	}
	if (m < 0)
		return MMIO_E_UNSUPPORTED;
	int err = mem_decode(d, &ops(ci)[m].mem, &x->mem);
	if (err)
		return err;
	x->has_mem = 1;
	if (!row)
		return MMIO_E_UNSUPPORTED;
	if (prefixes_refused(ci, row))
		return MMIO_E_UNSUPPORTED;
	if (out->width != 1 && out->width != 2 && out->width != 4 && out->width != 8 &&
	    out->width != 16 && out->width != 32 && out->width != 64)
		return MMIO_E_UNSUPPORTED;
	return decoders[row->cls](row, ci, x, out);
}

/* out->text = "mnemonic operands", cut to fit. */
static void text_set(struct insn *out, const char *mnemonic, const char *operands)
{
	size_t n = 0, cap = sizeof out->text - 1;

	for (const char *s = mnemonic; *s && n < cap; s++)
		out->text[n++] = *s;
	if (operands[0] && n < cap)
		out->text[n++] = ' ';
	for (const char *s = operands; *s && n < cap; s++)
		out->text[n++] = *s;
	out->text[n] = 0;
}

/* For bytes capstone cannot decode: ".byte 0x0f, 0x0b, ...". */
static void text_bytes(struct insn *out, const uint8_t *code, size_t avail)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, cap = sizeof out->text - 1;

	memcpy(out->text, ".byte", 5);
	n = 5;
	for (size_t i = 0; i < avail && i < ARCH_MAX_INSN && n + 6 <= cap; i++) {
		out->text[n++] = i ? ',' : ' ';
		out->text[n++] = '0';
		out->text[n++] = 'x';
		out->text[n++] = hex[code[i] >> 4];
		out->text[n++] = hex[code[i] & 15];
	}
	out->text[n] = 0;
}

int arch_decode(csh handle, cs_insn *scratch, const uint8_t *code, size_t avail,
		uint64_t pc, struct insn *out)
{
	const uint8_t *p = code;
	size_t left = avail;
	uint64_t addr = pc;
	struct x86_decoded x;

	memset(out, 0, sizeof *out);
	memset(&x, 0, sizeof x);
	out->pc = pc;
	if (!cs_disasm_iter(handle, &p, &left, &addr, scratch) || !scratch->detail) {
		text_bytes(out, code, avail);
		out->refuse = MMIO_E_DECODE;
		return MMIO_E_DECODE;
	}
	out->len = scratch->size;
	text_set(out, scratch->mnemonic, scratch->op_str);

	out->refuse = decode_insn(scratch, &x, out);
	memcpy(out->arch, &x, sizeof x);	/* for refusals too: arch_data_address */
	return 0;
}
