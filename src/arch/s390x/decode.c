/* s390x: decode one faulting instruction into struct insn.
 *
 * The project's own table (table.c) decodes: s390x formats are regular, so
 * the instruction length comes from the top two bits of the first byte and
 * the operand fields sit at fixed places per format. capstone only prints
 * the text and cross-checks the length; the capstone that Debian bookworm
 * ships (4.0.2) stops at z196 and cannot decode LRVH, STRVH, LLGT, LM, STM,
 * ICM, EX, NTSTG or vector loads, so for those the text comes from the
 * table too. The same table-only decoder decodes EXECUTE's target at
 * emulation time (emulate.c), where capstone is not at hand.
 *
 * Runs in the signal handler: no allocation beyond capstone's, no stdio,
 * no locks. Nothing here depends on the host: it builds and runs on any
 * architecture. */
#include <string.h>

#include "s390x.h"

#if CS_API_MAJOR >= 6
#define S390X_CS_ARCH CS_ARCH_SYSTEMZ	/* capstone 6 renamed SYSZ to SYSTEMZ */
#else
#define S390X_CS_ARCH CS_ARCH_SYSZ
#endif

int arch_cs_open(csh *handle)
{
	/* capstone 6: a mode without a processor level enables every feature */
	if (cs_open(S390X_CS_ARCH, CS_MODE_BIG_ENDIAN, handle) != CS_ERR_OK)
		return MMIO_E_DECODE;
	return 0;
}

static int32_t disp12(const uint8_t *p)
{
	return (p[0] & 15) << 8 | p[1];
}

/* DL (12 bits) at p[0..1], DH (8 bits, signed) at p[2]. */
static int32_t disp20(const uint8_t *p)
{
	return (int32_t)(int8_t)p[2] * 4096 + disp12(p);
}

static struct s390x_mem mem_at(const uint8_t *p, uint8_t x, int long_disp)
{
	struct s390x_mem m = { (uint8_t)(p[0] >> 4), x, long_disp ? disp20(p) : disp12(p) };
	return m;
}

/* The operand fields of format fmt. */
static void fields(unsigned fmt, const uint8_t *b, struct s390x_decoded *x)
{
	uint8_t rxb = b[4] & 15;

	switch (fmt) {
	case S390X_RX:
	case S390X_RXY:
		x->r1 = b[1] >> 4;
		x->m[0] = mem_at(b + 2, b[1] & 15, fmt == S390X_RXY);
		x->nmem = 1;
		break;
	case S390X_RS:
	case S390X_RSY:
		x->r1 = b[1] >> 4;
		x->r3 = b[1] & 15;
		x->m[0] = mem_at(b + 2, 0, fmt == S390X_RSY);
		x->nmem = 1;
		break;
	case S390X_SI:
	case S390X_SIY:
		x->imm = b[1];
		x->m[0] = mem_at(b + 2, 0, fmt == S390X_SIY);
		x->nmem = 1;
		break;
	case S390X_SIL:
		x->imm = b[4] << 8 | b[5];
		x->m[0] = mem_at(b + 2, 0, 0);
		x->nmem = 1;
		break;
	case S390X_SS:
	case S390X_SSE:
	case S390X_SSF:
		x->l = b[1];
		x->r3 = b[1] >> 4;
		x->m[0] = mem_at(b + 2, 0, 0);
		x->m[1] = mem_at(b + 4, 0, 0);
		x->nmem = 2;
		break;
	case S390X_RIL:
		x->r1 = b[1] >> 4;
		x->imm = (int32_t)((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]);
		break;
	case S390X_VRX:
		x->r1 = (uint8_t)((b[1] >> 4) | (rxb & 8 ? 16 : 0));
		x->r3 = b[4] >> 4;	/* M3: alignment hint */
		x->m[0] = mem_at(b + 2, b[1] & 15, 0);
		x->nmem = 1;
		break;
	case S390X_VRS:
		x->r1 = (uint8_t)((b[1] >> 4) | (rxb & 8 ? 16 : 0));
		x->r3 = b[1] & 15;	/* the GPR with the highest byte index */
		x->m[0] = mem_at(b + 2, 0, 0);
		x->nmem = 1;
		break;
	}
}

/* For instructions the table does not know: where the first storage
 * operand is in the common format of their opcode family, so that
 * messages (and the SIGILL path) can name the address. */
