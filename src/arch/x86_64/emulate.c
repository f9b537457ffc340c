/* x86_64: emulate one decoded instruction against the saved registers.
 *
 * Runs in the signal handler. Every device access goes through io, one call
 * per access of exactly the instruction's width, in program order (rep
 * movs/stos: bounded chunks of whole elements; masked EVEX moves: one call
 * per contiguous run of selected elements). Registers are written back
 * only after every access succeeded, so a failure leaves uc unchanged.
 *
 * Flags: the operation is executed natively on the values with the saved
 * status flags loaded first, and the six status flags it leaves are merged
 * into the saved RFLAGS. Flags an instruction does not touch come out as
 * they went in, so merging all six is exact for every row (inc/dec keep CF,
 * not keeps everything, rotates keep SF ZF AF PF), and adc/sbb and the
 * "undefined" flags (imul, shifts) are what this CPU gives. */
#include <cpuid.h>
#include <string.h>
#include <sys/syscall.h>

#include "x86.h"

/* gregs[] slot of each architectural register number 0 (rax) .. 15 (r15). */
static const uint8_t greg_slot[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static uint64_t *greg(ucontext_t *uc, unsigned num)
{
	return (uint64_t *)&uc->uc_mcontext.gregs[greg_slot[num]];
}

static uint64_t greg_get(const ucontext_t *uc, unsigned num)
{
	return (uint64_t)uc->uc_mcontext.gregs[greg_slot[num]];
}

static uint64_t trunc_to(uint64_t v, unsigned width)
{
	return width >= 8 ? v : v & ((1ull << (8 * width)) - 1);
}

static uint64_t sign_extend(uint64_t v, unsigned width)
{
	unsigned shift = 64 - 8 * width;
	return width >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

static uint64_t byte_swap(uint64_t v, unsigned width)
{
	switch (width) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	case 8: return __builtin_bswap64(v);
	default: return v;
	}
}

static uint64_t gpr_read(const ucontext_t *uc, const struct x86_opnd *r)
{
	uint64_t v = greg_get(uc, r->num);
	if (r->kind == X86_OPND_HI8)
		return (v >> 8) & 0xff;
	return trunc_to(v, r->size);
}

/* The architected write-back: 32-bit writes zero bits 63..32, 8- and
 * 16-bit writes merge, ah/ch/dh/bh are bits 15..8. */
static void gpr_write(ucontext_t *uc, const struct x86_opnd *r, uint64_t v)
{
	uint64_t *p = greg(uc, r->num);

	if (r->kind == X86_OPND_HI8)
		*p = (*p & ~0xff00ull) | ((v & 0xff) << 8);
	else if (r->size == 4)
		*p = (uint32_t)v;
	else if (r->size == 8)
		*p = v;
	else
		*p = (*p & ~trunc_to(~0ull, r->size)) | trunc_to(v, r->size);
}

/* An immediate or register source. */
static uint64_t src_value(const ucontext_t *uc, const struct x86_decoded *x)
{
	switch (x->src.kind) {
	case X86_OPND_IMM: return (uint64_t)x->imm;
	case X86_OPND_GPR:
	case X86_OPND_HI8: return gpr_read(uc, &x->src);
	default: return 0;
	}
}

static int mem_read(const struct mmio_io *io, uint64_t addr, unsigned width, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	int err = io->read(io, addr, width, buf);
	*v = 0;
	memcpy(v, buf, width);
	return err;
}

static int mem_write(const struct mmio_io *io, uint64_t addr, unsigned width, uint64_t v)
{
	uint8_t buf[8];
	memcpy(buf, &v, sizeof buf);
	return io->write(io, addr, width, buf);
}

/* ---- addresses ---- */

static int seg_base(int seg, uint64_t *base)
{
	long ret;
	long code = seg == X86_SEG_FS ? 0x1003 /* ARCH_GET_FS */ : 0x1004 /* ARCH_GET_GS */;

	/* raw syscall: no errno */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_arch_prctl), "D"(code), "S"(base)
			 : "rcx", "r11", "memory");
	return ret == 0 ? 0 : MMIO_E_UNSUPPORTED;
}

static int address(const struct insn *in, const struct x86_decoded *x, const ucontext_t *uc, uint64_t *addr)
{
	uint64_t a = (uint64_t)x->mem.disp;

	if (x->mem.base == X86_BASE_RIP)
		a += in->pc + in->len;
	else if (x->mem.base != X86_BASE_NONE)
		a += greg_get(uc, x->mem.base);
	if (x->mem.index != X86_BASE_NONE)
		a += greg_get(uc, x->mem.index) * x->mem.scale;
	if (x->mem.addr32)
		a = (uint32_t)a;
	if (x->mem.seg != X86_SEG_NONE) {
		uint64_t base = 0;
		int err = seg_base(x->mem.seg, &base);
		if (err)
			return err;
		a += base;
	}
	*addr = a;
	return 0;
}

