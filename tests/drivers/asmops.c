/* x86_64 instruction forms written out in assembly, so that register
 * write-back rules (8/16-bit merges, 32-bit zero extension, AH, REX
 * registers), addressing forms and the flags of cmp/test/arithmetic are
 * checked exactly, whatever the compilers choose to emit.
 *
 * Normal build: the instruction runs on the BAR (the shim emulates it).
 * EXPLICIT build: the same instruction runs on a local copy that was
 * pread from the device (when it reads) and pwritten back (when it
 * writes).  Output and device log must be identical. */
#include "vfio_drv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__x86_64__)
int main(void)
{
	puts("skip: asmops is x86_64 assembly");
	return 77;
}
#else

static uint8_t *bar;

/* Run BODY with `m` pointing at the operand: the BAR itself, or in the
 * EXPLICIT build a local copy (read first if RD, written back if WR). */
#ifdef EXPLICIT
#define ON_MEM(T, p, RD, WR, ...) do { \
		T tmp_ = 0; \
		if (RD) drv_explicit_rd((p), &tmp_, sizeof(T)); \
		T *m = &tmp_; \
		__VA_ARGS__; \
		if (WR) drv_explicit_wr((p), &tmp_, sizeof(T)); \
	} while (0)
#else
#define ON_MEM(T, p, RD, WR, ...) do { \
		T *m = (T *)(void *)(p); \
		__VA_ARGS__; \
	} while (0)
#endif

/* Flags that are defined for every instruction used below. */
#define FL_CF 0x001
#define FL_PF 0x004
#define FL_AF 0x010
#define FL_ZF 0x040
#define FL_SF 0x080
#define FL_OF 0x800
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_LOGIC (FL_CF | FL_PF | FL_ZF | FL_SF | FL_OF) /* AF undefined */
#define FL_IMUL (FL_CF | FL_OF)                          /* SF ZF AF PF undefined */

/* pushfq without touching the red zone */
#define SAVE_FLAGS "\n\tlea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"

#define B (bar + REG_BYTES)
#define S64 (bar + REG_SCRATCH64)
#define S32 (bar + REG_SCRATCH)

static void preset(void)
{
	WR64(B, opaque(0x8877665544332281ull));
	WR64(B + 8, opaque(0xf0e0d0c0b0a09080ull));
}

