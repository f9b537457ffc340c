/* Block copies between memory and BAR2 (64 KiB memory window): glibc's
 * memcpy/memset (SSE/AVX/EVEX or rep movsb/stosb by size), explicit
 * rep movsb/stosb (and movsq/stosq), 32/64-byte vector moves.  BAR2 is
 * not logged, so every result is verified with pread on the device fd
 * (and read back through the mapping).   bulk SCENARIO...
 * libc repb repq avx2 avx512; "perms" prints the mapping's page
 * permissions. A scenario the CPU cannot run exits 77 (skip). */
#include "vfio_drv.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR2 VFIO_PCI_BAR2_REGION_INDEX

static uint8_t *bar2;
static size_t bar2_len;
static uint8_t *shadow;          /* what BAR2 should contain */
static int failures;

static void *(*volatile libc_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile libc_memset)(void *, int, size_t) = memset;

static void fill_pattern(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 8)) ^ seed);
}

/* Compare all of BAR2 (through pread) with the shadow copy. */
static void verify(const char *what)
{
	uint8_t *dev = malloc(bar2_len);

	drv_region_pread(BAR2, 0, dev, bar2_len);
	for (size_t i = 0; i < bar2_len; i++)
		if (dev[i] != shadow[i]) {
			printf("MISMATCH %s: BAR2+0x%zx device 0x%02x expected 0x%02x\n", what, i, dev[i],
			       shadow[i]);
			failures++;
			free(dev);
			return;
		}
	printf("ok %s\n", what);
	free(dev);
}

static void check_local(const char *what, const uint8_t *got, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != shadow[off + i]) {
			printf("MISMATCH %s: byte %zu read 0x%02x expected 0x%02x\n", what, i, got[i],
			       shadow[off + i]);
			failures++;
			return;
		}
	printf("ok %s\n", what);
}

#if defined(__x86_64__)
static void rep_movsb(void *dst, const void *src, size_t n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void rep_stosb(void *dst, int c, size_t n)
{
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
}

#endif

static void libc(void)
{
	size_t n = 16384;
	uint8_t *src = malloc(n), *dst = malloc(n);

	fill_pattern(src, n, 1);
	libc_memcpy(bar2 + 0x1000, src, n);           /* large: rep movsb on ERMS CPUs */
	memcpy(shadow + 0x1000, src, n);
	verify("memcpy 16384 to BAR2");
	libc_memset(bar2 + 0x6000, 0x5a, 8192);       /* large: rep stosb */
	memset(shadow + 0x6000, 0x5a, 8192);
	verify("memset 8192 to BAR2");
	libc_memcpy(dst, bar2 + 0x1000, n);           /* source on the BAR */
	check_local("memcpy 16384 from BAR2", dst, 0x1000, n);
	static const size_t sizes[] = { 1, 3, 8, 16, 24, 32, 48, 64, 100, 256, 1000, 4096 };
	size_t off = 0x9000;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char what[64];
		fill_pattern(src, sizes[i], (unsigned int)(10 + i));
		libc_memcpy(bar2 + off + i, src, sizes[i]);
		memcpy(shadow + off + i, src, sizes[i]);
		snprintf(what, sizeof(what), "memcpy %zu to BAR2+0x%zx", sizes[i], off + i);
		verify(what);
		libc_memcpy(dst, bar2 + off + i, sizes[i]);
		snprintf(what, sizeof(what), "memcpy %zu from BAR2+0x%zx", sizes[i], off + i);
		check_local(what, dst, off + i, sizes[i]);
		libc_memset(bar2 + off + 0x1000 + i, (int)i, sizes[i]);
		memset(shadow + off + 0x1000 + i, (int)i, sizes[i]);
		snprintf(what, sizeof(what), "memset %zu to BAR2+0x%zx", sizes[i], off + 0x1000 + i);
		verify(what);
		off += 0x200 + sizes[i];
		off &= ~(size_t)0xff;
	}
	free(src);
	free(dst);
}

#if defined(__x86_64__)
static void repb(void)
{
	size_t n = 4096 + 3;
	uint8_t *src = malloc(n), *dst = malloc(n);

	fill_pattern(src, n, 2);
	rep_movsb(bar2 + 0x2001, src, n);
	memcpy(shadow + 0x2001, src, n);
	verify("rep movsb 4099 to BAR2+0x2001");
	rep_stosb(bar2 + 0x4003, 0xc3, 5000);
	memset(shadow + 0x4003, 0xc3, 5000);
	verify("rep stosb 5000 to BAR2+0x4003");
	rep_movsb(dst, bar2 + 0x2001, n);
	check_local("rep movsb 4099 from BAR2+0x2001", dst, 0x2001, n);
	rep_movsb(bar2 + 0x8000, bar2 + 0x2001, 300);  /* both operands on the BAR */
	memcpy(shadow + 0x8000, shadow + 0x2001, 300);
	verify("rep movsb 300 BAR2 to BAR2");
	free(src);
	free(dst);
}