/* ---- flags: the operation executed natively ---- */

typedef uint64_t alu_fn(uint64_t a, uint64_t b, uint64_t *flags);

/* Load the status flags from f (everything else as it is now), run the
 * instruction, save RFLAGS to f. Below the red zone, which the compiler
 * may be using. */
#define FLAGS_IN  "lea -128(%%rsp), %%rsp\n\tpushfq\n\tandq $-0x8d6, (%%rsp)\n\torq %[f], (%%rsp)\n\tpopfq\n\t"
#define FLAGS_OUT "\n\tpushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"

#define ALU_BINARY(name, insn, m) \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *flags) \
	{ \
		uint64_t f = *flags & X86_FLAGS_STATUS; \
		__asm__ volatile(FLAGS_IN insn " %" m "[b], %" m "[a]" FLAGS_OUT \
				 : [a] "+r"(a), [f] "+r"(f) : [b] "r"(b) : "cc", "memory"); \
		*flags = f; \
		return a; \
	}

#define ALU_UNARY(name, insn, m) \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *flags) \
	{ \
		uint64_t f = *flags & X86_FLAGS_STATUS; \
		(void)b; \
		__asm__ volatile(FLAGS_IN insn " %" m "[a]" FLAGS_OUT \
				 : [a] "+r"(a), [f] "+r"(f) : : "cc", "memory"); \
		*flags = f; \
		return a; \
	}

#define ALU_SHIFT(name, insn, m) \
	static uint64_t name(uint64_t a, uint64_t b, uint64_t *flags) \
	{ \
		uint64_t f = *flags & X86_FLAGS_STATUS; \
		__asm__ volatile(FLAGS_IN insn " %%cl, %" m "[a]" FLAGS_OUT \
				 : [a] "+r"(a), [f] "+r"(f) : [b] "c"(b) : "cc", "memory"); \
		*flags = f; \
		return a; \
	}