static void loads(void)
{
	uint64_t v;

	preset();
	v = opaque(0x1111111111111111ull);
	ON_MEM(uint8_t, B, 1, 0, __asm__ volatile("movb (%[m]), %b[v]" : [v] "+q"(v) : [m] "r"(m) : "memory"));
	printf("movb->al %016" PRIx64 "\n", v);
	v = opaque(0x1111111111111111ull);
	ON_MEM(uint8_t, B + 1, 1, 0, __asm__ volatile("movb (%[m]), %h[v]" : [v] "+a"(v) : [m] "d"(m) : "memory"));
	printf("movb->ah %016" PRIx64 "\n", v);
	v = opaque(0x1111111111111111ull);
	ON_MEM(uint16_t, B + 2, 1, 0, __asm__ volatile("movw (%[m]), %w[v]" : [v] "+r"(v) : [m] "r"(m) : "memory"));
	printf("movw %016" PRIx64 "\n", v);
	v = opaque(0x1111111111111111ull);
	ON_MEM(uint32_t, B + 4, 1, 0, __asm__ volatile("movl (%[m]), %k[v]" : [v] "+r"(v) : [m] "r"(m) : "memory"));
	printf("movl %016" PRIx64 "\n", v);
	v = opaque(0x1111111111111111ull);
	ON_MEM(uint64_t, B + 8, 1, 0, __asm__ volatile("movq (%[m]), %[v]" : [v] "+r"(v) : [m] "r"(m) : "memory"));
	printf("movq %016" PRIx64 "\n", v);

	/* REX registers */
	ON_MEM(uint8_t, B + 7, 1, 0, __asm__ volatile(
		"movabs $0x2222222222222222, %%r9\n\tmovb (%[m]), %%r9b\n\tmovq %%r9, %[v]"
		: [v] "=r"(v) : [m] "r"(m) : "r9", "memory"));
	printf("movb->r9b %016" PRIx64 "\n", v);
	ON_MEM(uint16_t, B + 10, 1, 0, __asm__ volatile(
		"movabs $0x3333333333333333, %%r12\n\tmovw (%[m]), %%r12w\n\tmovq %%r12, %[v]"
		: [v] "=r"(v) : [m] "r"(m) : "r12", "memory"));
	printf("movw->r12w %016" PRIx64 "\n", v);
	ON_MEM(uint32_t, B + 12, 1, 0, __asm__ volatile(
		"movabs $0x4444444444444444, %%r15\n\tmovl (%[m]), %%r15d\n\tmovq %%r15, %[v]"
		: [v] "=r"(v) : [m] "r"(m) : "r15", "memory"));
	printf("movl->r15d %016" PRIx64 "\n", v);
	/* SIL/DIL need REX without REX.B */
	ON_MEM(uint8_t, B + 9, 1, 0, __asm__ volatile(
		"movabs $0x5555555555555555, %%rsi\n\tmovb (%[m]), %%sil\n\tmovq %%rsi, %[v]"
		: [v] "=r"(v) : [m] "r"(m) : "rsi", "memory"));
	printf("movb->sil %016" PRIx64 "\n", v);

	/* extensions, including into 16-bit destinations (which merge) */
#define EXT(T, P, INSN, REGMOD, INIT) do { \
		v = opaque(INIT); \
		ON_MEM(T, P, 1, 0, __asm__ volatile(INSN " (%[m]), %" REGMOD "[v]" : [v] "+r"(v) : [m] "r"(m) : "memory")); \
		printf("%s %016" PRIx64 "\n", INSN, v); \
	} while (0)
	EXT(uint8_t, B + 0, "movzbw", "w", 0x9999999999999999ull);
	EXT(uint8_t, B + 0, "movzbl", "k", 0x9999999999999999ull);
	EXT(uint8_t, B + 0, "movzbq", "q", 0x9999999999999999ull);
	EXT(uint16_t, B + 14, "movzwl", "k", 0x9999999999999999ull);
	EXT(uint16_t, B + 14, "movzwq", "q", 0x9999999999999999ull);
	EXT(uint8_t, B + 0, "movsbw", "w", 0x9999999999999999ull);
	EXT(uint8_t, B + 0, "movsbl", "k", 0x9999999999999999ull);
	EXT(uint8_t, B + 0, "movsbq", "q", 0x9999999999999999ull);
	EXT(uint16_t, B + 14, "movswl", "k", 0x9999999999999999ull);
	EXT(uint16_t, B + 14, "movswq", "q", 0x9999999999999999ull);
	EXT(uint32_t, B + 12, "movslq", "q", 0x9999999999999999ull);

	/* addressing: base + index*scale + displacement, and index only */
	uint64_t idx = opaque(3);
	ON_MEM(uint32_t, B + 12, 1, 0, {
		uintptr_t base = (uintptr_t)m - 0x10 - 3 * 4;
		__asm__ volatile("movl 0x10(%[b],%[i],4), %k[v]" : [v] "=r"(v) : [b] "r"(base), [i] "r"(idx) : "memory");
	});
	printf("base+index*4+disp %016" PRIx64 "\n", v);
	ON_MEM(uint16_t, B + 6, 1, 0, {
		uint64_t a = (uint64_t)(uintptr_t)m - 0x40;
		__asm__ volatile("movzwl 0x40(,%[i],1), %k[v]" : [v] "=r"(v) : [i] "r"(a) : "memory");
	});
	printf("index-only %016" PRIx64 "\n", v);
	ON_MEM(uint64_t, B + 8, 1, 0, {
		int64_t neg = -8;
		uintptr_t base = (uintptr_t)m + 16;
		__asm__ volatile("movq -8(%[b],%[i],1), %[v]" : [v] "=r"(v) : [b] "r"(base), [i] "r"(neg) : "memory");
	});
	printf("negative index %016" PRIx64 "\n", v);
}

