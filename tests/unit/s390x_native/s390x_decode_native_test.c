/* The s390x decoder on any host: capstone decodes s390x everywhere, and
 * decode.c + table.c need no s390x machine. For every row of the semantics
 * table, bytes encoded from the row's opcode and format with chosen fields
 * go through arch_decode, with capstone (SYSZ, big-endian) and without;
 * the result is checked against the expectations written out below, which
 * come from the Principles of Operation and not from the table: width,
 * kind, extension, registers, base/index/displacement, immediate, length,
 * text and refusal. Every instruction issue 3 names must be in the table.
 * Then bytes nobody can or may emulate. Exit 0 or 1, one line per failure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s390x.h"

static int failures, checks, capstone_named;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

/* kinds: L load, S store, R read-modify-write, C compare, Y copy/block.
 * ext: Z zero, S sign, W byte-swap, 3 31-bit. width 0: from the fields
 * (ICM/STCM: bits in M3; VLREP: 2^M3). refuse: 0, 'A' atomic,
 * 'U' unsupported. fpr: the register operand is a floating-point one. */
struct want {
	const char *mn;
	unsigned width;
	char kind, ext, refuse;
	int fpr;
};

static const struct want wants[] = {
	/* loads */
	{ "l", 4, 'L', 'Z', 0, 0 }, { "ly", 4, 'L', 'Z', 0, 0 }, { "lg", 8, 'L', 'Z', 0, 0 }, { "lgf", 4, 'L', 'S', 0, 0 },
	{ "llgf", 4, 'L', 'Z', 0, 0 }, { "llgt", 4, 'L', '3', 0, 0 }, { "lh", 2, 'L', 'S', 0, 0 }, { "lhy", 2, 'L', 'S', 0, 0 },
	{ "lgh", 2, 'L', 'S', 0, 0 }, { "llh", 2, 'L', 'Z', 0, 0 }, { "llgh", 2, 'L', 'Z', 0, 0 }, { "lb", 1, 'L', 'S', 0, 0 },
	{ "lgb", 1, 'L', 'S', 0, 0 }, { "llc", 1, 'L', 'Z', 0, 0 }, { "llgc", 1, 'L', 'Z', 0, 0 }, { "ic", 1, 'L', 'Z', 0, 0 },
	{ "icy", 1, 'L', 'Z', 0, 0 }, { "lrv", 4, 'L', 'W', 0, 0 }, { "lrvg", 8, 'L', 'W', 0, 0 }, { "lrvh", 2, 'L', 'W', 0, 0 },
	{ "lfh", 4, 'L', 'Z', 0, 0 }, { "lhh", 2, 'L', 'S', 0, 0 }, { "llhh", 2, 'L', 'Z', 0, 0 }, { "lbh", 1, 'L', 'S', 0, 0 },
	{ "llch", 1, 'L', 'Z', 0, 0 }, { "lt", 4, 'L', 'Z', 0, 0 }, { "ltg", 8, 'L', 'Z', 0, 0 }, { "ltgf", 4, 'L', 'S', 0, 0 },
	{ "le", 4, 'L', 'Z', 0, 1 }, { "ley", 4, 'L', 'Z', 0, 1 }, { "ld", 8, 'L', 'Z', 0, 1 },
	{ "ldy", 8, 'L', 'Z', 0, 1 }, { "lde", 4, 'L', 'Z', 0, 1 },
	/* stores */
	{ "st", 4, 'S', 'Z', 0, 0 }, { "sty", 4, 'S', 'Z', 0, 0 }, { "stg", 8, 'S', 'Z', 0, 0 }, { "ntstg", 8, 'S', 'Z', 0, 0 },
	{ "sth", 2, 'S', 'Z', 0, 0 }, { "sthy", 2, 'S', 'Z', 0, 0 }, { "stc", 1, 'S', 'Z', 0, 0 }, { "stcy", 1, 'S', 'Z', 0, 0 },
	{ "strv", 4, 'S', 'W', 0, 0 }, { "strvg", 8, 'S', 'W', 0, 0 }, { "strvh", 2, 'S', 'W', 0, 0 },
	{ "stfh", 4, 'S', 'Z', 0, 0 }, { "sthh", 2, 'S', 'Z', 0, 0 }, { "stch", 1, 'S', 'Z', 0, 0 },
	{ "ste", 4, 'S', 'Z', 0, 1 }, { "stey", 4, 'S', 'Z', 0, 1 }, { "std", 8, 'S', 'Z', 0, 1 },
	{ "stdy", 8, 'S', 'Z', 0, 1 },
	{ "mvi", 1, 'S', 'Z', 0, 0 }, { "mviy", 1, 'S', 'Z', 0, 0 }, { "mvhhi", 2, 'S', 'S', 0, 0 }, { "mvhi", 4, 'S', 'S', 0, 0 },
	{ "mvghi", 8, 'S', 'S', 0, 0 },
	/* a load folded into arithmetic: a device read into a register */
	{ "a", 4, 'L', 'S', 0, 0 }, { "ay", 4, 'L', 'S', 0, 0 }, { "ah", 2, 'L', 'S', 0, 0 }, { "ahy", 2, 'L', 'S', 0, 0 },
	{ "ag", 8, 'L', 'S', 0, 0 }, { "agf", 4, 'L', 'S', 0, 0 }, { "agh", 2, 'L', 'S', 0, 0 }, { "al", 4, 'L', 'Z', 0, 0 },
	{ "aly", 4, 'L', 'Z', 0, 0 }, { "alg", 8, 'L', 'Z', 0, 0 }, { "algf", 4, 'L', 'Z', 0, 0 }, { "alc", 4, 'L', 'Z', 0, 0 },
	{ "alcg", 8, 'L', 'Z', 0, 0 }, { "s", 4, 'L', 'S', 0, 0 }, { "sy", 4, 'L', 'S', 0, 0 }, { "sh", 2, 'L', 'S', 0, 0 },
	{ "shy", 2, 'L', 'S', 0, 0 }, { "sg", 8, 'L', 'S', 0, 0 }, { "sgf", 4, 'L', 'S', 0, 0 }, { "sgh", 2, 'L', 'S', 0, 0 },
	{ "sl", 4, 'L', 'Z', 0, 0 }, { "sly", 4, 'L', 'Z', 0, 0 }, { "slg", 8, 'L', 'Z', 0, 0 }, { "slgf", 4, 'L', 'Z', 0, 0 },
	{ "slb", 4, 'L', 'Z', 0, 0 }, { "slbg", 8, 'L', 'Z', 0, 0 }, { "n", 4, 'L', 'Z', 0, 0 }, { "ny", 4, 'L', 'Z', 0, 0 },
	{ "ng", 8, 'L', 'Z', 0, 0 }, { "o", 4, 'L', 'Z', 0, 0 }, { "oy", 4, 'L', 'Z', 0, 0 }, { "og", 8, 'L', 'Z', 0, 0 },
	{ "x", 4, 'L', 'Z', 0, 0 }, { "xy", 4, 'L', 'Z', 0, 0 }, { "xg", 8, 'L', 'Z', 0, 0 }, { "ms", 4, 'L', 'S', 0, 0 },
	{ "msy", 4, 'L', 'S', 0, 0 }, { "msg", 8, 'L', 'S', 0, 0 }, { "msgf", 4, 'L', 'S', 0, 0 }, { "mh", 2, 'L', 'S', 0, 0 },
	{ "mhy", 2, 'L', 'S', 0, 0 }, { "mgh", 2, 'L', 'S', 0, 0 },
	/* compares */
	{ "c", 4, 'C', 'S', 0, 0 }, { "cy", 4, 'C', 'S', 0, 0 }, { "cg", 8, 'C', 'S', 0, 0 }, { "cgf", 4, 'C', 'S', 0, 0 },
	{ "ch", 2, 'C', 'S', 0, 0 }, { "chy", 2, 'C', 'S', 0, 0 }, { "cgh", 2, 'C', 'S', 0, 0 }, { "chf", 4, 'C', 'S', 0, 0 },
	{ "cl", 4, 'C', 'Z', 0, 0 }, { "cly", 4, 'C', 'Z', 0, 0 }, { "clg", 8, 'C', 'Z', 0, 0 }, { "clgf", 4, 'C', 'Z', 0, 0 },
	{ "clhf", 4, 'C', 'Z', 0, 0 },
	{ "cli", 1, 'C', 'Z', 0, 0 }, { "cliy", 1, 'C', 'Z', 0, 0 }, { "chhsi", 2, 'C', 'S', 0, 0 }, { "chsi", 4, 'C', 'S', 0, 0 },
	{ "cghsi", 8, 'C', 'S', 0, 0 }, { "clhhsi", 2, 'C', 'Z', 0, 0 }, { "clfhsi", 4, 'C', 'Z', 0, 0 },
	{ "clghsi", 8, 'C', 'Z', 0, 0 }, { "tm", 1, 'C', 'Z', 0, 0 }, { "tmy", 1, 'C', 'Z', 0, 0 },
	/* storage op immediate */
	{ "ni", 1, 'R', 'Z', 0, 0 }, { "niy", 1, 'R', 'Z', 0, 0 }, { "oi", 1, 'R', 'Z', 0, 0 }, { "oiy", 1, 'R', 'Z', 0, 0 },
	{ "xi", 1, 'R', 'Z', 0, 0 }, { "xiy", 1, 'R', 'Z', 0, 0 }, { "asi", 4, 'R', 'S', 0, 0 }, { "agsi", 8, 'R', 'S', 0, 0 },
	{ "alsi", 4, 'R', 'S', 0, 0 }, { "algsi", 8, 'R', 'S', 0, 0 },
	/* under mask, multiple, on condition */
	{ "icm", 0, 'L', 'Z', 0, 0 }, { "icmy", 0, 'L', 'Z', 0, 0 }, { "icmh", 0, 'L', 'Z', 0, 0 },
	{ "stcm", 0, 'S', 'Z', 0, 0 }, { "stcmy", 0, 'S', 'Z', 0, 0 }, { "stcmh", 0, 'S', 'Z', 0, 0 },
	{ "lm", 4, 'L', 'Z', 0, 0 }, { "lmy", 4, 'L', 'Z', 0, 0 }, { "lmg", 8, 'L', 'Z', 0, 0 }, { "lmh", 4, 'L', 'Z', 0, 0 },
	{ "stm", 4, 'S', 'Z', 0, 0 }, { "stmy", 4, 'S', 'Z', 0, 0 }, { "stmg", 8, 'S', 'Z', 0, 0 }, { "stmh", 4, 'S', 'Z', 0, 0 },
	{ "loc", 4, 'L', 'Z', 0, 0 }, { "locg", 8, 'L', 'Z', 0, 0 }, { "locfh", 4, 'L', 'Z', 0, 0 },
	{ "stoc", 4, 'S', 'Z', 0, 0 }, { "stocg", 8, 'S', 'Z', 0, 0 }, { "stocfh", 4, 'S', 'Z', 0, 0 },
	/* blocks: byte by byte as far as the decoder knows */
	{ "mvc", 1, 'Y', 'Z', 0, 0 }, { "clc", 1, 'Y', 'Z', 0, 0 }, { "nc", 1, 'Y', 'Z', 0, 0 }, { "oc", 1, 'Y', 'Z', 0, 0 },
	{ "xc", 1, 'Y', 'Z', 0, 0 }, { "mvcrl", 1, 'Y', 'Z', 0, 0 }, { "ex", 1, 'Y', 'Z', 0, 0 }, { "exrl", 1, 'Y', 'Z', 0, 0 },
	{ "mvcle", 1, 'Y', 'Z', 0, 0 },
	/* vector */
	{ "vl", 16, 'L', 'Z', 0, 0 }, { "vst", 16, 'S', 'Z', 0, 0 }, { "vll", 16, 'L', 'Z', 0, 0 }, { "vstl", 16, 'S', 'Z', 0, 0 },
	{ "vleb", 1, 'L', 'Z', 0, 0 }, { "vleh", 2, 'L', 'Z', 0, 0 }, { "vlef", 4, 'L', 'Z', 0, 0 }, { "vleg", 8, 'L', 'Z', 0, 0 },
	{ "vlrep", 0, 'L', 'Z', 0, 0 }, { "vsteb", 1, 'S', 'Z', 0, 0 }, { "vsteh", 2, 'S', 'Z', 0, 0 },
	{ "vstef", 4, 'S', 'Z', 0, 0 }, { "vsteg", 8, 'S', 'Z', 0, 0 },
	/* refused */
	{ "cs", 1, 'R', 'Z', 'A', 0 }, { "csy", 1, 'R', 'Z', 'A', 0 }, { "csg", 1, 'R', 'Z', 'A', 0 },
	{ "cds", 1, 'R', 'Z', 'A', 0 }, { "cdsy", 1, 'R', 'Z', 'A', 0 }, { "cdsg", 1, 'R', 'Z', 'A', 0 },
	{ "laa", 1, 'R', 'Z', 'A', 0 }, { "laag", 1, 'R', 'Z', 'A', 0 }, { "laal", 1, 'R', 'Z', 'A', 0 },
	{ "laalg", 1, 'R', 'Z', 'A', 0 }, { "lan", 1, 'R', 'Z', 'A', 0 }, { "lang", 1, 'R', 'Z', 'A', 0 },
	{ "lao", 1, 'R', 'Z', 'A', 0 }, { "laog", 1, 'R', 'Z', 'A', 0 }, { "lax", 1, 'R', 'Z', 'A', 0 },
	{ "laxg", 1, 'R', 'Z', 'A', 0 }, { "ts", 1, 'R', 'Z', 'A', 0 }, { "csst", 1, 'R', 'Z', 'A', 0 },
	{ "lpd", 1, 'R', 'Z', 'A', 0 }, { "lpdg", 1, 'R', 'Z', 'A', 0 }, { "lpq", 1, 'R', 'Z', 'A', 0 },
	{ "stpq", 1, 'R', 'Z', 'A', 0 }, { "plo", 1, 'R', 'Z', 'A', 0 },
	{ "clcle", 1, 'L', 'Z', 'U', 0 }, { "lgat", 1, 'L', 'Z', 'U', 0 }, { "lat", 1, 'L', 'Z', 'U', 0 },
	{ "llgtat", 1, 'L', 'Z', 'U', 0 }, { "llgfat", 1, 'L', 'Z', 'U', 0 }, { "lfhat", 1, 'L', 'Z', 'U', 0 },
};

