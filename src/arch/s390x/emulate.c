/* s390x: emulate one decoded instruction against the saved registers.
 *
 * Runs in the signal handler. Every device access goes through io: one
 * call per access, of exactly the instruction's width, in program order.
 * Registers and the condition code are written only after every access
 * succeeded, so a failure leaves uc unchanged. Values are big-endian: the
 * bytes of an operand in address order are the integer.
 *
 * Choices where the architecture leaves room:
 * - LOC/STOC access storage only when the condition holds (the machine may
 *   fetch anyway; a device must not see a read the program did not ask for).
 * - ICM/STCM with mask 0 make no access.
 * - MVC/XC/NC/OC/MVCRL: one read of each operand and one write of the
 *   first, L+1 bytes each, unless the operands overlap destructively; then
 *   byte by byte (read, read, write per byte), as the architecture defines
 *   the result. XC/NC/OC with both operands at the same address read once.
 * - EX/EXRL: the target is read from memory (the CPU has just fetched it),
 *   its second byte ORed with bits 56-63 of R1 (R1 != 0), decoded with the
 *   table and emulated; the PSW then points past the EXECUTE.
 * - 64-bit addressing mode; a fixed-point overflow with the program mask
 *   bit set is not turned into a program interruption. */
#include <string.h>

#include "s390x.h"

/* Linux's extended signal frame (asm/ucontext.h): with UC_VXRS in
 * uc_flags, _sigregs_ext follows the 128-byte signal mask area, which is
 * where glibc's ucontext_t ends. */
#define S390X_UC_VXRS 2
#define S390X_EXT_OFFSET sizeof(ucontext_t)
#define S390X_VXRS_HIGH_OFFSET 128	/* after vxrs_low[16] */

static uint64_t greg(const ucontext_t *uc, unsigned r)
{
	return uc->uc_mcontext.gregs[r];
}

static unsigned cc_get(const ucontext_t *uc)
{
	return (unsigned)(uc->uc_mcontext.psw.mask >> S390X_CC_SHIFT) & 3;
}

/* The registers as they will be written back: a copy, committed at the end. */
struct regs {
	uint64_t g[16];
	unsigned cc;
	ucontext_t *uc;		/* for the vector registers, written directly */
};

static uint64_t address(const struct s390x_mem *m, const uint64_t *g)
{
	return (uint64_t)(int64_t)m->d + (m->b ? g[m->b] : 0) + (m->x ? g[m->x] : 0);
}

static uint64_t be_get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void be_put(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

static int mem_read(const struct mmio_io *io, uint64_t addr, unsigned n, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	int err = io->read(io, addr, n, buf);
	*v = be_get(buf, n);
	return err;
}

static int mem_write(const struct mmio_io *io, uint64_t addr, unsigned n, uint64_t v)
{
	uint8_t buf[8];
	be_put(buf, n, v);
	return io->write(io, addr, n, buf);
}

static uint64_t mask_of(unsigned n)
{
	return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned n)
{
	unsigned shift = 64 - 8 * n;
	return n >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

static uint64_t byte_reverse(uint64_t v, unsigned n)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < n; i++, v >>= 8)
		r = r << 8 | (v & 0xff);
	return r;
}

/* The bytes of a storage operand as the instruction's number. */
static uint64_t extend(const struct s390x_row *row, uint64_t v, unsigned n)
{
	switch (row->ext) {
	case S390X_EXT_SIGN: return sign_extend(v, n);
	case S390X_EXT_SWAP: return byte_reverse(v, n);
	case S390X_EXT_31: return v & 0x7fffffffu;
	default: return v & mask_of(n);
	}
}

static uint64_t field_get(uint64_t g, unsigned field)
{
	switch (field) {
	case S390X_F_LOW32: return g & 0xffffffffu;
	case S390X_F_HIGH32: return g >> 32;
	case S390X_F_LOW16: return g & 0xffff;
	case S390X_F_LOW8: return g & 0xff;
	default: return g;
	}
}

static uint64_t field_put(uint64_t g, unsigned field, uint64_t v)
{
	switch (field) {
	case S390X_F_LOW32: return (g & ~0xffffffffull) | (v & 0xffffffffu);
	case S390X_F_HIGH32: return (g & 0xffffffffu) | v << 32;
	case S390X_F_LOW16: return (g & ~0xffffull) | (v & 0xffff);
	case S390X_F_LOW8: return (g & ~0xffull) | (v & 0xff);
	default: return v;
	}
}