static void stores(void)
{
	uint64_t v = opaque(0x0102030405060708ull);

	preset();
	ON_MEM(uint8_t, B + 0, 0, 1, __asm__ volatile("movb %h[v], (%[m])" : : [v] "a"(v), [m] "d"(m) : "memory"));
	ON_MEM(uint8_t, B + 1, 0, 1, __asm__ volatile("movq %[v], %%r10\n\tmovb %%r10b, (%[m])" : : [v] "r"(v ^ 0xee), [m] "r"(m) : "r10", "memory"));
	ON_MEM(uint16_t, B + 2, 0, 1, __asm__ volatile("movq %[v], %%r11\n\tmovw %%r11w, (%[m])" : : [v] "r"(v >> 8), [m] "r"(m) : "r11", "memory"));
	ON_MEM(uint32_t, B + 4, 0, 1, __asm__ volatile("movq %[v], %%r13\n\tmovl %%r13d, (%[m])" : : [v] "r"(~v), [m] "r"(m) : "r13", "memory"));
	ON_MEM(uint64_t, B + 8, 0, 1, __asm__ volatile("movq %[v], %%r14\n\tmovq %%r14, (%[m])" : : [v] "r"(v * 3), [m] "r"(m) : "r14", "memory"));
	{
		__auto_type rd0_ = RD64(B);
		__auto_type rd1_ = RD64(B + 8);
		printf("reg stores %016" PRIx64 " %016" PRIx64 "\n", rd0_, rd1_);
	}
	ON_MEM(uint8_t, B + 0, 0, 1, __asm__ volatile("movb $0x5a, (%[m])" : : [m] "r"(m) : "memory"));
	ON_MEM(uint16_t, B + 2, 0, 1, __asm__ volatile("movw $0xbeef, (%[m])" : : [m] "r"(m) : "memory"));
	ON_MEM(uint32_t, B + 4, 0, 1, __asm__ volatile("movl $-2, (%[m])" : : [m] "r"(m) : "memory"));
	ON_MEM(uint64_t, B + 8, 0, 1, __asm__ volatile("movq $-3, (%[m])" : : [m] "r"(m) : "memory"));
	{
		__auto_type rd0_ = RD64(B);
		__auto_type rd1_ = RD64(B + 8);
		printf("imm stores %016" PRIx64 " %016" PRIx64 "\n", rd0_, rd1_);
	}
	ON_MEM(uint32_t, S32, 0, 1, __asm__ volatile("movnti %k[v], (%[m])" : : [v] "r"(v), [m] "r"(m) : "memory"));
	ON_MEM(uint64_t, S64, 0, 1, __asm__ volatile("movnti %[v], (%[m])" : : [v] "r"(v), [m] "r"(m) : "memory"));
	{
		__auto_type rd0_ = RD32(S32);
		__auto_type rd1_ = RD64(S64);
		printf("movnti %08x %016" PRIx64 "\n", rd0_, rd1_);
	}
}

/* String instructions are sequences of element accesses of the element's
 * width, in the order the CPU makes them (rep movs: read then write, per
 * element). EXPLICIT: those very accesses, one by one. */
#ifdef EXPLICIT
#define ELEMENTS_STORE(p, w, n, v) do { \
		uint64_t v_ = (v); \
		for (int i_ = 0; i_ < (n); i_++) \
			drv_explicit_wr((p) + i_ * (w), &v_, (w)); \
	} while (0)
#define ELEMENTS_COPY(d_in, s_in, w, n) do { \
		uint8_t *d = (uint8_t *)(d_in), *s = (uint8_t *)(s_in); \
		for (int i_ = 0; i_ < (n); i_++) { \
			uint64_t v_ = 0; \
			if ((uintptr_t)(s) >= (uintptr_t)bar && (uintptr_t)(s) < (uintptr_t)bar + 4096) \
				drv_explicit_rd((s) + i_ * (w), &v_, (w)); \
			else \
				memcpy(&v_, (s) + i_ * (w), (w)); \
			if ((uintptr_t)(d) >= (uintptr_t)bar && (uintptr_t)(d) < (uintptr_t)bar + 4096) \
				drv_explicit_wr((d) + i_ * (w), &v_, (w)); \
			else \
				memcpy((d) + i_ * (w), &v_, (w)); \
		} \
	} while (0)
