/* Instruction-class driver: one scenario per argument, each the C that
 * real drivers write against a register BAR (regs model, BAR0).
 * Compiled normally (dereferences) and with -DEXPLICIT (pread/pwrite);
 * the tests require identical device logs and identical output. */
#include "vfio_drv.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *bar;
static struct regs_map *r;

#define P(fmt, ...) printf(fmt "\n", __VA_ARGS__)

static void loadstore(void)
{
	uint8_t *b = bar + REG_BYTES;

	WR8(b + 0, opaque(0x11));
	WR8(b + 1, opaque(0x81));
	WR16(b + 2, opaque(0x2233));
	WR32(b + 4, opaque(0x44556677));
	WR64(b + 8, opaque(0x8899aabbccddeeffull));
	{
		__auto_type rd0_ = RD8(b + 0);
		__auto_type rd1_ = RD8(b + 1);
		P("bytes u8 %02x %02x", rd0_, rd1_);
	}
	{
		__auto_type rd0_ = RD16(b + 0);
		__auto_type rd1_ = RD16(b + 2);
		P("bytes u16 %04x %04x", rd0_, rd1_);
	}
	{
		__auto_type rd0_ = RD32(b + 0);
		__auto_type rd1_ = RD32(b + 4);
		P("bytes u32 %08x %08x", rd0_, rd1_);
	}
	{
		__auto_type rd0_ = RD64(b + 0);
		__auto_type rd1_ = RD64(b + 8);
		P("bytes u64 %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}

	WR32(&r->scratch, opaque(0x12345678));
	P("scratch %08x", RD32(&r->scratch));
	WR64(&r->scratch64, opaque(0x0123456789abcdefull));
	{
		__auto_type rd0_ = RD64(&r->scratch64);
		__auto_type rd1_ = RD32(bar + REG_SCRATCH64);
		__auto_type rd2_ = RD32(bar + REG_SCRATCH64 + 4);
		P("scratch64 %016" PRIx64 " lo %08x hi %08x", rd0_, rd1_, rd2_);
	}
	WR32(bar + REG_SCRATCH64 + 4, opaque(0xfeedf00d));
	P("scratch64 after hi write %016" PRIx64, RD64(&r->scratch64));

	{
		__auto_type rd0_ = RD32(&r->id);
		__auto_type rd1_ = RD32(&r->version);
		P("id %08x version %08x", rd0_, rd1_);
	}
	uint32_t c1 = RD32(&r->counter);
	uint32_t c2 = RD32(&r->counter);
	uint32_t c3 = RD32(&r->counter);
	P("counter %u %u %u", c1, c2, c3);

	/* STRICT32: only 4-byte accesses are accepted */
	WR32(&r->strict32, opaque(0xa5a5a5a5));
	P("strict32 %08x", RD32(&r->strict32));
	P("strict32 as u16 %04x", RD16(bar + REG_STRICT32));
	WR8(bar + REG_STRICT32, opaque(0x11));
	P("strict32 after byte write %08x", RD32(&r->strict32));

	/* STATUS is write-1-to-clear, STATUS_SET sets bits */
	WR32(&r->status_set, opaque(0x5));
	P("status %08x", RD32(&r->status));
	WR32(&r->status, opaque(0x1));
	P("status after w1c %08x", RD32(&r->status));

	/* doorbells are write-only, read 0 */
	WR32(&r->doorbell[3], opaque(42));
	WR32(&r->doorbell[63], opaque(0xffffffff));
	P("doorbell3 reads %08x", RD32(&r->doorbell[3]));
}

static void extend(void)
{
	uint8_t *b = bar + REG_BYTES;

	WR8(b + 0, opaque(0x80));
	WR8(b + 1, opaque(0x7f));
	WR16(b + 2, opaque(0x8001));
	WR32(b + 4, opaque(0x80000001));
	WR64(b + 8, opaque(0xffffffff00000000ull));

	int64_t s8_64 = RD8S(b + 0);       /* movsx r64, m8 */
	int32_t s8_32 = RD8S(b + 0);       /* movsx r32, m8 */
	int16_t s8_16 = RD8S(b + 0);
	uint64_t z8_64 = RD8(b + 0);       /* movzx */
	uint32_t z8_32 = RD8(b + 1);
	int64_t s16_64 = RD16S(b + 2);
	int32_t s16_32 = RD16S(b + 2);
	uint64_t z16_64 = RD16(b + 2);
	int64_t s32_64 = RD32S(b + 4);     /* movsxd */
	uint64_t z32_64 = RD32(b + 4);     /* mov r32 zero-extends */
	int64_t s32_hi = RD32S(b + 12);

	P("s8 %016" PRIx64 " %08x %04x", (uint64_t)s8_64, (uint32_t)s8_32, (uint16_t)s8_16);
	P("z8 %016" PRIx64 " %08x", z8_64, z8_32);
	P("s16 %016" PRIx64 " %08x z16 %016" PRIx64, (uint64_t)s16_64, (uint32_t)s16_32, z16_64);
	P("s32 %016" PRIx64 " z32 %016" PRIx64 " s32hi %016" PRIx64, (uint64_t)s32_64, z32_64,
	  (uint64_t)s32_hi);
	/* mixing into wider arithmetic */
	int64_t acc = (int64_t)opaque(1000);
	acc += RD8S(b + 0);
	acc += RD16S(b + 2);
	acc += RD32S(b + 4);
	P("acc %" PRId64, acc);
}

static void immediate(void)
{
	uint8_t *b = bar + REG_BYTES;

	WR8(b + 0, 0xa1);
	WR16(b + 2, 0xb2c3);
	WR32(b + 4, 0xd4e5f607);
	WR64(b + 8, 0x7fffffffull);                 /* mov qword [m], imm32 */
	{
		__auto_type rd0_ = RD8(b + 0);
		__auto_type rd1_ = RD16(b + 2);
		__auto_type rd2_ = RD32(b + 4);
		__auto_type rd3_ = RD64(b + 8);
		P("imm %02x %04x %08x %016" PRIx64, rd0_, rd1_, rd2_, rd3_);
	}
	WR64(b + 8, 0xffffffff80000000ull);         /* sign-extended imm32 */
	P("imm64 sx %016" PRIx64, RD64(b + 8));
	WR64(b + 8, 0x1122334455667788ull);         /* movabs + store */
	P("imm64 %016" PRIx64, RD64(b + 8));
	WR32(&r->scratch, 0);
	WR32(&r->scratch, 0xffffffff);
	P("scratch %08x", RD32(&r->scratch));
	WR64(&r->scratch64, 0);
	WR64(&r->scratch64, -1);
	P("scratch64 %016" PRIx64, RD64(&r->scratch64));
	WR32(&r->doorbell[0], 1);
	WR32(&r->doorbell[1], 0x80000000u);
	WR32(&r->status_set, 0x10);
	WR32(&r->status, 0xffffffff);
	P("status %08x", RD32(&r->status));
}

static void rmw(void)
{
	uint8_t *b = bar + REG_BYTES;
	uint32_t x = (uint32_t)opaque(0x0f0f0000);

	WR32(&r->scratch, opaque(0x100));
	RMW(32, &r->scratch, |, 0x11);
	P("or %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, &, ~0x10u);
	P("and %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, ^, 0xff00);
	P("xor %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, +, 0x7ffffff0);
	P("add %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, -, 3);
	P("sub %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, |, x);                 /* register source */
	P("or reg %08x", RD32(&r->scratch));
	RMW(32, &r->scratch, +, x);
	P("add reg %08x", RD32(&r->scratch));
	INC(32, &r->scratch);
	P("inc %08x", RD32(&r->scratch));
	DEC(32, &r->scratch);
	DEC(32, &r->scratch);
	P("dec %08x", RD32(&r->scratch));
	NOT(32, &r->scratch);
	P("not %08x", RD32(&r->scratch));
	NEG(32, &r->scratch);
	P("neg %08x", RD32(&r->scratch));

	WR64(&r->scratch64, opaque(0x00000000ffffffffull));
	RMW(64, &r->scratch64, +, 1);
	RMW(64, &r->scratch64, |, 0x8000000000000000ull);
	RMW(64, &r->scratch64, ^, opaque(0x0f));
	INC(64, &r->scratch64);
	NEG(64, &r->scratch64);
	P("rmw64 %016" PRIx64, RD64(&r->scratch64));

	WR8(b + 0, opaque(0xf0));
	RMW(8, b + 0, |, 0x0f);
	RMW(8, b + 0, &, 0x3c);
	INC(8, b + 0);
	NOT(8, b + 0);
	WR16(b + 2, opaque(0x1234));
	RMW(16, b + 2, +, 0x1111);
	RMW(16, b + 2, ^, 0xffff);
	DEC(16, b + 2);
	NEG(16, b + 2);
	{
		__auto_type rd0_ = RD8(b + 0);
		__auto_type rd1_ = RD16(b + 2);
		P("rmw8 %02x rmw16 %04x", rd0_, rd1_);
	}

	/* regs[i] |= bit: indexed addressing */
	volatile uint32_t *words = (volatile uint32_t *)(void *)(bar + REG_BYTES);
	for (int i = 0; i < 4; i++)
		WR32(&words[i], opaque(0));
	for (unsigned int i = 0; i < 4; i++)
		RMW(32, &words[opaque(i)], |, 1u << i);
	{
		__auto_type rd0_ = RD32(&words[0]);
		__auto_type rd1_ = RD32(&words[1]);
		__auto_type rd2_ = RD32(&words[2]);
		__auto_type rd3_ = RD32(&words[3]);
		P("words %08x %08x %08x %08x", rd0_, rd1_, rd2_, rd3_);
	}
	/* doorbell-style RMW: STATUS w1c through |= (a classic driver bug pattern) */
	WR32(&r->status_set, opaque(0x3));
	RMW(32, &r->status, |, 0);
	P("status %08x", RD32(&r->status));
}

static void rmw_shift(void)
{
	WR32(&r->scratch, opaque(0x81));
	RMW(32, &r->scratch, <<, 4);
	RMW(32, &r->scratch, >>, 1);
	P("shift32 %08x", RD32(&r->scratch));
	WR64(&r->scratch64, opaque(3));
	RMW(64, &r->scratch64, <<, 40);
	P("shift64 %016" PRIx64, RD64(&r->scratch64));
}

static void memsrc(void)
{
	uint8_t *b = bar + REG_BYTES;
	volatile uint32_t *words = (volatile uint32_t *)(void *)b;

	for (unsigned int i = 0; i < 4; i++)
		WR32(&words[i], opaque(0x01010101u * (i + 1)));
	uint32_t sum = (uint32_t)opaque(7);
	for (int i = 0; i < 4; i++)
		sum += RD32(&words[i]);                 /* add r32, m32 */
	P("sum %08x", sum);
	uint64_t sum64 = opaque(1);
	sum64 += RD64(b);
	sum64 += RD64(b + 8);
	P("sum64 %016" PRIx64, sum64);
	uint32_t x = (uint32_t)opaque(0xffff0000);
	x -= RD32(&words[0]);
	P("sub %08x", x);
	x &= RD32(&words[1]);
	P("and %08x", x);
	x |= RD32(&words[2]);
	P("or %08x", x);
	x ^= RD32(&words[3]);
	P("xor %08x", x);
	x *= RD32(&words[1]);                       /* imul r32, m32 */
	P("imul %08x", x);
	uint64_t y = opaque(0x123456789ull);
	y *= RD64(b);
	P("imul64 %016" PRIx64, y);
	uint16_t h = (uint16_t)opaque(0x1000);
	h += RD16(b + 2);
	P("add16 %04x", h);
	uint8_t c = (uint8_t)opaque(0x10);
	c += RD8(b + 5);
	P("add8 %02x", c);
	uint32_t total = 0;
	for (int i = 0; i < 3; i++)
		total += RD32(&r->counter);
	P("counter total %u", total);
}

static void cmptest(void)
{
	uint8_t *b = bar + REG_BYTES;
	int n = 0;

	WR32(&r->scratch, opaque(5));
	if (RD32(&r->scratch) == 5)
		puts("scratch == 5");
	if (RD32(&r->scratch) != 6)
		puts("scratch != 6");
	if (RD32(&r->scratch) & 4)
		puts("scratch & 4");
	if (!(RD32(&r->scratch) & 2))
		puts("!(scratch & 2)");
	if (RD32(&r->scratch) > 3)
		puts("scratch > 3");
	if (RD32(&r->scratch) < opaque(9))
		puts("scratch < 9 (reg)");
	WR32(&r->scratch, opaque(0xfffffffe));
	if (RD32S(&r->scratch) < 0)
		puts("scratch signed < 0");
	if (RD32S(&r->scratch) > -5)
		puts("scratch signed > -5");
	WR8(b, opaque(0x80));
	if (RD8(b) == 0x80)
		puts("byte == 0x80");
	if (RD8(b) & 0x80)
		puts("byte & 0x80");
	WR16(b + 2, opaque(0x4000));
	if (RD16(b + 2) & 0x4000)
		puts("half & 0x4000");
	if (RD16(b + 2) == 0x4000)
		puts("half == 0x4000");
	WR64(&r->scratch64, opaque(0x100000000ull));
	if (RD64(&r->scratch64) == 0x100000000ull)
		puts("scratch64 == 1<<32");
	if (RD64(&r->scratch64) & 0x100000000ull)
		puts("scratch64 & 1<<32");
	if (RD64(&r->scratch64) > 5)
		puts("scratch64 > 5");
	if (RD32(&r->id) == REGS_ID_VALUE)
		puts("id matches");
	/* poll a status bit like a driver waiting for ready */
	while (!(RD32(&r->status) & 1))
		if (++n == 3)
			WR32(&r->status_set, opaque(1));
	P("polled %d", n);
	WR32(&r->status, opaque(1));
	if (!(RD32(&r->status) & 1))
		puts("status clear");
}

#if defined(__x86_64__)
static void movnti(void)
{
#ifdef EXPLICIT
	WR32(&r->scratch, opaque(0x600df00d));
	WR64(&r->scratch64, opaque(0x0123456789abcdefull));
#else
	_mm_stream_si32((int *)(void *)&r->scratch, (int)opaque(0x600df00d));   /* movnti m32 */
	_mm_stream_si64((long long *)(void *)&r->scratch64,
			(long long)opaque(0x0123456789abcdefull));          /* movnti m64 */
#endif
	_mm_sfence();
	{
		__auto_type rd0_ = RD32(&r->scratch);
		__auto_type rd1_ = RD64(&r->scratch64);
		P("scratch %08x scratch64 %016" PRIx64, rd0_, rd1_);
	}
}

static void sse(void)
{
	uint8_t *b = bar + REG_BYTES;
	__m128i v = _mm_set_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, (int)opaque(0x00010203));
	uint8_t out[16];

#ifdef EXPLICIT
	COPY_TO_BAR(b, &v, 16);
	__m128i w;
	COPY_FROM_BAR(&w, b, 16);
#else
	_mm_storeu_si128((__m128i *)(void *)b, v);
	BARRIER();
	__m128i w = _mm_loadu_si128((const __m128i *)(const void *)b);
#endif
	_mm_storeu_si128((__m128i *)(void *)out, w);
	for (int i = 0; i < 16; i++)
		printf("%02x", out[i]);
	putchar('\n');

	v = _mm_add_epi8(v, _mm_set1_epi8(0x10));
#ifdef EXPLICIT
	COPY_TO_BAR(b, &v, 16);                  /* movdqa/movaps store */
	uint64_t lo;
	COPY_FROM_BAR(&lo, b + 8, 8);            /* movq xmm, m64 */
	uint64_t q = (uint64_t)_mm_cvtsi128_si64(v);
	COPY_TO_BAR(b + 8, &q, 8);               /* movq m64, xmm */
	w = _mm_cvtsi64_si128((long long)lo);
#else
	_mm_store_si128((__m128i *)(void *)b, v);
	BARRIER();
	__m128i l = _mm_loadl_epi64((const __m128i *)(const void *)(b + 8));
	BARRIER();
	_mm_storel_epi64((__m128i *)(void *)(b + 8), v);
	BARRIER();
	w = l;
#endif
	_mm_storeu_si128((__m128i *)(void *)out, w);
	for (int i = 0; i < 16; i++)
		printf("%02x", out[i]);
	putchar('\n');
	{
		__auto_type rd0_ = RD64(b);
		__auto_type rd1_ = RD64(b + 8);
		P("after %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}
}

__attribute__((target("avx"))) static void avx128(void)
{
	uint8_t *b = bar + REG_BYTES;
	__m128i v = _mm_set_epi32(0x1c1d1e1f, 0x18191a1b, 0x14151617, (int)opaque(0x10111213));
	uint8_t out[16];

	if (!__builtin_cpu_supports("avx")) {
		puts("no avx");
		return;
	}
#ifdef EXPLICIT
	COPY_TO_BAR(b, &v, 16);
	__m128i w;
	COPY_FROM_BAR(&w, b, 16);
#else
	_mm_storeu_si128((__m128i *)(void *)b, v);         /* vmovdqu */
	BARRIER();
	__m128i w = _mm_loadu_si128((const __m128i *)(const void *)b);
	BARRIER();      /* keep the load a move: gcc -O1+ folds it into vpxor otherwise */
#endif
	w = _mm_xor_si128(w, _mm_set1_epi8(0x55));
	_mm_storeu_si128((__m128i *)(void *)out, w);
	for (int i = 0; i < 16; i++)
		printf("%02x", out[i]);
	putchar('\n');
}

#endif /* __x86_64__ */

/* memcpy/memset into the BYTES register block: glibc or the compiler may
 * store in any order or overlap, so only the resulting device contents
 * are compared (the test compares output, not logs). */
__attribute__((unused)) static void *(*volatile libc_memcpy)(void *, const void *, size_t) = memcpy;
__attribute__((unused)) static void *(*volatile libc_memset)(void *, int, size_t) = memset;

static void copies(void)
{
	uint8_t *b = bar + REG_BYTES;
	uint8_t src[16], dst[16];

	for (int i = 0; i < 16; i++)
		src[i] = (uint8_t)(0xa0 + i);
	COPY_TO_BAR(b, src, 16);                         /* inlined by the compiler */
	BARRIER();
	{
		__auto_type rd0_ = RD64(b);
		__auto_type rd1_ = RD64(b + 8);
		P("inline copy %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}
#ifdef EXPLICIT
	FILL_BAR(b, 0x5a, 16);
#else
	libc_memset((void *)b, 0x5a, 16);
#endif
	{
		__auto_type rd0_ = RD64(b);
		__auto_type rd1_ = RD64(b + 8);
		P("memset %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}
	for (int i = 0; i < 16; i++)
		src[i] = (uint8_t)(0x30 + 7 * i);
#ifdef EXPLICIT
	COPY_TO_BAR(b, src, 16);
	COPY_FROM_BAR(dst, b, 16);
#else
	libc_memcpy((void *)b, src, 16);
	libc_memcpy(dst, (const void *)b, 16);
#endif
	{
		__auto_type rd0_ = RD64(b);
		__auto_type rd1_ = RD64(b + 8);
		P("libc copy %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}
	for (int i = 0; i < 16; i++)
		printf("%02x", dst[i]);
	putchar('\n');
#ifdef EXPLICIT
	COPY_TO_BAR(b + 4, src, 8);
#else
	libc_memcpy((void *)(b + 4), src, 8);
#endif
	{
		__auto_type rd0_ = RD64(b);
		__auto_type rd1_ = RD64(b + 8);
		P("libc copy 8 %016" PRIx64 " %016" PRIx64, rd0_, rd1_);
	}
}

static const struct scenario {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "loadstore", loadstore }, { "extend", extend }, { "immediate", immediate },
	{ "rmw", rmw }, { "rmw_shift", rmw_shift }, { "memsrc", memsrc },
	{ "cmptest", cmptest }, { "copies", copies },
#if defined(__x86_64__)
	{ "movnti", movnti }, { "sse", sse }, { "avx128", avx128 },
#endif
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
		return 2;
	}
	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	r = (struct regs_map *)(void *)bar;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[1], scenarios[i].name)) {
			scenarios[i].fn();
			fflush(stdout);
			return 0;
		}
	fprintf(stderr, "unknown scenario %s\n", argv[1]);
	return 2;
}