static void repq(void)
{
	size_t n = 512;
	uint64_t *src = malloc(n * 8);
	void *d = bar2 + 0x3000, *s = src;
	size_t c = n;

	fill_pattern((uint8_t *)src, n * 8, 3);
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
	memcpy(shadow + 0x3000, src, n * 8);
	verify("rep movsq 512 to BAR2+0x3000");
	d = bar2 + 0x5000;
	c = n;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0x0123456789abcdefull) : "memory");
	for (size_t i = 0; i < n; i++)
		memcpy(shadow + 0x5000 + 8 * i, &(uint64_t){ 0x0123456789abcdefull }, 8);
	verify("rep stosq 512 to BAR2+0x5000");
	free(src);
}

__attribute__((target("avx2"))) static void avx256(void)
{
	uint8_t buf[32], out[32];

	fill_pattern(buf, 32, 4);
	__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)buf);
	_mm256_storeu_si256((__m256i *)(void *)(bar2 + 0xa010), v);   /* vmovdqu ymm */
	memcpy(shadow + 0xa010, buf, 32);
	verify("vmovdqu ymm store to BAR2+0xa010");
	__m256i w = _mm256_loadu_si256((const __m256i *)(const void *)(bar2 + 0xa010));
	_mm256_storeu_si256((__m256i *)(void *)out, w);
	check_local("vmovdqu ymm load from BAR2+0xa010", out, 0xa010, 32);
	_mm256_stream_si256((__m256i *)(void *)(bar2 + 0xa040), v);   /* vmovntdq */
	_mm_sfence();
	memcpy(shadow + 0xa040, buf, 32);
	verify("vmovntdq ymm store to BAR2+0xa040");
}

__attribute__((target("avx512f"))) static void avx512(void)
{
	uint8_t buf[64], out[64];

	fill_pattern(buf, 64, 5);
	__m512i v = _mm512_loadu_si512(buf);
	_mm512_storeu_si512(bar2 + 0xb000, v);                         /* vmovdqu64 zmm */
	memcpy(shadow + 0xb000, buf, 64);
	verify("vmovdqu64 zmm store to BAR2+0xb000");
	__m512i w = _mm512_loadu_si512(bar2 + 0xb000);
	_mm512_storeu_si512(out, w);
	check_local("vmovdqu64 zmm load from BAR2+0xb000", out, 0xb000, 64);
}

/* A scenario whose instructions this CPU lacks did not run: exit 77
 * (meson's skip) with the reason, never a pass. */
static void need(const char *feature, bool have)
{
	/* DRV_CPU_LACKS=FEATURE: as on a CPU without it (the skip's own test) */
	const char *lacks = getenv("DRV_CPU_LACKS");

	if (!have || (lacks && !strcmp(lacks, feature))) {
		printf("SKIP: the CPU lacks %s\n", feature);
		fflush(stdout);
		exit(77);
	}
}

#endif /* __x86_64__ */

int main(int argc, char **argv)
{
	drv_open();
	bar2_len = drv.region[BAR2].size;
	bar2 = drv_map_bar(BAR2, NULL, 0, PROT_READ | PROT_WRITE, 0);
	shadow = malloc(bar2_len);
	drv_region_pread(BAR2, 0, shadow, bar2_len);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "perms"))
			printf("bar2 perms %s\n", drv_page_perms(bar2));
		else if (!strcmp(argv[i], "libc"))
			libc();
#if defined(__x86_64__)
		else if (!strcmp(argv[i], "repb"))
			repb();
		else if (!strcmp(argv[i], "repq"))
			repq();
		else if (!strcmp(argv[i], "avx2")) {
			need("avx2", __builtin_cpu_supports("avx2"));
			avx256();
		} else if (!strcmp(argv[i], "avx512")) {
			need("avx512f", __builtin_cpu_supports("avx512f"));
			avx512();
		}
#endif
		else {
			fprintf(stderr, "unknown scenario %s\n", argv[i]);
			return 2;
		}
	}
	fflush(stdout);
	return failures ? 1 : 0;
}