/* Bytes the field's operation works on: 8 for the full register, else 4. */
static unsigned field_bytes(unsigned field)
{
	return field == S390X_F_FULL64 ? 8 : 4;
}

/* ---- condition codes ---- */

static unsigned cc_sign(uint64_t v, unsigned n)
{
	int64_t s = (int64_t)sign_extend(v & mask_of(n), n);
	return s == 0 ? 0 : s < 0 ? 1 : 2;
}

static unsigned cc_compare(uint64_t a, uint64_t b, unsigned n, int is_signed)
{
	if (is_signed) {
		int64_t sa = (int64_t)sign_extend(a & mask_of(n), n);
		int64_t sb = (int64_t)sign_extend(b & mask_of(n), n);
		return sa == sb ? 0 : sa < sb ? 1 : 2;
	}
	a &= mask_of(n);
	b &= mask_of(n);
	return a == b ? 0 : a < b ? 1 : 2;
}

/* a alu b on n bytes (4 or 8; 1 for the bitwise byte forms); *cc as the
 * row's rule says. carry_in: cc bit 1 (cc 2 or 3) for ALC and SLB. */
static uint64_t alu(unsigned op, unsigned rule, uint64_t a, uint64_t b, unsigned n,
		    unsigned cc_in, unsigned *cc)
{
	uint64_t m = mask_of(n), r;
	uint64_t sign = 1ull << (8 * n - 1);
	int overflow = 0, carry = 0;

	a &= m;
	b &= m;
	switch (op) {
	case S390X_ALU_ADD:
		r = (a + b) & m;
		overflow = ((a ^ r) & (b ^ r) & sign) != 0;
		break;
	case S390X_ALU_SUB:
		r = (a - b) & m;
		overflow = ((a ^ b) & (a ^ r) & sign) != 0;
		break;
	case S390X_ALU_ADDL:
	case S390X_ALU_ADDC:
	case S390X_ALU_SUBL:
	case S390X_ALU_SUBB: {
		int sub = op == S390X_ALU_SUBL || op == S390X_ALU_SUBB;
		unsigned cin = op == S390X_ALU_ADDL ? 0 : op == S390X_ALU_SUBL ? 1 : (cc_in >> 1) & 1;
		unsigned __int128 s = (unsigned __int128)a + (sub ? ~b & m : b) + cin;
		r = (uint64_t)s & m;
		carry = (int)((s >> (8 * n)) & 1);
		break;
	}
	case S390X_ALU_AND: r = a & b; break;
	case S390X_ALU_OR: r = a | b; break;
	case S390X_ALU_XOR: r = a ^ b; break;
	case S390X_ALU_MUL: r = (a * b) & m; break;
	default: r = a; break;
	}
	switch (rule) {
	case S390X_CC_ARITH: *cc = overflow ? 3 : cc_sign(r, n); break;
	case S390X_CC_LOGICAL: *cc = (unsigned)(carry << 1) | (r != 0); break;
	case S390X_CC_BITWISE: *cc = r != 0; break;
	default: break;
	}
	return r;
}

/* ---- the operations ---- */

typedef int emulate_fn(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io);

/* Floating-point register r: bits 0-63, as an integer. */
static uint64_t fpr_get(const ucontext_t *uc, unsigned r)
{
	uint64_t f;
	memcpy(&f, &uc->uc_mcontext.fpregs.fprs[r], 8);
	return f;
}

static void fpr_set(ucontext_t *uc, unsigned r, uint64_t f)
{
	memcpy(&uc->uc_mcontext.fpregs.fprs[r], &f, 8);
}

/* Reads the instruction's storage operand (row->width bytes at its first
 * address) into *v, extended as the row says. */
static int operand_read(const struct s390x_row *row, const struct s390x_decoded *x, const struct regs *rg,
			const struct mmio_io *io, uint64_t *v)
{
	int err = mem_read(io, address(&x->m[0], rg->g), row->width, v);
	if (!err)
		*v = extend(row, *v, row->width);
	return err;
}