#else
#define ELEMENTS_STORE(p, w, n, v) do { \
		void *d_ = (p); \
		uint64_t c_ = (n); \
		if ((w) == 1) __asm__ volatile("rep stosb" : "+D"(d_), "+c"(c_) : "a"(v) : "memory"); \
		if ((w) == 2) __asm__ volatile("rep stosw" : "+D"(d_), "+c"(c_) : "a"(v) : "memory"); \
		if ((w) == 4) __asm__ volatile("rep stosl" : "+D"(d_), "+c"(c_) : "a"(v) : "memory"); \
		if ((w) == 8) __asm__ volatile("rep stosq" : "+D"(d_), "+c"(c_) : "a"(v) : "memory"); \
	} while (0)
#define ELEMENTS_COPY(d_in, s_in, w, n) do { \
		uint8_t *d = (uint8_t *)(d_in), *s = (uint8_t *)(s_in); \
		void *d_ = (d); \
		const void *s_ = (s); \
		uint64_t c_ = (n); \
		if ((w) == 1) __asm__ volatile("rep movsb" : "+D"(d_), "+S"(s_), "+c"(c_) : : "memory"); \
		if ((w) == 2) __asm__ volatile("rep movsw" : "+D"(d_), "+S"(s_), "+c"(c_) : : "memory"); \
		if ((w) == 4) __asm__ volatile("rep movsl" : "+D"(d_), "+S"(s_), "+c"(c_) : : "memory"); \
		if ((w) == 8) __asm__ volatile("rep movsq" : "+D"(d_), "+S"(s_), "+c"(c_) : : "memory"); \
	} while (0)
#endif

static void strings(void)
{
	uint8_t local[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint32_t back[4] = { 0 };

	preset();
	/* four 32-bit doorbells, each written once with 4 bytes */
	ELEMENTS_STORE(bar + REG_DOORBELL(0), 4, 4, opaque(0x5eed1234));
	ELEMENTS_STORE(B, 2, 4, opaque(0xbeef));
	printf("stosw %016" PRIx64 "\n", RD64(B));
	ELEMENTS_STORE(B + 8, 8, 1, opaque(0x0123456789abcdefull));
	ELEMENTS_STORE(B + 8, 1, 3, opaque(0x5a));
	printf("stosq stosb %016" PRIx64 "\n", RD64(B + 8));
	/* device to device: read, write, read, write */
	ELEMENTS_COPY(B + 8, B, 4, 2);
	printf("movsl BAR to BAR %016" PRIx64 "\n", RD64(B + 8));
	ELEMENTS_COPY(B + 1, local, 1, 3);
	ELEMENTS_COPY(back, B, 4, 4);
	printf("movsb movsl %08x %08x %08x %08x\n", back[0], back[1], back[2], back[3]);
}

/* One flag-setting instruction on memory; prints result register, flags
 * (masked to the defined ones) and the memory afterwards. */
#define FLAGOP(T, P, RD_, WR_, MASK, INSN, INIT, V) do { \
		uint64_t f_, v_ = (V); \
		WR64(B + 8, opaque(INIT)); \
		ON_MEM(T, P, RD_, WR_, __asm__ volatile(INSN SAVE_FLAGS : [f] "=&r"(f_), [v] "+r"(v_) : [m] "r"(m) : "memory", "cc")); \
		printf("%-36s v=%016" PRIx64 " flags=%03" PRIx64 " mem=%016" PRIx64 "\n", INSN, v_, f_ & (MASK), RD64(B + 8)); \
	} while (0)