/* every instruction issue 3 §1 names */
static const char *const issue[] = {
	"l", "ly", "lg", "lgf", "llgf", "llgt", "lh", "lhy", "lgh", "llh", "llgh", "lb", "lgb", "llc",
	"llgc", "ic", "icy", "icm", "lt", "ltg", "lrv", "lrvg", "lrvh", "st", "sty", "stg", "sth", "sthy",
	"stc", "stcy", "stcm", "strv", "strvg", "strvh", "mvi", "mviy", "mvhi", "mvhhi", "mvghi", "cli",
	"cliy", "tm", "tmy", "c", "cy", "cg", "cl", "cly", "clg", "ch", "chy", "clhhsi", "clfhsi",
	"clghsi", "chhsi", "chsi", "cghsi", "oi", "ni", "xi", "oiy", "niy", "xiy", "asi", "agsi",
	"a", "ag", "agf", "al", "alg", "s", "sg", "sl", "slg", "n", "ng", "o", "og", "x", "xg",
	"ay", "aly", "sy", "sly", "ny", "oy", "xy",
	"lm", "lmy", "lmg", "stm", "stmy", "stmg", "mvc", "cs", "csg", "laa",
};

/* the chosen fields */
enum { R1 = 1, X2 = 2, B = 3, R3 = 11, B2 = 5, VR1 = 17, VM3 = 2, VR3 = 4, SSF_R3 = 4 };
#define D12 0x123
#define D2_12 0x456
#define DL 0x456
#define DH 0xfe	/* d = -2 * 4096 + 0x456 = -7082 */
#define D20 (-2 * 4096 + 0x456)
#define I8 0x85
#define I16 0x8001
#define I32 (-3)
#define SS_L 0x0f