static int emulate_load(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			struct regs *rg, const struct mmio_io *io)
{
	uint64_t v;
	(void)pc;
	int err = operand_read(row, x, rg, io, &v);
	if (err)
		return err;
	if (row->field == S390X_F_FPR32 || row->field == S390X_F_FPR64) {
		/* written at once: the only access has been made */
		uint64_t f = fpr_get(rg->uc, x->r1);
		fpr_set(rg->uc, x->r1, row->field == S390X_F_FPR64 ? v : (f & 0xffffffffu) | v << 32);
		return 0;
	}
	if (row->field == S390X_F_FPR32Z) {
		fpr_set(rg->uc, x->r1, v << 32);
		return 0;
	}
	rg->g[x->r1] = field_put(rg->g[x->r1], row->field, v);
	if (row->cc == S390X_CC_SIGN)
		rg->cc = cc_sign(v, field_bytes(row->field));
	return 0;
}

static int emulate_store(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			 struct regs *rg, const struct mmio_io *io)
{
	uint64_t v = field_get(rg->g[x->r1], row->field);
	(void)pc;
	if (row->field == S390X_F_FPR32)
		v = fpr_get(rg->uc, x->r1) >> 32;
	else if (row->field == S390X_F_FPR64)
		v = fpr_get(rg->uc, x->r1);
	if (row->ext == S390X_EXT_SWAP)
		v = byte_reverse(v, row->width);
	return mem_write(io, address(&x->m[0], rg->g), row->width, v);
}

static int emulate_store_imm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			     struct regs *rg, const struct mmio_io *io)
{
	(void)pc;
	return mem_write(io, address(&x->m[0], rg->g), row->width, (uint64_t)x->imm);
}

static int emulate_alu(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	uint64_t v;
	unsigned n = field_bytes(row->field);
	(void)pc;
	int err = operand_read(row, x, rg, io, &v);
	if (err)
		return err;
	uint64_t r = alu(row->alu, row->cc, field_get(rg->g[x->r1], row->field), v, n, rg->cc, &rg->cc);
	rg->g[x->r1] = field_put(rg->g[x->r1], row->field, r);
	return 0;
}

static int emulate_cmp(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	uint64_t v;
	(void)pc;
	int err = operand_read(row, x, rg, io, &v);
	if (err)
		return err;
	rg->cc = cc_compare(field_get(rg->g[x->r1], row->field), v, field_bytes(row->field),
			    row->cc == S390X_CC_CMP_SIGNED);
	return 0;
}

static int emulate_cmp_imm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			   struct regs *rg, const struct mmio_io *io)
{
	uint64_t v;
	(void)pc;
	int err = operand_read(row, x, rg, io, &v);
	if (err)
		return err;
	rg->cc = cc_compare(v, (uint64_t)x->imm, 8, row->cc == S390X_CC_CMP_SIGNED);
	return 0;
}

static int emulate_tm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		      struct regs *rg, const struct mmio_io *io)
{
	uint64_t v;
	(void)pc;
	int err = mem_read(io, address(&x->m[0], rg->g), row->width, &v);
	if (err)
		return err;
	uint64_t sel = v & (uint64_t)x->imm;
	rg->cc = !x->imm || !sel ? 0 : sel == (uint64_t)x->imm ? 3 : 1;
	return 0;
}

static int emulate_rmw_imm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			   struct regs *rg, const struct mmio_io *io)
{
	uint64_t v, addr = address(&x->m[0], rg->g);
	(void)pc;
	int err = mem_read(io, addr, row->width, &v);
	if (err)
		return err;
	v = alu(row->alu, row->cc, v, (uint64_t)x->imm, row->width, rg->cc, &rg->cc);
	return mem_write(io, addr, row->width, v);
}

/* The byte positions (0 = leftmost of the 32-bit field) M3 selects. */
static unsigned mask_bytes(unsigned m3, unsigned pos[4])
{
	unsigned n = 0;
	for (unsigned i = 0; i < 4; i++)
		if (m3 & (8u >> i))
			pos[n++] = i;
	return n;
}