static void fields_by_family(const uint8_t *b, struct s390x_decoded *x)
{
	uint8_t op = b[0];

	if (op >= 0x40 && op < 0x80)
		fields(S390X_RX, b, x);
	else if (op == 0xe3 || (op == 0xed && b[5] >= 0x64 && b[5] <= 0x67))
		fields(S390X_RXY, b, x);
	else if (op == 0xed)
		fields(S390X_RX, b, x);	/* RXE, RXF: the storage operand of RX */
	else if (op == 0xeb)
		fields(S390X_RSY, b, x);
	else if (op == 0xe7 && b[5] < 0x40 && b[5] != 0x21 && b[5] != 0x22 && (b[5] < 0x30 || b[5] > 0x33))
		fields(S390X_RS, b, x);	/* VRX, VRS, VRV; not VLGV/VLVG or the shifts (an address, no access) */
	else if ((op >= 0x80 && op < 0xc0 && op != 0xa5 && op != 0xa7 && op != 0xb2 && op != 0xb3 && op != 0xb9) ||
		 op == 0xe5)
		fields(S390X_RS, b, x);
	else if ((op >= 0xd0 && op < 0xe0) || op == 0xe8 || op == 0xe9 || op >= 0xee)
		fields(S390X_SS, b, x);
	x->r1 = x->r3 = 0;
	x->imm = 0;
}

const struct s390x_row *s390x_decode_bytes(const uint8_t *code, size_t avail, struct s390x_decoded *x)
{
	uint8_t b[6] = { 0 };

	memset(x, 0, sizeof *x);
	x->row = S390X_NO_ROW;
	if (!avail)
		return NULL;
	unsigned len = s390x_ilen(code[0]);
	if (avail < len)
		return NULL;
	memcpy(b, code, len);
	memcpy(x->code, b, len);
	x->len = (uint8_t)len;

	const struct s390x_row *row = s390x_row_find(s390x_opcode(b));
	if (!row || s390x_ilen(row->opcode >> 8) != len) {
		fields_by_family(b, x);
		return NULL;
	}
	fields(row->fmt, b, x);
	if (row->fmt == S390X_SI || row->fmt == S390X_SIY)
		x->imm = row->ext == S390X_EXT_SIGN ? (int8_t)x->imm : (uint8_t)x->imm;
	else if (row->fmt == S390X_SIL)
		x->imm = row->ext == S390X_EXT_SIGN ? (int16_t)x->imm : (uint16_t)x->imm;
	x->row = (uint16_t)(row - s390x_rows);
	return row;
}

uint8_t s390x_kind(const struct s390x_row *row)
{
	switch (row->op) {
	case S390X_OP_STORE:
	case S390X_OP_STORE_IMM:
	case S390X_OP_STCM:
	case S390X_OP_STM:
	case S390X_OP_STOC:
	case S390X_OP_VST:
	case S390X_OP_VSTE:
		return INSN_STORE;
	case S390X_OP_CMP:
	case S390X_OP_CMP_IMM:
	case S390X_OP_TM:
		return INSN_CMP;
	case S390X_OP_RMW_IMM:
		return INSN_RMW;
	case S390X_OP_SS:	/* block operations: no alignment of their own */
	case S390X_OP_MVCRL:
	case S390X_OP_EX:	/* the target is known at emulation time only */
	case S390X_OP_EXRL:
	case S390X_OP_MVCLE:
		return INSN_COPY;
	case S390X_OP_REFUSE:
		return row->refuse == MMIO_E_ATOMIC ? INSN_RMW : INSN_LOAD;
	default:
		return INSN_LOAD;
	}
}

uint8_t s390x_width(const struct s390x_row *row, const struct s390x_decoded *x)
{
	if (row->op == S390X_OP_ICM || row->op == S390X_OP_STCM) {
		uint8_t n = (uint8_t)__builtin_popcount(x->r3 & 15);
		return n ? n : 1;
	}
	if (row->op == S390X_OP_VL || row->op == S390X_OP_VST)
		return 16;
	if (row->op == S390X_OP_VLREP)
		return (uint8_t)(1u << (x->r3 & 3));
	return row->width ? row->width : 1;	/* SS, EX: byte by byte */
}

/* ---- text, for messages: capstone's, else the table's ---- */

struct text {
	char *p;
	size_t n, cap;
};

static void put(struct text *t, const char *s)
{
	while (*s && t->n < t->cap)
		t->p[t->n++] = *s++;
	t->p[t->n] = 0;
}

static void put_num(struct text *t, int64_t v)
{
	char buf[24];
	int i = sizeof buf - 1;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	put(t, buf + i);
}

static void put_reg(struct text *t, const char *prefix, unsigned r)
{
	put(t, prefix);
	put_num(t, r);
}

/* d(x,b), d(b) or d; SS: d(l,b) with l = length. */
static void put_mem(struct text *t, const struct s390x_mem *m, int length)
{
	put_num(t, m->d);
	if (!m->x && !m->b && length < 0)
		return;
	put(t, "(");
	if (length >= 0) {
		put_num(t, length);
		put(t, ",");
	} else if (m->x) {
		put_reg(t, "%r", m->x);
		put(t, m->b ? "," : "");
	}
	if (m->b)
		put_reg(t, "%r", m->b);
	else if (length >= 0)
		put(t, "0");
	put(t, ")");
}