static unsigned encode(const struct s390x_row *row, uint8_t *b)
{
	uint8_t op0 = (uint8_t)(row->opcode >> 8), op1 = (uint8_t)row->opcode;

	memset(b, 0, 6);
	b[0] = op0;
	switch (row->fmt) {
	case S390X_RX:		/* also RXE (0xed..): the same fields, 6 bytes */
		b[1] = R1 << 4 | X2;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		b[5] = op1;
		break;
	case S390X_RXY:
		b[1] = R1 << 4 | X2;
		b[2] = B << 4 | DL >> 8;
		b[3] = DL & 0xff;
		b[4] = DH;
		b[5] = op1;
		break;
	case S390X_RS:
		b[1] = R1 << 4 | R3;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		break;
	case S390X_RSY:
		b[1] = R1 << 4 | R3;
		b[2] = B << 4 | DL >> 8;
		b[3] = DL & 0xff;
		b[4] = DH;
		b[5] = op1;
		break;
	case S390X_SI:
		b[1] = I8;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		break;
	case S390X_SIY:
		b[1] = I8;
		b[2] = B << 4 | DL >> 8;
		b[3] = DL & 0xff;
		b[4] = DH;
		b[5] = op1;
		break;
	case S390X_SIL:
		b[1] = op1;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		b[4] = I16 >> 8;
		b[5] = I16 & 0xff;
		break;
	case S390X_SS:
	case S390X_SSE:
	case S390X_SSF:
		b[1] = row->fmt == S390X_SS ? SS_L : row->fmt == S390X_SSE ? op1 : (uint8_t)(SSF_R3 << 4 | op1);
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		b[4] = B2 << 4 | D2_12 >> 8;
		b[5] = D2_12 & 0xff;
		break;
	case S390X_RIL:
		b[1] = (uint8_t)(R1 << 4 | op1);
		b[2] = (uint8_t)((uint32_t)I32 >> 24);
		b[3] = (uint8_t)((uint32_t)I32 >> 16);
		b[4] = (uint8_t)((uint32_t)I32 >> 8);
		b[5] = (uint8_t)(uint32_t)I32;
		break;
	case S390X_VRX:
		b[1] = (VR1 & 15) << 4 | X2;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		b[4] = VM3 << 4 | 8;	/* RXB: V1's high bit */
		b[5] = op1;
		break;
	case S390X_VRS:
		b[1] = (VR1 & 15) << 4 | VR3;
		b[2] = B << 4 | D12 >> 8;
		b[3] = D12 & 0xff;
		b[4] = 8;
		b[5] = op1;
		break;
	}
	return s390x_ilen(op0);
}