static int emulate_icm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	unsigned pos[4], n = mask_bytes(x->r3, pos);
	uint64_t v;
	(void)pc;
	if (!n) {
		rg->cc = 0;
		return 0;
	}
	int err = mem_read(io, address(&x->m[0], rg->g), n, &v);
	if (err)
		return err;
	uint64_t f = field_get(rg->g[x->r1], row->field);
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = 8 * (3 - pos[i]);
		uint64_t byte = (v >> (8 * (n - 1 - i))) & 0xff;
		f = (f & ~(0xffull << shift)) | byte << shift;
	}
	rg->g[x->r1] = field_put(rg->g[x->r1], row->field, f);
	rg->cc = v == 0 ? 0 : (v >> (8 * n - 1)) & 1 ? 1 : 2;
	return 0;
}

static int emulate_stcm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			struct regs *rg, const struct mmio_io *io)
{
	unsigned pos[4], n = mask_bytes(x->r3, pos);
	uint64_t f = field_get(rg->g[x->r1], row->field), v = 0;
	(void)pc;
	if (!n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | ((f >> (8 * (3 - pos[i]))) & 0xff);
	return mem_write(io, address(&x->m[0], rg->g), n, v);
}

static unsigned multiple_count(const struct s390x_decoded *x)
{
	return ((x->r3 - x->r1) & 15) + 1u;
}

static int emulate_lm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		      struct regs *rg, const struct mmio_io *io)
{
	uint64_t v[16], addr = address(&x->m[0], rg->g);
	unsigned n = multiple_count(x);
	(void)pc;
	int err = io_check(io, addr, (size_t)n * row->width);
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++) {
		int err = mem_read(io, addr + (uint64_t)i * row->width, row->width, &v[i]);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned r = (x->r1 + i) & 15;
		rg->g[r] = field_put(rg->g[r], row->field, v[i]);
	}
	return 0;
}

static int emulate_stm(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	uint64_t addr = address(&x->m[0], rg->g);
	unsigned n = multiple_count(x);
	(void)pc;
	int err = io_check(io, addr, (size_t)n * row->width);
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = field_get(rg->g[(x->r1 + i) & 15], row->field);
		int err = mem_write(io, addr + (uint64_t)i * row->width, row->width, v);
		if (err)
			return err;
	}
	return 0;
}

static int condition(unsigned m3, unsigned cc)
{
	return (m3 >> (3 - cc)) & 1;
}

static int emulate_loc(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	if (!condition(x->r3, rg->cc))
		return 0;
	return emulate_load(row, x, pc, rg, io);
}

static int emulate_stoc(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			struct regs *rg, const struct mmio_io *io)
{
	if (!condition(x->r3, rg->cc))
		return 0;
	return emulate_store(row, x, pc, rg, io);
}

/* Storage to storage, n bytes, d <- d op s. Byte by byte when the result
 * depends on it: s below d and overlapping, processed left to right
 * (right to left: the mirror case). */
static int storage_op(const struct s390x_row *row, uint64_t d, uint64_t s, unsigned n, int right_to_left,
		      struct regs *rg, const struct mmio_io *io)
{
	uint8_t a[256], b[256];
	int move = row->alu == S390X_ALU_MOVE, compare = row->alu == S390X_ALU_CMP;
	int bytewise = !compare && (right_to_left ? s > d && s - d < n : d > s && d - s < n);
	unsigned nonzero = 0;
	int err;

	if ((err = io_check(io, d, n)) || (err = io_check(io, s, n)))
		return err;

	if (bytewise) {
		for (unsigned k = 0; k < n; k++) {
			unsigned i = right_to_left ? n - 1 - k : k;
			uint8_t x = 0, y;
			if (!move && (err = io->read(io, d + i, 1, &x)))
				return err;
			if ((err = io->read(io, s + i, 1, &y)))
				return err;
			uint8_t r = move ? y : row->alu == S390X_ALU_AND ? x & y : row->alu == S390X_ALU_OR ? x | y : x ^ y;
			nonzero |= r;
			if ((err = io->write(io, d + i, 1, &r)))
				return err;
		}
	} else {
		if (!move && (err = io->read(io, d, n, a)))
			return err;
		if (!move && s == d)
			memcpy(b, a, n);
		else if ((err = io->read(io, s, n, b)))
			return err;
		if (compare) {
			int c = memcmp(a, b, n);
			rg->cc = c == 0 ? 0 : c < 0 ? 1 : 2;
			return 0;
		}
		for (unsigned i = 0; i < n && !move; i++) {
			b[i] = row->alu == S390X_ALU_AND ? a[i] & b[i] : row->alu == S390X_ALU_OR ? a[i] | b[i] : a[i] ^ b[i];
			nonzero |= b[i];
		}
		if ((err = io->write(io, d, n, b)))
			return err;
	}
	if (row->cc == S390X_CC_BITWISE)
		rg->cc = nonzero != 0;
	return 0;
}