#define ALU_WIDTHS(kind, name, insn) \
	kind(name##_1, insn "b", "b") kind(name##_2, insn "w", "w") \
	kind(name##_4, insn "l", "k") kind(name##_8, insn "q", "q")

ALU_WIDTHS(ALU_BINARY, alu_add, "add")
ALU_WIDTHS(ALU_BINARY, alu_or, "or")
ALU_WIDTHS(ALU_BINARY, alu_adc, "adc")
ALU_WIDTHS(ALU_BINARY, alu_sbb, "sbb")
ALU_WIDTHS(ALU_BINARY, alu_and, "and")
ALU_WIDTHS(ALU_BINARY, alu_sub, "sub")
ALU_WIDTHS(ALU_BINARY, alu_xor, "xor")
ALU_WIDTHS(ALU_BINARY, alu_cmp, "cmp")
ALU_WIDTHS(ALU_BINARY, alu_test, "test")
ALU_BINARY(alu_imul_2, "imulw", "w")
ALU_BINARY(alu_imul_4, "imull", "k")
ALU_BINARY(alu_imul_8, "imulq", "q")
ALU_WIDTHS(ALU_UNARY, alu_inc, "inc")
ALU_WIDTHS(ALU_UNARY, alu_dec, "dec")
ALU_WIDTHS(ALU_UNARY, alu_not, "not")
ALU_WIDTHS(ALU_UNARY, alu_neg, "neg")
ALU_WIDTHS(ALU_SHIFT, alu_shl, "shl")
ALU_WIDTHS(ALU_SHIFT, alu_shr, "shr")
ALU_WIDTHS(ALU_SHIFT, alu_sar, "sar")
ALU_WIDTHS(ALU_SHIFT, alu_rol, "rol")
ALU_WIDTHS(ALU_SHIFT, alu_ror, "ror")
ALU_WIDTHS(ALU_SHIFT, alu_rcl, "rcl")
ALU_WIDTHS(ALU_SHIFT, alu_rcr, "rcr")
/* bt*: the register forms take the bit offset modulo the width, which is
 * what the memory forms do once the address has been moved to the operand
 * that holds the bit */
#define ALU_WIDTHS_NO_BYTE(kind, name, insn) \
	kind(name##_2, insn "w", "w") kind(name##_4, insn "l", "k") kind(name##_8, insn "q", "q")
ALU_WIDTHS_NO_BYTE(ALU_BINARY, alu_bt, "bt")
ALU_WIDTHS_NO_BYTE(ALU_BINARY, alu_bts, "bts")
ALU_WIDTHS_NO_BYTE(ALU_BINARY, alu_btr, "btr")
ALU_WIDTHS_NO_BYTE(ALU_BINARY, alu_btc, "btc")

#define ALU_ROW(name) { name##_1, name##_2, name##_4, name##_8 }
#define ALU_ROW_NO_BYTE(name) { NULL, name##_2, name##_4, name##_8 }

/* [operation][log2(width)] */
static alu_fn *const alu_fns[X86_ALU_COUNT][4] = {
	[X86_ALU_ADD] = ALU_ROW(alu_add),	[X86_ALU_OR] = ALU_ROW(alu_or),
	[X86_ALU_ADC] = ALU_ROW(alu_adc),	[X86_ALU_SBB] = ALU_ROW(alu_sbb),
	[X86_ALU_AND] = ALU_ROW(alu_and),	[X86_ALU_SUB] = ALU_ROW(alu_sub),
	[X86_ALU_XOR] = ALU_ROW(alu_xor),	[X86_ALU_CMP] = ALU_ROW(alu_cmp),
	[X86_ALU_TEST] = ALU_ROW(alu_test),
	[X86_ALU_IMUL] = { NULL, alu_imul_2, alu_imul_4, alu_imul_8 },
	[X86_ALU_INC] = ALU_ROW(alu_inc),	[X86_ALU_DEC] = ALU_ROW(alu_dec),
	[X86_ALU_NOT] = ALU_ROW(alu_not),	[X86_ALU_NEG] = ALU_ROW(alu_neg),
	[X86_ALU_SHL] = ALU_ROW(alu_shl),	[X86_ALU_SHR] = ALU_ROW(alu_shr),
	[X86_ALU_SAR] = ALU_ROW(alu_sar),	[X86_ALU_ROL] = ALU_ROW(alu_rol),
	[X86_ALU_ROR] = ALU_ROW(alu_ror),	[X86_ALU_RCL] = ALU_ROW(alu_rcl),
	[X86_ALU_RCR] = ALU_ROW(alu_rcr),
	[X86_ALU_BT] = ALU_ROW_NO_BYTE(alu_bt),	[X86_ALU_BTS] = ALU_ROW_NO_BYTE(alu_bts),
	[X86_ALU_BTR] = ALU_ROW_NO_BYTE(alu_btr),	[X86_ALU_BTC] = ALU_ROW_NO_BYTE(alu_btc),
};

static alu_fn *alu_lookup(unsigned alu, unsigned width)
{
	unsigned w = width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : width == 8 ? 3 : 4;
	if (alu >= X86_ALU_COUNT || w > 3)
		return NULL;
	return alu_fns[alu][w];
}

static uint64_t *efl(ucontext_t *uc)
{
	return (uint64_t *)&uc->uc_mcontext.gregs[REG_EFL];
}

static void flags_merge(ucontext_t *uc, uint64_t f)
{
	*efl(uc) = (*efl(uc) & ~X86_FLAGS_STATUS) | (f & X86_FLAGS_STATUS);
}

/* Condition codes 0..15 in encoding order: o no b ae e ne be a s ns p np l ge le g. */
static int condition(unsigned cc, uint64_t f)
{
	int cf = f & 1, pf = (f >> 2) & 1, zf = (f >> 6) & 1, sf = (f >> 7) & 1, of = (f >> 11) & 1;
	int r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf | zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf | (sf != of); break;
	}
	return r ^ (cc & 1);
}

/* ---- vector registers in the signal frame ---- */

/* Where XSAVE state component comp lives in the (standard format) frame. */
struct xcomp {
	uint32_t offset, size;
};

static struct xcomp xcomp_layout(unsigned comp)
{
	static struct xcomp cache[8];
	static int ready[8];
	struct xcomp c = { 0, 0 };

	if (comp == X86_XCOMP_YMM)
		return (struct xcomp){ X86_XSAVE_YMM_OFFSET, 256 };
	if (comp >= 8)
		return c;
	if (__atomic_load_n(&ready[comp], __ATOMIC_ACQUIRE))
		return cache[comp];
	unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
	if (__get_cpuid_count(0xd, comp, &eax, &ebx, &ecx, &edx)) {
		c.size = eax;
		c.offset = ebx;
	}
	cache[comp] = c;	/* the same on every call: a race writes equal values */
	__atomic_store_n(&ready[comp], 1, __ATOMIC_RELEASE);
	return c;
}

struct xframe {
	uint8_t *fx;		/* the fxsave area */
	int xsave;		/* the frame has an XSAVE header and components */
	uint64_t features;	/* components the frame has room for */
	uint32_t size;
};

static int xframe_open(const ucontext_t *uc, struct xframe *f)
{
	uint32_t magic = 0;

	memset(f, 0, sizeof *f);
	f->fx = (uint8_t *)uc->uc_mcontext.fpregs;
	if (!f->fx)
		return MMIO_E_UNSUPPORTED;
	f->size = 512;
	memcpy(&magic, f->fx + X86_FX_SW_OFFSET, 4);
	if (magic != X86_FP_XSTATE_MAGIC1)
		return 0;
	memcpy(&f->features, f->fx + X86_FX_SW_OFFSET + 8, 8);
	memcpy(&f->size, f->fx + X86_FX_SW_OFFSET + 16, 4);
	f->xsave = f->size >= X86_XSAVE_HDR_OFFSET + 64;
	return 0;
}

/* Where component comp starts in the frame, or NULL if it has no room. */
static uint8_t *xframe_comp(const struct xframe *f, unsigned comp, uint32_t *size)
{
	if (comp == 1) {	/* SSE: the xmm registers of the fxsave area */
		*size = 256;
		return f->fx + X86_FX_XMM_OFFSET;
	}
	if (!f->xsave || !((f->features >> comp) & 1))
		return NULL;
	struct xcomp c = xcomp_layout(comp);
	if (!c.size || c.offset < X86_XSAVE_HDR_OFFSET + 64 || c.offset + c.size > f->size)
		return NULL;
	*size = c.size;
	return f->fx + c.offset;
}

static uint64_t *xstate_bv(const struct xframe *f)
{
	return (uint64_t *)(f->fx + X86_XSAVE_HDR_OFFSET);
}

/* A component in its initial state (XSTATE_BV bit clear) reads as zeros
 * and its bytes in the frame mean nothing. */
static int xframe_live(const struct xframe *f, unsigned comp)
{
	return !f->xsave || ((*xstate_bv(f) >> comp) & 1);
}

/* The bytes of register n in the frame, 64 of them as in a zmm register:
 * (component, offset in it, first byte, count). */
struct vpiece {
	uint8_t comp;
	uint16_t off;
	uint8_t lo, len;
};

static int vec_pieces(unsigned n, struct vpiece p[3])
{
	if (n >= 16) {
		p[0] = (struct vpiece){ X86_XCOMP_HI16_ZMM, (uint16_t)(64 * (n - 16)), 0, 64 };
		return 1;
	}
	p[0] = (struct vpiece){ 1, (uint16_t)(16 * n), 0, 16 };
	p[1] = (struct vpiece){ X86_XCOMP_YMM, (uint16_t)(16 * n), 16, 16 };
	p[2] = (struct vpiece){ X86_XCOMP_ZMM_HI256, (uint16_t)(32 * n), 32, 32 };
	return 3;
}

static void vec_get(const struct xframe *f, unsigned n, uint8_t v[64])
{
	struct vpiece p[3];
	int count = vec_pieces(n, p);

	memset(v, 0, 64);
	for (int i = 0; i < count; i++) {
		uint32_t size;
		uint8_t *base = xframe_comp(f, p[i].comp, &size);
		if (base && xframe_live(f, p[i].comp))
			memcpy(v + p[i].lo, base + p[i].off, p[i].len);
	}
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Write bytes [0, upto) of register n. A piece the frame has no room for
 * does not exist on this CPU (vec_check made sure of what is needed). */
static void vec_put(const struct xframe *f, unsigned n, const uint8_t v[64], unsigned upto)
{
	struct vpiece p[3];
	int count = vec_pieces(n, p);

	for (int i = 0; i < count && p[i].lo < upto; i++) {
		uint32_t size;
		uint8_t *base = xframe_comp(f, p[i].comp, &size);
		if (!base)
			continue;
		if (!xframe_live(f, p[i].comp)) {
			if (all_zero(v + p[i].lo, p[i].len))
				continue;	/* still in its initial state */
			memset(base, 0, size);
			*xstate_bv(f) |= 1ull << p[i].comp;
		}
		memcpy(base + p[i].off, v + p[i].lo, p[i].len);
	}
}

/* AVX registers need their upper halves in the frame: refuse rather than
 * guess when it does not have them. */
static int vec_need(const struct xframe *f, const struct x86_opnd *r, int vex)
{
	uint32_t size;
	unsigned n = r->num;

	if (n >= 16)
		return xframe_comp(f, X86_XCOMP_HI16_ZMM, &size) ? 0 : MMIO_E_UNSUPPORTED;
	if (r->size > 32 && !xframe_comp(f, X86_XCOMP_ZMM_HI256, &size))
		return MMIO_E_UNSUPPORTED;
	if (vex || r->size > 16)
		return xframe_comp(f, X86_XCOMP_YMM, &size) ? 0 : MMIO_E_UNSUPPORTED;
	return 0;
}

static int vec_check(const struct xframe *f, const struct x86_decoded *x)
{
	return vec_need(f, &x->reg, x->vex);
}

/* Opmask register k from the frame's opmask component. */
static int opmask_get(const struct xframe *f, unsigned k, uint64_t *m)
{
	uint32_t size;
	uint8_t *base = xframe_comp(f, X86_XCOMP_OPMASK, &size);

	*m = 0;
	if (!base || k > 7 || size < 64)
		return MMIO_E_UNSUPPORTED;
	if (xframe_live(f, X86_XCOMP_OPMASK))
		memcpy(m, base + 8 * k, 8);
	return 0;
}

/* The elements of a width-byte vector that a masked move selects: bit i
 * for element i (opmask bits beyond the vector's elements are ignored). */
static int selected(const struct xframe *f, const struct x86_decoded *x, unsigned width, uint64_t *sel)
{
	unsigned n = width / x->elem;
	int err = opmask_get(f, x->mask, sel);
	if (err)
		return err;
	if (n < 64)
		*sel &= (1ull << n) - 1;
	return 0;
}

/* The next run of selected elements at or after element *i: [*i, *j). */
static int next_run(uint64_t sel, unsigned n, unsigned *i, unsigned *j)
{
	while (*i < n && !((sel >> *i) & 1))
		(*i)++;
	if (*i >= n)
		return 0;
	*j = *i;
	while (*j < n && ((sel >> *j) & 1))
		(*j)++;
	return 1;
}

/* ---- the operations ---- */

typedef int emulate_fn(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
		       const struct mmio_io *io, uint64_t addr);

static int emulate_load(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			const struct mmio_io *io, uint64_t addr)
{
	uint64_t v;
	int err = mem_read(io, addr, in->width, &v);
	if (err)
		return err;
	if (x->ext == X86_EXT_SIGN)
		v = sign_extend(v, in->width);
	else if (x->ext == X86_EXT_SWAP)
		v = byte_swap(v, in->width);
	gpr_write(uc, &x->reg, v);
	return 0;
}

static int emulate_store(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			 const struct mmio_io *io, uint64_t addr)
{
	uint64_t v = x->reg.kind == X86_OPND_IMM ? (uint64_t)x->imm : gpr_read(uc, &x->reg);
	if (x->ext == X86_EXT_SWAP)
		v = byte_swap(v, in->width);
	return mem_write(io, addr, in->width, v);
}

/* The ALU operation of an instruction with a memory operand, and that
 * operand read from the device. */
static int alu_operand(const struct insn *in, const struct x86_decoded *x, const struct mmio_io *io,
		       uint64_t addr, alu_fn **fn, uint64_t *m)
{
	/* runs in a signal handler */
	*fn = alu_lookup(x->alu, in->width);
	if (!*fn)
		return MMIO_E_UNSUPPORTED;
	return mem_read(io, addr, in->width, m);
}

static int emulate_rmw(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
		       const struct mmio_io *io, uint64_t addr)
{
	alu_fn *fn;
	uint64_t v, f = *efl(uc);
	int err = alu_operand(in, x, io, addr, &fn, &v);
	if (err)
		return err;
	v = fn(v, src_value(uc, x), &f);
	err = mem_write(io, addr, in->width, v);
	if (err)
		return err;
	flags_merge(uc, f);
	return 0;
}

static int emulate_alu_load(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			    const struct mmio_io *io, uint64_t addr)
{
	alu_fn *fn;
	uint64_t m, r, f = *efl(uc);
	int err = alu_operand(in, x, io, addr, &fn, &m);
	if (err)
		return err;
	if (x->src.kind == X86_OPND_IMM)	/* imul reg, mem, imm */
		r = fn(m, (uint64_t)x->imm, &f);
	else
		r = fn(gpr_read(uc, &x->reg), m, &f);
	gpr_write(uc, &x->reg, r);
	flags_merge(uc, f);
	return 0;
}

static int emulate_cmp(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
		       const struct mmio_io *io, uint64_t addr)
{
	alu_fn *fn;
	uint64_t m, f = *efl(uc);
	int err = alu_operand(in, x, io, addr, &fn, &m);
	if (err)
		return err;
	if (x->mem_first)
		fn(m, src_value(uc, x), &f);
	else
		fn(gpr_read(uc, &x->reg), m, &f);
	flags_merge(uc, f);
	return 0;
}

/* The memory operand is read whatever the condition; a 32-bit destination
 * is zero-extended even when the condition is false. */
static int emulate_cmov(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			const struct mmio_io *io, uint64_t addr)
{
	uint64_t m;
	int err = mem_read(io, addr, in->width, &m);
	if (err)
		return err;
	gpr_write(uc, &x->reg, condition(x->cc, *efl(uc)) ? m : gpr_read(uc, &x->reg));
	return 0;
}

static int emulate_setcc(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			 const struct mmio_io *io, uint64_t addr)
{
	(void)in;
	return mem_write(io, addr, 1, (uint64_t)condition(x->cc, *efl(uc)));
}

/* Only the selected elements are read (the CPU suppresses faults on the
 * others); the others keep the register's bytes, or are zeroed with {z};
 * everything above the vector length is zeroed. */
static int emulate_vload_masked(const struct insn *in, const struct x86_decoded *x, const struct xframe *f,
				const struct mmio_io *io, uint64_t addr)
{
	uint8_t data[64], v[64];
	unsigned w = in->width, e = x->elem, n = w / e;
	uint64_t sel;
	int err = selected(f, x, w, &sel);
	if (err)
		return err;
	for (unsigned i = 0, j = 0; next_run(sel, n, &i, &j); i = j) {
		err = io->read(io, addr + i * e, (j - i) * e, data + i * e);
		if (err)
			return err;
	}
	vec_get(f, x->reg.num, v);
	for (unsigned i = 0; i < n; i++) {
		if ((sel >> i) & 1)
			memcpy(v + i * e, data + i * e, e);
		else if (x->zero)
			memset(v + i * e, 0, e);
	}
	memset(v + w, 0, 64 - w);
	vec_put(f, x->reg.num, v, 64);
	return 0;
}

static int emulate_vload(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			 const struct mmio_io *io, uint64_t addr)
{
	struct xframe f;
	uint8_t data[64], v[64];
	unsigned w = in->width;
	int err = xframe_open(uc, &f);
	if (!err)
		err = vec_check(&f, x);
	if (!err && x->mask)
		return emulate_vload_masked(in, x, &f, io, addr);
	if (!err)
		err = io->read(io, addr, w, data);
	if (err)
		return err;

	vec_get(&f, x->reg.num, v);
	switch (x->vec) {
	case X86_VEC_FULL:
		memcpy(v, data, w);
		break;
	case X86_VEC_LOW_ZERO:	/* movd movq movss movsd: the rest of the xmm is zeroed */
		memcpy(v, data, w);
		memset(v + w, 0, 16 - w);
		break;
	case X86_VEC_LOW_MERGE:
		memcpy(v, data, 8);
		break;
	case X86_VEC_HIGH_MERGE:
		memcpy(v + 8, data, 8);
		break;
	}
	/* VEX/EVEX zero everything above what they write; legacy SSE writes
	 * only the xmm part */
	unsigned written = x->vec == X86_VEC_FULL ? w : 16;
	if (x->vex)
		memset(v + written, 0, 64 - written);
	vec_put(&f, x->reg.num, v, x->vex ? 64 : 16);
	return 0;
}

static int emulate_vstore(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			  const struct mmio_io *io, uint64_t addr)
{
	struct xframe f;
	uint8_t v[64];
	int err = xframe_open(uc, &f);
	if (!err)
		err = vec_check(&f, x);
	if (err)
		return err;
	vec_get(&f, x->reg.num, v);
	if (x->mask) {	/* only the selected elements are written */
		unsigned e = x->elem, n = in->width / e;
		uint64_t sel;
		err = selected(&f, x, in->width, &sel);
		for (unsigned i = 0, j = 0; !err && next_run(sel, n, &i, &j); i = j)
			err = io->write(io, addr + i * e, (j - i) * e, v + i * e);
		return err;
	}
	return io->write(io, addr, in->width, v + (x->vec == X86_VEC_HIGH_MERGE ? 8 : 0));
}

/* r <- a op b on bytes [0, w). */
static void valu(unsigned op, const uint8_t *a, const uint8_t *b, uint8_t *r, unsigned w)
{
	unsigned e = op == X86_VALU_CMPEQ16 ? 2 : op == X86_VALU_CMPEQ32 ? 4 : 1;

	for (unsigned i = 0; i < w; i += e) {
		switch (op) {
		case X86_VALU_XOR: r[i] = a[i] ^ b[i]; break;
		case X86_VALU_AND: r[i] = a[i] & b[i]; break;
		case X86_VALU_OR: r[i] = a[i] | b[i]; break;
		case X86_VALU_ANDN: r[i] = (uint8_t)(~a[i] & b[i]); break;
		case X86_VALU_MINUB: r[i] = a[i] < b[i] ? a[i] : b[i]; break;
		case X86_VALU_MAXUB: r[i] = a[i] > b[i] ? a[i] : b[i]; break;
		default: memset(r + i, memcmp(a + i, b + i, e) ? 0 : 0xff, e); break;	/* pcmpeq* */
		}
	}
}

static int emulate_valu(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			const struct mmio_io *io, uint64_t addr)
{
	struct xframe f;
	uint8_t m[64], a[64], v[64];
	unsigned w = in->width;
	int err = xframe_open(uc, &f);
	if (!err)
		err = vec_need(&f, &x->reg, x->vex);
	if (!err)
		err = vec_need(&f, &x->src, x->vex);
	if (!err && x->alu >= X86_VALU_COUNT)
		err = MMIO_E_UNSUPPORTED;
	if (!err)
		err = io->read(io, addr, w, m);
	if (err)
		return err;
	vec_get(&f, x->src.num, a);
	vec_get(&f, x->reg.num, v);
	valu(x->alu, a, m, v, w);
	/* VEX/EVEX zero the register above the result; legacy SSE keeps it */
	if (x->vex)
		memset(v + w, 0, 64 - w);
	vec_put(&f, x->reg.num, v, x->vex ? 64 : 16);
	return 0;
}

/* bt: CF <- the bit; bts btr btc write the operand back. The flags are
 * what the register form leaves on this CPU. */
static int emulate_bt(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
		      const struct mmio_io *io, uint64_t addr)
{
	alu_fn *fn;
	uint64_t v, f = *efl(uc);
	int err = alu_operand(in, x, io, addr, &fn, &v);
	if (err)
		return err;
	v = fn(v, src_value(uc, x), &f);
	if (x->alu != X86_ALU_BT) {
		err = mem_write(io, addr, in->width, v);
		if (err)
			return err;
	}
	flags_merge(uc, f);
	return 0;
}

/* rep movs/stos move at most this much per io call. Small, because the
 * handler may run on a small alternate signal stack. An instruction with
 * elements (in->element: not the C library's block copy) moves one element
 * per call: each is one device access of its width, and movs reads and
 * writes element by element, as the CPU does. */
#define COPY_CHUNK 1024

static uint64_t string_step(const struct insn *in, uint64_t left)
{
	uint64_t step = in->element ? in->element : COPY_CHUNK;
	return left < step ? left : step;
}

/* The bytes left for a string instruction: rcx elements with rep, else one. */
static int string_bytes(const struct insn *in, const struct x86_decoded *x, const ucontext_t *uc, uint64_t *bytes)
{
	uint64_t n = x->rep ? greg_get(uc, 1) : 1;
	if ((uint64_t)uc->uc_mcontext.gregs[REG_EFL] & X86_FLAG_DF)
		return MMIO_E_UNSUPPORTED;	/* backwards: never emitted for copies to devices */
	if (n > (UINT64_C(1) << 47) / in->width)
		return MMIO_E_RANGE;
	*bytes = n * in->width;
	return 0;
}

static void string_done(const struct x86_decoded *x, ucontext_t *uc, uint64_t bytes, int movs)
{
	*greg(uc, 7) += bytes;			/* rdi */
	if (movs)
		*greg(uc, 6) += bytes;		/* rsi */
	if (x->rep)
		*greg(uc, 1) = 0;		/* rcx */
}

static int emulate_movs(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			const struct mmio_io *io, uint64_t addr)
{
	uint8_t buf[COPY_CHUNK];
	uint64_t src = greg_get(uc, 6), dst = greg_get(uc, 7), total;
	int err = string_bytes(in, x, uc, &total);
	(void)addr;
	if (!err && !(err = io_check(io, src, total)))
		err = io_check(io, dst, total);
	if (err)
		return err;

	for (uint64_t done = 0; done < total;) {
		uint64_t chunk = string_step(in, total - done);
		/* forward overlap closer than a chunk: copy as the CPU would */
		if (dst > src && dst - src < chunk) {
			chunk = (dst - src) / in->width * in->width;
			if (!chunk)
				chunk = in->width;
		}
		err = io->read(io, src + done, chunk, buf);
		if (!err)
			err = io->write(io, dst + done, chunk, buf);
		if (err)
			return err;
		done += chunk;
	}
	string_done(x, uc, total, 1);
	return 0;
}

static int emulate_stos(const struct insn *in, const struct x86_decoded *x, ucontext_t *uc,
			const struct mmio_io *io, uint64_t addr)
{
	uint8_t buf[COPY_CHUNK];
	uint64_t v = greg_get(uc, 0), total;
	unsigned w = in->width;
	int err = string_bytes(in, x, uc, &total);
	if (!err)
		err = io_check(io, addr, total);
	if (err)
		return err;

	for (unsigned i = 0; i < COPY_CHUNK; i += w)
		memcpy(buf + i, &v, w);
	for (uint64_t done = 0; done < total;) {
		uint64_t chunk = string_step(in, total - done);
		err = io->write(io, addr + done, chunk, buf);
		if (err)
			return err;
		done += chunk;
	}
	string_done(x, uc, total, 0);
	return 0;
}

static emulate_fn *const emulators[] = {
	[X86_OP_LOAD] = emulate_load,
	[X86_OP_STORE] = emulate_store,
	[X86_OP_RMW] = emulate_rmw,
	[X86_OP_ALU_LOAD] = emulate_alu_load,
	[X86_OP_CMP] = emulate_cmp,
	[X86_OP_CMOV] = emulate_cmov,
	[X86_OP_SETCC] = emulate_setcc,
	[X86_OP_VLOAD] = emulate_vload,
	[X86_OP_VSTORE] = emulate_vstore,
	[X86_OP_MOVS] = emulate_movs,
	[X86_OP_STOS] = emulate_stos,
	[X86_OP_VALU] = emulate_valu,
	[X86_OP_BT] = emulate_bt,
};

static const struct x86_decoded *x86_of(const struct insn *in, struct x86_decoded *copy)
{
	memcpy(copy, in->arch, sizeof *copy);	/* arch[] has no alignment guarantee */
	return copy;
}

/* The address of the operand accessed. bt* mem, reg address a bit string:
 * the signed offset in the register selects the operand-sized word that
 * holds the bit, floor(offset / bits) words away. */
static int operand_address(const struct insn *in, const struct x86_decoded *x, const ucontext_t *uc,
			   uint64_t *addr)
{
	int err = address(in, x, uc, addr);
	if (err || x->op != X86_OP_BT || x->src.kind != X86_OPND_GPR)
		return err;
	unsigned log2w = in->width == 2 ? 1 : in->width == 4 ? 2 : 3;
	int64_t off = (int64_t)sign_extend(gpr_read(uc, &x->src), in->width);
	*addr += (uint64_t)(off >> (3 + log2w)) * in->width;
	if (x->mem.addr32)
		*addr = (uint32_t)*addr;
	return 0;
}

int arch_emulate(const struct insn *in, ucontext_t *uc, const struct mmio_io *io)
{
	struct x86_decoded copy;
	const struct x86_decoded *x = x86_of(in, &copy);
	uint64_t addr;

	if (in->refuse)
		return in->refuse;
	if (!in->len || x->op >= sizeof emulators / sizeof emulators[0])
		return MMIO_E_DECODE;
	int err = operand_address(in, x, uc, &addr);
	if (err)
		return err;
	/* the string instructions address through rsi/rdi (the es: operand
	 * cannot be overridden, ds: can: decode refused fs:/gs:) */
	if (x->op == X86_OP_STOS || x->op == X86_OP_MOVS)
		addr = greg_get(uc, 7);
	err = emulators[x->op](in, x, uc, io, addr);
	if (err)
		return err;
	uc->uc_mcontext.gregs[REG_RIP] += in->len;
	return 0;
}

uint64_t arch_pc(const ucontext_t *uc)
{
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
}

uint64_t arch_data_address(const struct insn *in, const ucontext_t *uc)
{
	struct x86_decoded copy;
	const struct x86_decoded *x = x86_of(in, &copy);
	uint64_t addr;

	if (!x->has_mem)
		return 0;
	if (!in->refuse && x->op == X86_OP_MOVS) {
		/* the side the fault was on: cr2 inside the destination, or
		 * else the source, which is accessed first */
		uint64_t dst = greg_get(uc, 7), fault = (uint64_t)uc->uc_mcontext.gregs[REG_CR2];
		uint64_t n = x->rep ? greg_get(uc, 1) : 1;
		if (fault >= dst && fault - dst < n * in->width)
			return dst;
		return greg_get(uc, 6);
	}
	if (!in->refuse && x->op == X86_OP_STOS)
		return greg_get(uc, 7);
	if (in->refuse ? address(in, x, uc, &addr) : operand_address(in, x, uc, &addr))
		return 0;
	if (!in->refuse && x->mask) {
		/* a masked move: its first selected element */
		struct xframe f;
		uint64_t sel;
		unsigned i = 0, j = 0;
		if (!xframe_open(uc, &f) && !selected(&f, x, in->width, &sel) &&
		    next_run(sel, in->width / x->elem, &i, &j))
			addr += (uint64_t)i * x->elem;
	}
	return addr;
}