static const struct want *want_of(const char *mn)
{
	for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
		if (!strcmp(wants[i].mn, mn))
			return &wants[i];
	return NULL;
}

static int kind_of(char k)
{
	switch (k) {
	case 'L': return INSN_LOAD;
	case 'S': return INSN_STORE;
	case 'R': return INSN_RMW;
	case 'C': return INSN_CMP;
	default: return INSN_COPY;
	}
}

static int ext_of(char e)
{
	switch (e) {
	case 'S': return S390X_EXT_SIGN;
	case 'W': return S390X_EXT_SWAP;
	case '3': return S390X_EXT_31;
	default: return S390X_EXT_ZERO;
	}
}

/* What the table-only text must be, written out per format. */
static void want_text(const struct s390x_row *row, const struct want *w, char *t, size_t n)
{
	const char *mn = row->mnemonic;
	int regs = row->op == S390X_OP_LM || row->op == S390X_OP_STM || row->op == S390X_OP_MVCLE ||
		   row->op == S390X_OP_REFUSE;
	long long imm8 = w->ext == 'S' ? (int8_t)I8 : I8, imm16 = w->ext == 'S' ? (int16_t)I16 : I16;

	switch (row->fmt) {
	case S390X_RX:
		snprintf(t, n, "%s %%%c%d,%d(%%r%d,%%r%d)", mn, w->fpr ? 'f' : 'r', R1, D12, X2, B);
		break;
	case S390X_RXY:
		snprintf(t, n, "%s %%%c%d,%d(%%r%d,%%r%d)", mn, w->fpr ? 'f' : 'r', R1, D20, X2, B);
		break;
	case S390X_RS:
		snprintf(t, n, "%s %%r%d,%s%d,%d(%%r%d)", mn, R1, regs ? "%r" : "", R3, D12, B);
		break;
	case S390X_RSY:
		snprintf(t, n, "%s %%r%d,%s%d,%d(%%r%d)", mn, R1, regs ? "%r" : "", R3, D20, B);
		break;
	case S390X_SI:
		snprintf(t, n, "%s %d(%%r%d),%lld", mn, D12, B, imm8);
		break;
	case S390X_SIY:
		snprintf(t, n, "%s %d(%%r%d),%lld", mn, D20, B, imm8);
		break;
	case S390X_SIL:
		snprintf(t, n, "%s %d(%%r%d),%lld", mn, D12, B, imm16);
		break;
	case S390X_SS:
		snprintf(t, n, "%s %d(%d,%%r%d),%d(%%r%d)", mn, D12, SS_L + 1, B, D2_12, B2);
		break;
	case S390X_SSE:
		snprintf(t, n, "%s %d(%%r%d),%d(%%r%d)", mn, D12, B, D2_12, B2);
		break;
	case S390X_SSF:
		snprintf(t, n, "%s %d(%%r%d),%d(%%r%d),%%r%d", mn, D12, B, D2_12, B2, SSF_R3);
		break;
	case S390X_RIL:
		snprintf(t, n, "%s %%r%d,.%d", mn, R1, I32 * 2);
		break;
	case S390X_VRX:
		snprintf(t, n, "%s %%v%d,%d(%%r%d,%%r%d)%s", mn, VR1, D12, X2, B,
			 row->op == S390X_OP_VLE || row->op == S390X_OP_VSTE || row->op == S390X_OP_VLREP ? ",2" : "");
		break;
	case S390X_VRS:
		snprintf(t, n, "%s %%v%d,%%r%d,%d(%%r%d)", mn, VR1, VR3, D12, B);
		break;
	default:
		snprintf(t, n, "?");
	}
}