static int emulate_ss(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		      struct regs *rg, const struct mmio_io *io)
{
	(void)pc;
	return storage_op(row, address(&x->m[0], rg->g), address(&x->m[1], rg->g), x->l + 1u, 0, rg, io);
}

static int emulate_mvcrl(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			 struct regs *rg, const struct mmio_io *io)
{
	(void)pc;
	return storage_op(row, address(&x->m[0], rg->g), address(&x->m[1], rg->g), (rg->g[0] & 0xff) + 1u, 1,
			  rg, io);
}

/* ---- vector registers in the extended signal frame ---- */

/* Bytes 0-15 of vector register v, as they are in storage. */
static int vec_bytes(ucontext_t *uc, unsigned v, uint8_t *hi[2])
{
	if (!(uc->uc_flags & S390X_UC_VXRS))
		return MMIO_E_UNSUPPORTED;	/* no vector facility: the frame has no room */
	uint8_t *ext = (uint8_t *)uc + S390X_EXT_OFFSET;
	if (v < 16) {
		hi[0] = (uint8_t *)&uc->uc_mcontext.fpregs.fprs[v];	/* bits 0-63 are FPR v */
		hi[1] = ext + 8 * v;				/* vxrs_low[v] */
	} else {
		hi[0] = ext + S390X_VXRS_HIGH_OFFSET + 16 * (v - 16);
		hi[1] = hi[0] + 8;
	}
	return 0;
}

/* VL/VLL: n bytes (VLL: R3's bits 32-63 + 1, at most 16; the rest zeroed). */
static unsigned vec_len(const struct s390x_row *row, const struct s390x_decoded *x, const struct regs *rg)
{
	if (row->fmt == S390X_VRX)
		return 16;
	uint32_t last = (uint32_t)rg->g[x->r3];
	return last >= 15 ? 16 : last + 1;
}

static int emulate_vl(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		      struct regs *rg, const struct mmio_io *io)
{
	uint8_t *half[2], v[16] = { 0 };
	unsigned n = vec_len(row, x, rg);
	(void)pc;
	int err = vec_bytes(rg->uc, x->r1, half);
	if (!err)
		err = io->read(io, address(&x->m[0], rg->g), n, v);
	if (err)
		return err;
	/* written at once: the other operations commit registers after io too */
	memcpy(half[0], v, 8);
	memcpy(half[1], v + 8, 8);
	return 0;
}

static int emulate_vst(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	uint8_t *half[2], v[16];
	unsigned n = vec_len(row, x, rg);
	(void)pc;
	int err = vec_bytes(rg->uc, x->r1, half);
	if (err)
		return err;
	memcpy(v, half[0], 8);
	memcpy(v + 8, half[1], 8);
	return io->write(io, address(&x->m[0], rg->g), n, v);
}

/* VLE*: element M3 of width bytes; the rest of the register kept. */
static int element(const struct s390x_row *row, const struct s390x_decoded *x, uint8_t *half[2], struct regs *rg,
		   unsigned *off)
{
	*off = (unsigned)x->r3 * row->width;
	if (*off + row->width > 16)
		return MMIO_E_UNSUPPORTED;	/* a specification exception on the machine */
	return vec_bytes(rg->uc, x->r1, half);
}

static int emulate_vle(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
		       struct regs *rg, const struct mmio_io *io)
{
	uint8_t *half[2], v[16], e[8];
	unsigned off;
	(void)pc;
	int err = element(row, x, half, rg, &off);
	if (!err)
		err = io->read(io, address(&x->m[0], rg->g), row->width, e);
	if (err)
		return err;
	memcpy(v, half[0], 8);
	memcpy(v + 8, half[1], 8);
	memcpy(v + off, e, row->width);
	memcpy(half[0], v, 8);
	memcpy(half[1], v + 8, 8);
	return 0;
}