static void text_table(struct insn *out, const struct s390x_row *row, const struct s390x_decoded *x)
{
	struct text t = { out->text, 0, sizeof out->text - 1 };

	put(&t, row->mnemonic);
	put(&t, " ");
	switch (row->fmt) {
	case S390X_RX:
	case S390X_RXY:
		put_reg(&t, row->field >= S390X_F_FPR32 ? "%f" : "%r", x->r1);
		put(&t, ",");
		put_mem(&t, &x->m[0], -1);
		break;
	case S390X_RS:
	case S390X_RSY:
		put_reg(&t, "%r", x->r1);
		put(&t, ",");
		if (row->op == S390X_OP_LM || row->op == S390X_OP_STM || row->op == S390X_OP_MVCLE ||
		    row->op == S390X_OP_REFUSE)
			put_reg(&t, "%r", x->r3);
		else
			put_num(&t, x->r3);
		put(&t, ",");
		put_mem(&t, &x->m[0], -1);
		break;
	case S390X_SI:
	case S390X_SIY:
	case S390X_SIL:
		put_mem(&t, &x->m[0], -1);
		put(&t, ",");
		put_num(&t, x->imm);
		break;
	case S390X_SS:
		put_mem(&t, &x->m[0], x->l + 1);
		put(&t, ",");
		put_mem(&t, &x->m[1], -1);
		break;
	case S390X_SSE:
	case S390X_SSF:
		put_mem(&t, &x->m[0], -1);
		put(&t, ",");
		put_mem(&t, &x->m[1], -1);
		if (row->fmt == S390X_SSF) {
			put(&t, ",");
			put_reg(&t, "%r", x->r3);
		}
		break;
	case S390X_RIL:
		put_reg(&t, "%r", x->r1);
		put(&t, ",.");
		put(&t, x->imm < 0 ? "" : "+");
		put_num(&t, x->imm * 2);
		break;
	case S390X_VRX:
	case S390X_VRS:
		put_reg(&t, "%v", x->r1);
		put(&t, ",");
		if (row->fmt == S390X_VRS) {
			put_reg(&t, "%r", x->r3);
			put(&t, ",");
		}
		put_mem(&t, &x->m[0], -1);
		if (row->op == S390X_OP_VLE || row->op == S390X_OP_VSTE || row->op == S390X_OP_VLREP) {
			put(&t, ",");
			put_num(&t, x->r3);
		}
		break;
	}
}

static void text_capstone(struct insn *out, const char *mnemonic, const char *operands)
{
	struct text t = { out->text, 0, sizeof out->text - 1 };

	put(&t, mnemonic);
	if (operands[0]) {
		put(&t, " ");
		put(&t, operands);
	}
}

/* For bytes nobody can decode: ".byte 0xe3,0x10,...". */
static void text_bytes(struct insn *out, const uint8_t *code, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct text t = { out->text, 0, sizeof out->text - 1 };
	char b[6] = "0x00";

	put(&t, ".byte");
	for (size_t i = 0; i < n && i < 6; i++) {
		put(&t, i ? "," : " ");
		b[2] = hex[code[i] >> 4];
		b[3] = hex[code[i] & 15];
		put(&t, b);
	}
}

int arch_decode(csh handle, cs_insn *scratch, const uint8_t *code, size_t avail,
		uint64_t pc, struct insn *out)
{
	struct s390x_decoded x;

	memset(out, 0, sizeof *out);
	out->pc = pc;
	const struct s390x_row *row = s390x_decode_bytes(code, avail, &x);
	if (!x.len) {
		text_bytes(out, code, avail);
		out->refuse = MMIO_E_DECODE;
		return MMIO_E_DECODE;
	}
	out->len = x.len;

	/* capstone: text, and a cross-check of the length */
	const uint8_t *p = code;
	size_t left = x.len;
	uint64_t addr = pc;
	int cs_ok = handle && scratch && cs_disasm_iter(handle, &p, &left, &addr, scratch);
	if (cs_ok && scratch->size != x.len) {
		text_capstone(out, scratch->mnemonic, scratch->op_str);
		out->refuse = MMIO_E_DECODE;
		return MMIO_E_DECODE;
	}
	if (cs_ok)
		text_capstone(out, scratch->mnemonic, scratch->op_str);
	else if (row)
		text_table(out, row, &x);
	else
		text_bytes(out, code, x.len);

	memcpy(out->arch, &x, sizeof x);	/* for refusals too: arch_data_address */
	if (!row) {
		/* decodable by capstone but not ours: a storage instruction we do
		 * not emulate (it faulted on a trapped page) */
		out->kind = INSN_LOAD;
		out->width = 1;
		out->refuse = cs_ok ? MMIO_E_UNSUPPORTED : MMIO_E_DECODE;
		return cs_ok ? 0 : MMIO_E_DECODE;
	}
	out->kind = s390x_kind(row);
	out->width = s390x_width(row, &x);
	out->refuse = row->op == S390X_OP_REFUSE ? row->refuse : 0;
	return 0;
}