static void hex(const uint8_t *b, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void check_row(csh cs, cs_insn *scratch, const struct s390x_row *row)
{
	uint8_t b[6];
	char bytes[13], text[64];
	unsigned len = encode(row, b);
	const struct want *w = want_of(row->mnemonic);

	hex(b, len, bytes);
	CHECK(w, "%s (%s): a row without an expectation in this test", row->mnemonic, bytes);
	if (!w)
		return;

	for (int with_cs = 0; with_cs < 2; with_cs++) {
		struct insn in;
		const char *how = with_cs ? "capstone" : "table";
		int err = arch_decode(with_cs ? cs : 0, with_cs ? scratch : NULL, b, len, 0x10000, &in);
		struct s390x_decoded x;
		memcpy(&x, in.arch, sizeof x);

		CHECK(err == 0, "%s %s (%s): arch_decode returned %d (%s), text '%s'", how, row->mnemonic,
		      bytes, err, err_text(err), in.text);
		if (err)
			continue;
		CHECK(in.pc == 0x10000, "%s %s: pc", how, row->mnemonic);
		CHECK(in.len == len && x.len == len, "%s %s (%s): length %u/%u, want %u", how, row->mnemonic,
		      bytes, in.len, x.len, len);
		CHECK(x.row == row - s390x_rows, "%s %s: decoded as row %u", how, row->mnemonic, x.row);
		if (x.row >= s390x_row_count)
			continue;
		const struct s390x_row *got = &s390x_rows[x.row];
		CHECK(in.kind == kind_of(w->kind), "%s %s: kind %u, want %c", how, row->mnemonic, in.kind, w->kind);
		unsigned wantw = w->width;
		if (!wantw)
			wantw = row->op == S390X_OP_VLREP ? 1u << VM3 : 3;	/* M3 = 1011: three bytes */
		CHECK(in.width == wantw, "%s %s: width %u, want %u", how, row->mnemonic, in.width, wantw);
		if (!w->refuse)
			CHECK(got->ext == ext_of(w->ext), "%s %s: extension %u, want %c", how, row->mnemonic,
			      got->ext, w->ext);
		int want_refuse = w->refuse == 'A' ? MMIO_E_ATOMIC : w->refuse == 'U' ? MMIO_E_UNSUPPORTED : 0;
		CHECK(in.refuse == want_refuse, "%s %s: refuse %u, want %d", how, row->mnemonic, in.refuse,
		      want_refuse);
		CHECK(!memcmp(x.code, b, len), "%s %s: code bytes", how, row->mnemonic);

		/* registers, storage operands, immediates */
		unsigned wr1 = 0, wr3 = 0, nmem = 1;
		struct s390x_mem m0 = { B, 0, D12 }, m1 = { 0, 0, 0 };
		int64_t imm = 0;
		switch (row->fmt) {
		case S390X_RX: wr1 = R1; m0.x = X2; break;
		case S390X_RXY: wr1 = R1; m0.x = X2; m0.d = D20; break;
		case S390X_RS: wr1 = R1; wr3 = R3; break;
		case S390X_RSY: wr1 = R1; wr3 = R3; m0.d = D20; break;
		case S390X_SI: imm = w->ext == 'S' ? (int8_t)I8 : I8; break;
		case S390X_SIY: imm = w->ext == 'S' ? (int8_t)I8 : I8; m0.d = D20; break;
		case S390X_SIL: imm = w->ext == 'S' ? (int16_t)I16 : I16; break;
		case S390X_SS: case S390X_SSE: case S390X_SSF:
			nmem = 2;
			m1 = (struct s390x_mem){ B2, 0, D2_12 };
			wr3 = row->fmt == S390X_SSF ? SSF_R3 : row->fmt == S390X_SS ? SS_L >> 4 : 0;
			break;
		case S390X_RIL: wr1 = R1; nmem = 0; imm = I32; m0 = (struct s390x_mem){ 0, 0, 0 }; break;
		case S390X_VRX: wr1 = VR1; wr3 = VM3; m0.x = X2; break;
		case S390X_VRS: wr1 = VR1; wr3 = VR3; break;
		}
		CHECK(x.r1 == wr1, "%s %s: r1 %u, want %u", how, row->mnemonic, x.r1, wr1);
		CHECK(x.r3 == wr3, "%s %s: r3/m3 %u, want %u", how, row->mnemonic, x.r3, wr3);
		CHECK(x.nmem == nmem, "%s %s: %u storage operands, want %u", how, row->mnemonic, x.nmem, nmem);
		CHECK(x.m[0].b == m0.b && x.m[0].x == m0.x && x.m[0].d == m0.d,
		      "%s %s: first operand b %u x %u d %d, want b %u x %u d %d", how, row->mnemonic,
		      x.m[0].b, x.m[0].x, x.m[0].d, m0.b, m0.x, m0.d);
		if (nmem == 2)
			CHECK(x.m[1].b == m1.b && x.m[1].x == m1.x && x.m[1].d == m1.d,
			      "%s %s: second operand b %u x %u d %d, want b %u x %u d %d", how, row->mnemonic,
			      x.m[1].b, x.m[1].x, x.m[1].d, m1.b, m1.x, m1.d);
		if (row->fmt == S390X_SS)
			CHECK(x.l == SS_L, "%s %s: L %u, want %u", how, row->mnemonic, x.l, SS_L);
		CHECK(x.imm == imm, "%s %s: immediate %" PRId64 ", want %" PRId64, how, row->mnemonic, x.imm, imm);

		/* text: the table's exactly; capstone's (when it knows the
		 * instruction) starts with the mnemonic and names the operand */
		if (!with_cs) {
			want_text(row, w, text, sizeof text);
			CHECK(!strcmp(in.text, text), "table %s: text '%s', want '%s'", row->mnemonic, in.text, text);
		} else if (want_text(row, w, text, sizeof text), strcmp(in.text, text)) {
			/* capstone knew it (else the text is the table's) */
			capstone_named++;
			size_t n = strlen(row->mnemonic);
			CHECK(!strncmp(in.text, row->mnemonic, n), "capstone %s: text '%s' does not start with the mnemonic",
			      row->mnemonic, in.text);
			char d[16];
			snprintf(d, sizeof d, "%s0x%x", m0.d < 0 ? "-" : "", (unsigned)(m0.d < 0 ? -m0.d : m0.d));
			if (nmem)
				CHECK(strstr(in.text, d) && strstr(in.text, "%r3"),
				      "capstone %s: text '%s' does not name the displacement %s and base %%r3",
				      row->mnemonic, in.text, d);
		}
	}

	/* one byte short: nothing decoded, nothing cached as a row */
	struct insn in;
	int err = arch_decode(cs, scratch, b, len - 1, 0x10000, &in);
	CHECK(err == MMIO_E_DECODE && in.refuse == MMIO_E_DECODE && !strncmp(in.text, ".byte", 5),
	      "%s: %u of %u bytes: err %d refuse %u text '%s'", row->mnemonic, len - 1, len, err, in.refuse, in.text);
}

/* bytes that are not a row */
static void check_other(csh cs, cs_insn *scratch)
{
	struct insn in;
	struct s390x_decoded x;

	/* LDEB %f1,0x123(%r2,%r3): a storage instruction capstone knows and
	 * we do not emulate (RXE: the RX fields, 6 bytes) */
	static const uint8_t ldeb[] = { 0xed, 0x12, 0x31, 0x23, 0x00, 0x04 };
	int err = arch_decode(cs, scratch, ldeb, sizeof ldeb, 0x2000, &in);
	memcpy(&x, in.arch, sizeof x);
	CHECK(err == 0 && in.refuse == MMIO_E_UNSUPPORTED && in.len == 6 && !strncmp(in.text, "ldeb ", 5),
	      "ldeb: err %d refuse %u len %u text '%s'", err, in.refuse, in.len, in.text);
	CHECK(x.row == S390X_NO_ROW && x.nmem == 1 && x.m[0].b == 3 && x.m[0].x == 2 && x.m[0].d == 0x123,
	      "ldeb: row %u, operand b %u x %u d %d (the RX family's fields, for messages)", x.row, x.m[0].b,
	      x.m[0].x, x.m[0].d);
	/* the table alone cannot name it */
	err = arch_decode(0, NULL, ldeb, sizeof ldeb, 0x2000, &in);
	CHECK(err == MMIO_E_DECODE && in.refuse == MMIO_E_DECODE &&
	      !strcmp(in.text, ".byte 0xed,0x12,0x31,0x23,0x00,0x04"),
	      "ldeb without capstone: err %d refuse %u text '%s'", err, in.refuse, in.text);

	/* CSG through an unusual base and long displacement: refused, named */
	static const uint8_t csg[] = { 0xeb, 0x12, 0x3f, 0xff, 0x7f, 0x30 };
	err = arch_decode(cs, scratch, csg, sizeof csg, 0x2000, &in);
	memcpy(&x, in.arch, sizeof x);
	CHECK(err == 0 && in.refuse == MMIO_E_ATOMIC && !strncmp(in.text, "csg", 3) &&
	      x.m[0].d == 0x7f * 4096 + 0xfff && x.m[0].b == 3,
	      "csg: err %d refuse %u text '%s' d %d", err, in.refuse, in.text, x.m[0].d);

	/* an opcode that is no instruction */
	static const uint8_t bad[] = { 0x00, 0x00 };
	err = arch_decode(cs, scratch, bad, sizeof bad, 0x2000, &in);
	CHECK(err == MMIO_E_DECODE && in.refuse == MMIO_E_DECODE, "00 00: err %d refuse %u text '%s'", err,
	      in.refuse, in.text);

	/* nothing at all */
	err = arch_decode(cs, scratch, bad, 0, 0x2000, &in);
	CHECK(err == MMIO_E_DECODE, "no bytes: err %d", err);

	/* a 6-byte opcode whose second part is not ours (E3 with 0x00: none) */
	static const uint8_t e3[] = { 0xe3, 0x12, 0x30, 0x00, 0x00, 0x00 };
	err = arch_decode(cs, scratch, e3, sizeof e3, 0x2000, &in);
	CHECK((err == MMIO_E_DECODE && in.refuse == MMIO_E_DECODE) || (err == 0 && in.refuse == MMIO_E_UNSUPPORTED),
	      "e3..00: err %d refuse %u text '%s'", err, in.refuse, in.text);
	CHECK(in.refuse != 0, "e3..00 must be refused");
}

int main(void)
{
	csh cs;
	if (arch_cs_open(&cs) != 0) {
		printf("FAIL: capstone cannot open s390x (SYSZ, big-endian)\n");
		return 1;
	}
	cs_insn *scratch = cs_malloc(cs);

	for (unsigned i = 0; i < s390x_row_count; i++)
		check_row(cs, scratch, &s390x_rows[i]);
	/* the expectations and the table name the same instructions */
	for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
		unsigned n = 0;
		for (unsigned k = 0; k < s390x_row_count; k++)
			n += !strcmp(s390x_rows[k].mnemonic, wants[i].mn);
		CHECK(n == 1, "%s: %u rows in the table, want 1", wants[i].mn, n);
	}
	for (size_t i = 0; i < sizeof issue / sizeof issue[0]; i++)
		CHECK(want_of(issue[i]), "issue 3 names %s: no expectation (and so no row)", issue[i]);
	/* capstone 4.0.2 names the z196 instructions: most rows */
	CHECK(capstone_named >= 100, "capstone named only %d rows", capstone_named);
	check_other(cs, scratch);

	cs_free(scratch, 1);
	cs_close(&cs);
	printf("%d checks, %d failed, %u rows, %d named by capstone\n", checks, failures, s390x_row_count, capstone_named);
	return failures ? 1 : 0;
}