static int emulate_vste(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			struct regs *rg, const struct mmio_io *io)
{
	uint8_t *half[2], v[16];
	unsigned off;
	(void)pc;
	int err = element(row, x, half, rg, &off);
	if (err)
		return err;
	memcpy(v, half[0], 8);
	memcpy(v + 8, half[1], 8);
	return io->write(io, address(&x->m[0], rg->g), row->width, v + off);
}

static int emulate_vlrep(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			 struct regs *rg, const struct mmio_io *io)
{
	uint8_t *half[2], v[16], e[8];
	unsigned w = 1u << (x->r3 & 3);
	(void)row, (void)pc;
	if (x->r3 > 3)
		return MMIO_E_UNSUPPORTED;	/* a specification exception on the machine */
	int err = vec_bytes(rg->uc, x->r1, half);
	if (!err)
		err = io->read(io, address(&x->m[0], rg->g), w, e);
	if (err)
		return err;
	for (unsigned i = 0; i < 16; i += w)
		memcpy(v + i, e, w);
	memcpy(half[0], v, 8);
	memcpy(half[1], v + 8, 8);
	return 0;
}

/* MVCLE: at most this many bytes per execution; cc 3 says "not done" and
 * the program's JO executes it again (the architecture lets the CPU stop
 * after any amount). Small: the handler may run on a small signal stack. */
#define MVCLE_CHUNK 256

static int emulate_mvcle(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			 struct regs *rg, const struct mmio_io *io)
{
	uint8_t buf[MVCLE_CHUNK];
	unsigned r1 = x->r1, r3 = x->r3;
	(void)row, (void)pc;
	if ((r1 | r3) & 1)
		return MMIO_E_UNSUPPORTED;	/* odd register: a specification exception */
	uint64_t d = rg->g[r1], dl = rg->g[r1 + 1], s = rg->g[r3], sl = rg->g[r3 + 1];
	uint8_t pad = (uint8_t)address(&x->m[0], rg->g);
	uint64_t n = dl < MVCLE_CHUNK ? dl : MVCLE_CHUNK;
	uint64_t m = sl < n ? sl : n;
	int err;

	if (m && (err = io->read(io, s, m, buf)))
		return err;
	memset(buf + m, pad, n - m);
	if (n && (err = io->write(io, d, n, buf)))
		return err;
	rg->g[r1] = d + n;
	rg->g[r1 + 1] = dl - n;
	rg->g[r3] = s + m;
	rg->g[r3 + 1] = sl - m;
	/* the lengths keep their order while both shrink by the same amount */
	rg->cc = dl - n ? 3 : dl == sl ? 0 : dl < sl ? 1 : 2;
	return 0;
}

static int emulate_refuse(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			  struct regs *rg, const struct mmio_io *io)
{
	(void)x, (void)pc, (void)rg, (void)io;
	return row->refuse ? row->refuse : MMIO_E_UNSUPPORTED;
}

static int emulate_execute(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			   struct regs *rg, const struct mmio_io *io);

static emulate_fn *const emulators[S390X_OP_COUNT] = {
	[S390X_OP_LOAD] = emulate_load,
	[S390X_OP_STORE] = emulate_store,
	[S390X_OP_STORE_IMM] = emulate_store_imm,
	[S390X_OP_ALU] = emulate_alu,
	[S390X_OP_CMP] = emulate_cmp,
	[S390X_OP_CMP_IMM] = emulate_cmp_imm,
	[S390X_OP_TM] = emulate_tm,
	[S390X_OP_RMW_IMM] = emulate_rmw_imm,
	[S390X_OP_ICM] = emulate_icm,
	[S390X_OP_STCM] = emulate_stcm,
	[S390X_OP_LM] = emulate_lm,
	[S390X_OP_STM] = emulate_stm,
	[S390X_OP_LOC] = emulate_loc,
	[S390X_OP_STOC] = emulate_stoc,
	[S390X_OP_SS] = emulate_ss,
	[S390X_OP_MVCRL] = emulate_mvcrl,
	[S390X_OP_EX] = emulate_execute,
	[S390X_OP_EXRL] = emulate_execute,
	[S390X_OP_VL] = emulate_vl,
	[S390X_OP_VST] = emulate_vst,
	[S390X_OP_VLE] = emulate_vle,
	[S390X_OP_VSTE] = emulate_vste,
	[S390X_OP_VLREP] = emulate_vlrep,
	[S390X_OP_MVCLE] = emulate_mvcle,
	[S390X_OP_REFUSE] = emulate_refuse,
};