static void flags(void)
{
	preset();
	/* compare / test: read only */
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl $5, (%[m])", 5, 0);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl $5, (%[m])", 4, 0);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl $5, (%[m])", 6, 0);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl $5, (%[m])", 0x80000000u, 0);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl $-1, (%[m])", 0x7fffffffu, 0);
	FLAGOP(uint8_t, B + 8, 1, 0, FL_ARITH, "cmpb $0x80, (%[m])", 0x7f, 0);
	FLAGOP(uint16_t, B + 8, 1, 0, FL_ARITH, "cmpw $0x4000, (%[m])", 0x4000, 0);
	FLAGOP(uint64_t, B + 8, 1, 0, FL_ARITH, "cmpq %[v], (%[m])", 0x100000000ull, 0xffffffffull);
	FLAGOP(uint64_t, B + 8, 1, 0, FL_ARITH, "cmpq (%[m]), %[v]", 0x100000000ull, 0xffffffffull);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "cmpl (%[m]), %k[v]", 3, 3);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_LOGIC, "testl $4, (%[m])", 5, 0);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_LOGIC, "testl $2, (%[m])", 5, 0);
	FLAGOP(uint8_t, B + 8, 1, 0, FL_LOGIC, "testb $0x80, (%[m])", 0x81, 0);
	FLAGOP(uint16_t, B + 8, 1, 0, FL_LOGIC, "testw %w[v], (%[m])", 0x8001, 0x8000);
	FLAGOP(uint64_t, B + 8, 1, 0, FL_LOGIC, "testq %[v], (%[m])", 0x8000000000000000ull, 0x8000000000000001ull);
	/* arithmetic with a memory source */
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "addl (%[m]), %k[v]", 0xffffffffu, 1);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_ARITH, "subl (%[m]), %k[v]", 2, 1);
	FLAGOP(uint64_t, B + 8, 1, 0, FL_ARITH, "addq (%[m]), %[v]", 0x7fffffffffffffffull, 1);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_LOGIC, "andl (%[m]), %k[v]", 0xf0f0f0f0u, 0xffffffff0f0f0f0full);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_LOGIC, "orl (%[m]), %k[v]", 0x80000000u, 0xffffffff00000001ull);
	FLAGOP(uint16_t, B + 8, 1, 0, FL_LOGIC, "xorw (%[m]), %w[v]", 0xffff, 0x123456789abcffffull);
	FLAGOP(uint8_t, B + 8, 1, 0, FL_ARITH, "addb (%[m]), %b[v]", 0x80, 0xffffffffffffff80ull);
	FLAGOP(uint32_t, B + 8, 1, 0, FL_IMUL, "imull (%[m]), %k[v]", 0x10000, 0x10000);
	FLAGOP(uint64_t, B + 8, 1, 0, FL_IMUL, "imulq (%[m]), %[v]", 3, 0x1111);
	/* read-modify-write with a memory destination */
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "addl %k[v], (%[m])", 0xffffffffu, 1);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "subl $1, (%[m])", 0, 0);
	FLAGOP(uint64_t, B + 8, 1, 1, FL_ARITH, "addq $1, (%[m])", 0xffffffffffffffffull, 0);
	FLAGOP(uint16_t, B + 8, 1, 1, FL_ARITH, "subw %w[v], (%[m])", 0x8000, 1);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_LOGIC, "orl $0x10, (%[m])", 0x80000000u, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_LOGIC, "andl $0xff, (%[m])", 0x1234, 0);
	FLAGOP(uint8_t, B + 8, 1, 1, FL_LOGIC, "xorb $0xff, (%[m])", 0xff, 0);
	FLAGOP(uint64_t, B + 8, 1, 1, FL_LOGIC, "orq %[v], (%[m])", 1, 0x8000000000000000ull);
	/* inc/dec keep CF; not keeps all flags; neg sets CF unless 0 */
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "stc\n\tincl (%[m])", 0x7fffffffu, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "clc\n\tincl (%[m])", 0xffffffffu, 0);
	FLAGOP(uint64_t, B + 8, 1, 1, FL_ARITH, "stc\n\tdecq (%[m])", 0, 0);
	FLAGOP(uint8_t, B + 8, 1, 1, FL_ARITH, "clc\n\tdecb (%[m])", 0x80, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "cmpl %k[v], %k[v]\n\tnotl (%[m])", 0x0f0f0f0f, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "cmpl %k[v], %k[v]\n\tstc\n\tnotl (%[m])", 0x0f0f0f0f, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "negl (%[m])", 0, 0);
	FLAGOP(uint32_t, B + 8, 1, 1, FL_ARITH, "negl (%[m])", 0x80000000u, 0);
	FLAGOP(uint16_t, B + 8, 1, 1, FL_ARITH, "negw (%[m])", 1, 0);
}

static const struct scenario {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "loads", loads }, { "stores", stores }, { "flags", flags }, { "strings", strings },
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
		return 2;
	}
	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[1], scenarios[i].name)) {
			scenarios[i].fn();
			fflush(stdout);
			return 0;
		}
	fprintf(stderr, "unknown scenario %s\n", argv[1]);
	return 2;
}
#endif /* __x86_64__ */
