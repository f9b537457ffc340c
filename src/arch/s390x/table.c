/* s390x: the semantics table. One row per instruction the shim knows: every
 * storage-operand instruction gcc and clang emit for volatile accesses
 * (z196 to z15), the block operations glibc's memcpy/memset/memmove use,
 * and the interlocked ones it refuses by name. Opcodes and semantics from
 * the z/Architecture Principles of Operation. */
#include <stddef.h>

#include "s390x.h"

#define R(opc, fmt, mn, op, w, ext, field, alu, cc) \
	{ opc, S390X_##fmt, S390X_OP_##op, w, S390X_EXT_##ext, S390X_F_##field, \
	  S390X_ALU_##alu, S390X_CC_##cc, 0, mn }
#define LOAD(opc, fmt, mn, w, ext, field)	R(opc, fmt, mn, LOAD, w, ext, field, NONE, NONE)
#define LOADT(opc, fmt, mn, w, ext, field)	R(opc, fmt, mn, LOAD, w, ext, field, NONE, SIGN)
#define STORE(opc, fmt, mn, w, ext, field)	R(opc, fmt, mn, STORE, w, ext, field, NONE, NONE)
#define ALU(opc, fmt, mn, w, ext, field, alu, cc) R(opc, fmt, mn, ALU, w, ext, field, alu, cc)
#define CMP(opc, fmt, mn, w, ext, field, cc)	R(opc, fmt, mn, CMP, w, ext, field, NONE, cc)
#define REFUSE(opc, fmt, mn, err) \
	{ opc, S390X_##fmt, S390X_OP_REFUSE, 0, 0, S390X_F_NONE, 0, 0, err, mn }

const struct s390x_row s390x_rows[] = {
	/* loads: ext into the field */
	LOAD(0x5800, RX,  "l",     4, ZERO, LOW32),
	LOAD(0xe358, RXY, "ly",    4, ZERO, LOW32),
	LOAD(0xe304, RXY, "lg",    8, ZERO, FULL64),
	LOAD(0xe314, RXY, "lgf",   4, SIGN, FULL64),
	LOAD(0xe316, RXY, "llgf",  4, ZERO, FULL64),
	LOAD(0xe317, RXY, "llgt",  4, 31,   FULL64),
	LOAD(0x4800, RX,  "lh",    2, SIGN, LOW32),
	LOAD(0xe378, RXY, "lhy",   2, SIGN, LOW32),
	LOAD(0xe315, RXY, "lgh",   2, SIGN, FULL64),
	LOAD(0xe395, RXY, "llh",   2, ZERO, LOW32),
	LOAD(0xe391, RXY, "llgh",  2, ZERO, FULL64),
	LOAD(0xe376, RXY, "lb",    1, SIGN, LOW32),
	LOAD(0xe377, RXY, "lgb",   1, SIGN, FULL64),
	LOAD(0xe394, RXY, "llc",   1, ZERO, LOW32),
	LOAD(0xe390, RXY, "llgc",  1, ZERO, FULL64),
	LOAD(0x4300, RX,  "ic",    1, ZERO, LOW8),
	LOAD(0xe373, RXY, "icy",   1, ZERO, LOW8),
	LOAD(0xe31e, RXY, "lrv",   4, SWAP, LOW32),
	LOAD(0xe30f, RXY, "lrvg",  8, SWAP, FULL64),
	LOAD(0xe31f, RXY, "lrvh",  2, SWAP, LOW16),
	LOAD(0xe3ca, RXY, "lfh",   4, ZERO, HIGH32),
	LOAD(0xe3c4, RXY, "lhh",   2, SIGN, HIGH32),
	LOAD(0xe3c6, RXY, "llhh",  2, ZERO, HIGH32),
	LOAD(0xe3c0, RXY, "lbh",   1, SIGN, HIGH32),
	LOAD(0xe3c2, RXY, "llch",  1, ZERO, HIGH32),
	LOADT(0xe312, RXY, "lt",   4, ZERO, LOW32),
	LOADT(0xe302, RXY, "ltg",  8, ZERO, FULL64),
	LOADT(0xe332, RXY, "ltgf", 4, SIGN, FULL64),
	LOAD(0x7800, RX,  "le",    4, ZERO, FPR32),
	LOAD(0xed64, RXY, "ley",   4, ZERO, FPR32),
	LOAD(0x6800, RX,  "ld",    8, ZERO, FPR64),
	LOAD(0xed65, RXY, "ldy",   8, ZERO, FPR64),
	LOAD(0xed24, RX,  "lde",   4, ZERO, FPR32Z),	/* RXE: the RX fields, 6 bytes */

	/* stores: the rightmost width bytes of the field */
	STORE(0x5000, RX,  "st",    4, ZERO, LOW32),
	STORE(0xe350, RXY, "sty",   4, ZERO, LOW32),
	STORE(0xe324, RXY, "stg",   8, ZERO, FULL64),
	STORE(0xe325, RXY, "ntstg", 8, ZERO, FULL64),
	STORE(0x4000, RX,  "sth",   2, ZERO, LOW32),
	STORE(0xe370, RXY, "sthy",  2, ZERO, LOW32),
	STORE(0x4200, RX,  "stc",   1, ZERO, LOW32),
	STORE(0xe372, RXY, "stcy",  1, ZERO, LOW32),
	STORE(0xe33e, RXY, "strv",  4, SWAP, LOW32),
	STORE(0xe32f, RXY, "strvg", 8, SWAP, FULL64),
	STORE(0xe33f, RXY, "strvh", 2, SWAP, LOW32),
	STORE(0xe3cb, RXY, "stfh",  4, ZERO, HIGH32),
	STORE(0xe3c7, RXY, "sthh",  2, ZERO, HIGH32),
	STORE(0xe3c3, RXY, "stch",  1, ZERO, HIGH32),
	STORE(0x7000, RX,  "ste",   4, ZERO, FPR32),
	STORE(0xed66, RXY, "stey",  4, ZERO, FPR32),
	STORE(0x6000, RX,  "std",   8, ZERO, FPR64),
	STORE(0xed67, RXY, "stdy",  8, ZERO, FPR64),

	/* immediate stores */
	R(0x9200, SI,  "mvi",   STORE_IMM, 1, ZERO, NONE, NONE, NONE),
	R(0xeb52, SIY, "mviy",  STORE_IMM, 1, ZERO, NONE, NONE, NONE),
	R(0xe544, SIL, "mvhhi", STORE_IMM, 2, SIGN, NONE, NONE, NONE),
	R(0xe54c, SIL, "mvhi",  STORE_IMM, 4, SIGN, NONE, NONE, NONE),
	R(0xe548, SIL, "mvghi", STORE_IMM, 8, SIGN, NONE, NONE, NONE),

	/* register <- register op storage */
	ALU(0x5a00, RX,  "a",    4, SIGN, LOW32,  ADD,  ARITH),
	ALU(0xe35a, RXY, "ay",   4, SIGN, LOW32,  ADD,  ARITH),
	ALU(0x4a00, RX,  "ah",   2, SIGN, LOW32,  ADD,  ARITH),
	ALU(0xe37a, RXY, "ahy",  2, SIGN, LOW32,  ADD,  ARITH),
	ALU(0xe308, RXY, "ag",   8, SIGN, FULL64, ADD,  ARITH),
	ALU(0xe318, RXY, "agf",  4, SIGN, FULL64, ADD,  ARITH),
	ALU(0xe338, RXY, "agh",  2, SIGN, FULL64, ADD,  ARITH),
	ALU(0x5e00, RX,  "al",   4, ZERO, LOW32,  ADDL, LOGICAL),
	ALU(0xe35e, RXY, "aly",  4, ZERO, LOW32,  ADDL, LOGICAL),
	ALU(0xe30a, RXY, "alg",  8, ZERO, FULL64, ADDL, LOGICAL),
	ALU(0xe31a, RXY, "algf", 4, ZERO, FULL64, ADDL, LOGICAL),
	ALU(0xe398, RXY, "alc",  4, ZERO, LOW32,  ADDC, LOGICAL),
	ALU(0xe388, RXY, "alcg", 8, ZERO, FULL64, ADDC, LOGICAL),
	ALU(0x5b00, RX,  "s",    4, SIGN, LOW32,  SUB,  ARITH),
	ALU(0xe35b, RXY, "sy",   4, SIGN, LOW32,  SUB,  ARITH),
	ALU(0x4b00, RX,  "sh",   2, SIGN, LOW32,  SUB,  ARITH),
	ALU(0xe37b, RXY, "shy",  2, SIGN, LOW32,  SUB,  ARITH),
	ALU(0xe309, RXY, "sg",   8, SIGN, FULL64, SUB,  ARITH),
	ALU(0xe319, RXY, "sgf",  4, SIGN, FULL64, SUB,  ARITH),
	ALU(0xe339, RXY, "sgh",  2, SIGN, FULL64, SUB,  ARITH),
	ALU(0x5f00, RX,  "sl",   4, ZERO, LOW32,  SUBL, LOGICAL),
	ALU(0xe35f, RXY, "sly",  4, ZERO, LOW32,  SUBL, LOGICAL),
	ALU(0xe30b, RXY, "slg",  8, ZERO, FULL64, SUBL, LOGICAL),
	ALU(0xe31b, RXY, "slgf", 4, ZERO, FULL64, SUBL, LOGICAL),
	ALU(0xe399, RXY, "slb",  4, ZERO, LOW32,  SUBB, LOGICAL),
	ALU(0xe389, RXY, "slbg", 8, ZERO, FULL64, SUBB, LOGICAL),
	ALU(0x5400, RX,  "n",    4, ZERO, LOW32,  AND,  BITWISE),
	ALU(0xe354, RXY, "ny",   4, ZERO, LOW32,  AND,  BITWISE),
	ALU(0xe380, RXY, "ng",   8, ZERO, FULL64, AND,  BITWISE),
	ALU(0x5600, RX,  "o",    4, ZERO, LOW32,  OR,   BITWISE),
	ALU(0xe356, RXY, "oy",   4, ZERO, LOW32,  OR,   BITWISE),
	ALU(0xe381, RXY, "og",   8, ZERO, FULL64, OR,   BITWISE),
	ALU(0x5700, RX,  "x",    4, ZERO, LOW32,  XOR,  BITWISE),
	ALU(0xe357, RXY, "xy",   4, ZERO, LOW32,  XOR,  BITWISE),
	ALU(0xe382, RXY, "xg",   8, ZERO, FULL64, XOR,  BITWISE),
	ALU(0x7100, RX,  "ms",   4, SIGN, LOW32,  MUL,  NONE),
	ALU(0xe351, RXY, "msy",  4, SIGN, LOW32,  MUL,  NONE),
	ALU(0xe30c, RXY, "msg",  8, SIGN, FULL64, MUL,  NONE),
	ALU(0xe31c, RXY, "msgf", 4, SIGN, FULL64, MUL,  NONE),
	ALU(0x4c00, RX,  "mh",   2, SIGN, LOW32,  MUL,  NONE),
	ALU(0xe37c, RXY, "mhy",  2, SIGN, LOW32,  MUL,  NONE),
	ALU(0xe33c, RXY, "mgh",  2, SIGN, FULL64, MUL,  NONE),

	/* compare register with storage */
	CMP(0x5900, RX,  "c",    4, SIGN, LOW32,  CMP_SIGNED),
	CMP(0xe359, RXY, "cy",   4, SIGN, LOW32,  CMP_SIGNED),
	CMP(0xe320, RXY, "cg",   8, SIGN, FULL64, CMP_SIGNED),
	CMP(0xe330, RXY, "cgf",  4, SIGN, FULL64, CMP_SIGNED),
	CMP(0x4900, RX,  "ch",   2, SIGN, LOW32,  CMP_SIGNED),
	CMP(0xe379, RXY, "chy",  2, SIGN, LOW32,  CMP_SIGNED),
	CMP(0xe334, RXY, "cgh",  2, SIGN, FULL64, CMP_SIGNED),
	CMP(0xe3cd, RXY, "chf",  4, SIGN, HIGH32, CMP_SIGNED),
	CMP(0x5500, RX,  "cl",   4, ZERO, LOW32,  CMP_LOGICAL),
	CMP(0xe355, RXY, "cly",  4, ZERO, LOW32,  CMP_LOGICAL),
	CMP(0xe321, RXY, "clg",  8, ZERO, FULL64, CMP_LOGICAL),
	CMP(0xe331, RXY, "clgf", 4, ZERO, FULL64, CMP_LOGICAL),
	CMP(0xe3cf, RXY, "clhf", 4, ZERO, HIGH32, CMP_LOGICAL),

	/* compare storage with immediate; ext is the immediate's and the operand's */
	R(0x9500, SI,  "cli",    CMP_IMM, 1, ZERO, NONE, NONE, CMP_LOGICAL),
	R(0xeb55, SIY, "cliy",   CMP_IMM, 1, ZERO, NONE, NONE, CMP_LOGICAL),
	R(0xe554, SIL, "chhsi",  CMP_IMM, 2, SIGN, NONE, NONE, CMP_SIGNED),
	R(0xe55c, SIL, "chsi",   CMP_IMM, 4, SIGN, NONE, NONE, CMP_SIGNED),
	R(0xe558, SIL, "cghsi",  CMP_IMM, 8, SIGN, NONE, NONE, CMP_SIGNED),
	R(0xe555, SIL, "clhhsi", CMP_IMM, 2, ZERO, NONE, NONE, CMP_LOGICAL),
	R(0xe55d, SIL, "clfhsi", CMP_IMM, 4, ZERO, NONE, NONE, CMP_LOGICAL),
	R(0xe559, SIL, "clghsi", CMP_IMM, 8, ZERO, NONE, NONE, CMP_LOGICAL),
	R(0x9100, SI,  "tm",     TM,      1, ZERO, NONE, NONE, TM),
	R(0xeb51, SIY, "tmy",    TM,      1, ZERO, NONE, NONE, TM),

	/* storage <- storage op immediate; ext is the immediate's */
	R(0x9400, SI,  "ni",    RMW_IMM, 1, ZERO, NONE, AND,  BITWISE),
	R(0xeb54, SIY, "niy",   RMW_IMM, 1, ZERO, NONE, AND,  BITWISE),
	R(0x9600, SI,  "oi",    RMW_IMM, 1, ZERO, NONE, OR,   BITWISE),
	R(0xeb56, SIY, "oiy",   RMW_IMM, 1, ZERO, NONE, OR,   BITWISE),
	R(0x9700, SI,  "xi",    RMW_IMM, 1, ZERO, NONE, XOR,  BITWISE),
	R(0xeb57, SIY, "xiy",   RMW_IMM, 1, ZERO, NONE, XOR,  BITWISE),
	R(0xeb6a, SIY, "asi",   RMW_IMM, 4, SIGN, NONE, ADD,  ARITH),
	R(0xeb7a, SIY, "agsi",  RMW_IMM, 8, SIGN, NONE, ADD,  ARITH),
	R(0xeb6e, SIY, "alsi",  RMW_IMM, 4, SIGN, NONE, ADDL, LOGICAL),
	R(0xeb7e, SIY, "algsi", RMW_IMM, 8, SIGN, NONE, ADDL, LOGICAL),

	/* characters under mask: width = bits in M3 */
	R(0xbf00, RS,  "icm",   ICM,  0, ZERO, LOW32,  NONE, ICM),
	R(0xeb81, RSY, "icmy",  ICM,  0, ZERO, LOW32,  NONE, ICM),
	R(0xeb80, RSY, "icmh",  ICM,  0, ZERO, HIGH32, NONE, ICM),
	R(0xbe00, RS,  "stcm",  STCM, 0, ZERO, LOW32,  NONE, NONE),
	R(0xeb2d, RSY, "stcmy", STCM, 0, ZERO, LOW32,  NONE, NONE),
	R(0xeb2c, RSY, "stcmh", STCM, 0, ZERO, HIGH32, NONE, NONE),

	/* multiple: one access per register, in address order */
	R(0x9800, RS,  "lm",   LM,  4, ZERO, LOW32,  NONE, NONE),
	R(0xeb98, RSY, "lmy",  LM,  4, ZERO, LOW32,  NONE, NONE),
	R(0xeb04, RSY, "lmg",  LM,  8, ZERO, FULL64, NONE, NONE),
	R(0xeb96, RSY, "lmh",  LM,  4, ZERO, HIGH32, NONE, NONE),
	R(0x9000, RS,  "stm",  STM, 4, ZERO, LOW32,  NONE, NONE),
	R(0xeb90, RSY, "stmy", STM, 4, ZERO, LOW32,  NONE, NONE),
	R(0xeb24, RSY, "stmg", STM, 8, ZERO, FULL64, NONE, NONE),
	R(0xeb26, RSY, "stmh", STM, 4, ZERO, HIGH32, NONE, NONE),

	/* on condition: the access is made only when the M3 mask selects the cc */
	R(0xebf2, RSY, "loc",    LOC,  4, ZERO, LOW32,  NONE, NONE),
	R(0xebe2, RSY, "locg",   LOC,  8, ZERO, FULL64, NONE, NONE),
	R(0xebe0, RSY, "locfh",  LOC,  4, ZERO, HIGH32, NONE, NONE),
	R(0xebf3, RSY, "stoc",   STOC, 4, ZERO, LOW32,  NONE, NONE),
	R(0xebe3, RSY, "stocg",  STOC, 8, ZERO, FULL64, NONE, NONE),
	R(0xebe1, RSY, "stocfh", STOC, 4, ZERO, HIGH32, NONE, NONE),

	/* storage to storage */
	R(0xd200, SS,  "mvc",   SS,    0, ZERO, NONE, MOVE, NONE),
	R(0xd500, SS,  "clc",   SS,    0, ZERO, NONE, CMP,  CMP_LOGICAL),
	R(0xd400, SS,  "nc",    SS,    0, ZERO, NONE, AND,  BITWISE),
	R(0xd600, SS,  "oc",    SS,    0, ZERO, NONE, OR,   BITWISE),
	R(0xd700, SS,  "xc",    SS,    0, ZERO, NONE, XOR,  BITWISE),
	R(0xe50a, SSE, "mvcrl", MVCRL, 0, ZERO, NONE, MOVE, NONE),

	/* execute: the target instruction, its second byte ORed with R1's bits 56-63 */
	R(0x4400, RX,  "ex",   EX,   0, ZERO, NONE, NONE, NONE),
	R(0xc600, RIL, "exrl", EXRL, 0, ZERO, NONE, NONE, NONE),

	/* vector loads and stores (glibc's memmove, z13 and later) */
	R(0xe706, VRX, "vl",   VL,  16, ZERO, NONE, NONE, NONE),
	R(0xe70e, VRX, "vst",  VST, 16, ZERO, NONE, NONE, NONE),
	R(0xe737, VRS, "vll",  VL,  0,  ZERO, NONE, NONE, NONE),
	R(0xe73f, VRS, "vstl", VST, 0,  ZERO, NONE, NONE, NONE),
	R(0xe700, VRX, "vleb", VLE,  1, ZERO, NONE, NONE, NONE),
	R(0xe701, VRX, "vleh", VLE,  2, ZERO, NONE, NONE, NONE),
	R(0xe703, VRX, "vlef", VLE,  4, ZERO, NONE, NONE, NONE),
	R(0xe702, VRX, "vleg", VLE,  8, ZERO, NONE, NONE, NONE),
	R(0xe705, VRX, "vlrep", VLREP, 0, ZERO, NONE, NONE, NONE),
	R(0xe708, VRX, "vsteb", VSTE, 1, ZERO, NONE, NONE, NONE),
	R(0xe709, VRX, "vsteh", VSTE, 2, ZERO, NONE, NONE, NONE),
	R(0xe70b, VRX, "vstef", VSTE, 4, ZERO, NONE, NONE, NONE),
	R(0xe70a, VRX, "vsteg", VSTE, 8, ZERO, NONE, NONE, NONE),

	/* move long extended (gcc -Os inlines a variable memset as MVCLE + JO) */
	R(0xa800, RS,  "mvcle", MVCLE, 1, ZERO, NONE, MOVE, NONE),

	/* interlocked: never emulated on device memory */
	REFUSE(0xba00, RS,  "cs",    MMIO_E_ATOMIC),
	REFUSE(0xeb14, RSY, "csy",   MMIO_E_ATOMIC),
	REFUSE(0xeb30, RSY, "csg",   MMIO_E_ATOMIC),
	REFUSE(0xbb00, RS,  "cds",   MMIO_E_ATOMIC),
	REFUSE(0xeb31, RSY, "cdsy",  MMIO_E_ATOMIC),
	REFUSE(0xeb3e, RSY, "cdsg",  MMIO_E_ATOMIC),
	REFUSE(0xebf8, RSY, "laa",   MMIO_E_ATOMIC),
	REFUSE(0xebe8, RSY, "laag",  MMIO_E_ATOMIC),
	REFUSE(0xebfa, RSY, "laal",  MMIO_E_ATOMIC),
	REFUSE(0xebea, RSY, "laalg", MMIO_E_ATOMIC),
	REFUSE(0xebf4, RSY, "lan",   MMIO_E_ATOMIC),
	REFUSE(0xebe4, RSY, "lang",  MMIO_E_ATOMIC),
	REFUSE(0xebf6, RSY, "lao",   MMIO_E_ATOMIC),
	REFUSE(0xebe6, RSY, "laog",  MMIO_E_ATOMIC),
	REFUSE(0xebf7, RSY, "lax",   MMIO_E_ATOMIC),
	REFUSE(0xebe7, RSY, "laxg",  MMIO_E_ATOMIC),
	REFUSE(0x9300, SI,  "ts",    MMIO_E_ATOMIC),
	REFUSE(0xc802, SSF, "csst",  MMIO_E_ATOMIC),
	REFUSE(0xc804, SSF, "lpd",   MMIO_E_ATOMIC),
	REFUSE(0xc805, SSF, "lpdg",  MMIO_E_ATOMIC),
	REFUSE(0xe38f, RXY, "lpq",   MMIO_E_ATOMIC),
	REFUSE(0xe38e, RXY, "stpq",  MMIO_E_ATOMIC),
	REFUSE(0xee00, SS,  "plo",   MMIO_E_ATOMIC),

	/* named so that the message says what it is when capstone cannot */
	REFUSE(0xa900, RS,  "clcle", MMIO_E_UNSUPPORTED),
	REFUSE(0xe385, RXY, "lgat",  MMIO_E_UNSUPPORTED),
	REFUSE(0xe39f, RXY, "lat",   MMIO_E_UNSUPPORTED),
	REFUSE(0xe39c, RXY, "llgtat", MMIO_E_UNSUPPORTED),
	REFUSE(0xe39d, RXY, "llgfat", MMIO_E_UNSUPPORTED),
	REFUSE(0xe3c8, RXY, "lfhat", MMIO_E_UNSUPPORTED),
};

const unsigned s390x_row_count = sizeof s390x_rows / sizeof s390x_rows[0];

uint16_t s390x_opcode(const uint8_t *b)
{
	switch (b[0]) {
	case 0xe3: case 0xe6: case 0xe7: case 0xeb: case 0xec: case 0xed:
		return (uint16_t)(b[0] << 8 | b[5]);
	case 0x01: case 0xb2: case 0xb3: case 0xb9: case 0xe5:
		return (uint16_t)(b[0] << 8 | b[1]);
	case 0xa5: case 0xa7: case 0xc0: case 0xc2: case 0xc4: case 0xc6:
	case 0xc8: case 0xcc:
		return (uint16_t)(b[0] << 8 | (b[1] & 15));
	default:
		return (uint16_t)(b[0] << 8);
	}
}

const struct s390x_row *s390x_row_find(uint16_t opcode)
{
	for (unsigned i = 0; i < s390x_row_count; i++)
		if (s390x_rows[i].opcode == opcode)
			return &s390x_rows[i];
	return NULL;
}