/* EXECUTE's target: read where the CPU just fetched it from, R1's low
 * byte ORed into its second byte, decoded with the table. */
static const struct s390x_row *execute_target(const struct s390x_row *row, const struct s390x_decoded *x,
					      uint64_t pc, const uint64_t *g, struct s390x_decoded *t,
					      uint64_t *taddr)
{
	uint8_t code[6];

	*taddr = row->op == S390X_OP_EXRL ? pc + 2 * (uint64_t)x->imm : address(&x->m[0], g);
	memcpy(code, (const void *)(uintptr_t)*taddr, 2);
	unsigned len = s390x_ilen(code[0]);
	if (len > 2)
		memcpy(code + 2, (const void *)(uintptr_t)(*taddr + 2), len - 2);
	if (x->r1)
		code[1] |= (uint8_t)g[x->r1];
	return s390x_decode_bytes(code, len, t);
}

static int emulate_execute(const struct s390x_row *row, const struct s390x_decoded *x, uint64_t pc,
			   struct regs *rg, const struct mmio_io *io)
{
	struct s390x_decoded t;
	uint64_t taddr;
	const struct s390x_row *trow = execute_target(row, x, pc, rg->g, &t, &taddr);

	if (!trow)
		return MMIO_E_UNSUPPORTED;
	if (trow->op == S390X_OP_EX || trow->op == S390X_OP_EXRL)
		return MMIO_E_UNSUPPORTED;	/* an execute exception on the machine */
	return emulators[trow->op](trow, &t, taddr, rg, io);
}

static const struct s390x_row *decoded_of(const struct insn *in, struct s390x_decoded *x)
{
	memcpy(x, in->arch, sizeof *x);	/* arch[] has no alignment guarantee */
	return x->row < s390x_row_count ? &s390x_rows[x->row] : NULL;
}

int arch_emulate(const struct insn *in, ucontext_t *uc, const struct mmio_io *io)
{
	struct s390x_decoded x;
	const struct s390x_row *row = decoded_of(in, &x);
	struct regs rg;

	if (in->refuse)
		return in->refuse;
	if (!in->len || !row || row->op >= S390X_OP_COUNT)
		return MMIO_E_DECODE;
	for (unsigned i = 0; i < 16; i++)
		rg.g[i] = greg(uc, i);
	rg.cc = cc_get(uc);
	rg.uc = uc;
	int err = emulators[row->op](row, &x, in->pc, &rg, io);
	if (err)
		return err;
	for (unsigned i = 0; i < 16; i++)
		uc->uc_mcontext.gregs[i] = rg.g[i];
	uc->uc_mcontext.psw.mask = (uc->uc_mcontext.psw.mask & ~S390X_CC_MASK) |
				   (uint64_t)rg.cc << S390X_CC_SHIFT;
	/* not +=: on SIGILL the PSW already points past the instruction */
	uc->uc_mcontext.psw.addr = in->pc + in->len;
	return 0;
}

uint64_t arch_pc(const ucontext_t *uc)
{
	return uc->uc_mcontext.psw.addr;
}

uint64_t arch_data_address(const struct insn *in, const ucontext_t *uc)
{
	struct s390x_decoded x;
	const struct s390x_row *row = decoded_of(in, &x);
	uint64_t g[16];

	for (unsigned i = 0; i < 16; i++)
		g[i] = greg(uc, i);
	if (row && !in->refuse && (row->op == S390X_OP_EX || row->op == S390X_OP_EXRL)) {
		struct s390x_decoded t;
		uint64_t taddr;
		const struct s390x_row *trow = execute_target(row, &x, in->pc, g, &t, &taddr);
		if (!trow || !t.nmem)
			return 0;
		x = t;
		row = trow;
	}
	if (row && row->op == S390X_OP_MVCLE && !in->refuse)
		return g[x.r1];	/* the destination; its second operand is only the pad byte */
	if (!x.nmem)
		return 0;
	/* SS: the first operand (MVC's destination); the second is m[1] */
	return address(&x.m[0], g);
}
