/* Faults that are not emulatable BAR accesses must look exactly as they
 * would without the shim.
 *   faults SCENARIO [handler] [anon]
 * SCENARIO: null_read null_write pastend pastend_fixed straddle
 *           map_refused (BAR0 mapped plainly and with MAP_FIXED into a
 *           reservation; prints each mmap's errno and whether the
 *           reservation survived a failed MAP_FIXED mmap)
 * handler: an SA_SIGINFO SIGSEGV handler prints signal, si_code and
 *          si_addr (relative to the BAR mapping) and exits 42.
 * anon:    the reference without shim or simulator: the "BAR" is
 *          anonymous read-write memory laid out the same way. */
#include "vfio_drv.h"

#include <errno.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *base;
static int anon;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char buf[160];
	uintptr_t a = (uintptr_t)si->si_addr;
	int n;

	(void)uc;
	if (base && a >= (uintptr_t)base && a < (uintptr_t)base + 0x100000)
		n = snprintf(buf, sizeof(buf), "signal %d code %d addr base+0x%lx\n", sig, si->si_code,
			     (unsigned long)(a - (uintptr_t)base));
	else
		n = snprintf(buf, sizeof(buf), "signal %d code %d addr 0x%lx\n", sig, si->si_code,
			     (unsigned long)a);
	write(1, buf, (size_t)n);
	_exit(42);
}

/* The BAR (or its anonymous stand-in) at addr, len bytes. */
static uint8_t *map(void *addr, size_t len, int flags)
{
	if (!anon)
		return drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, addr, len, PROT_READ | PROT_WRITE, flags);
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED)
		drv_die("anonymous mmap: %s", strerror(errno));
	return p;
}

/* A 4 KiB mapping whose following page is unmapped. */
static uint8_t *map_with_hole_after(void)
{
	uint8_t *hint = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (hint == MAP_FAILED)
		drv_die("mmap: %s", strerror(errno));
	munmap(hint, 3 * 4096);
	uint8_t *p = map(hint, 4096, 0);
	if (p != hint)
		fprintf(stderr, "note: mapping not at the hint\n");
	return p;
}

/* A 4 KiB mapping placed with MAP_FIXED into a 2-page PROT_NONE reservation. */
static uint8_t *map_into_reservation(void)
{
	uint8_t *res = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (res == MAP_FAILED)
		drv_die("mmap: %s", strerror(errno));
	return map(res, 4096, MAP_FIXED);
}

/* mmap of BAR0 with the driver's own error handling, as errno's name. */
static const char *try_map(void *addr, int flags)
{
	void *p = mmap(addr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | flags, drv.devfd,
		       (off_t)drv.region[VFIO_PCI_BAR0_REGION_INDEX].offset);

	if (p != MAP_FAILED)
		return "mapped";
	return errno == ENODEV ? "ENODEV" : strerror(errno);
}

static void map_refused(void)
{
	printf("plain: %s\n", try_map(NULL, 0));
	uint8_t *res = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		drv_die("mmap: %s", strerror(errno));
	const char *r = try_map(res, MAP_FIXED);
	printf("fixed: %s\n", r);
	if (strcmp(r, "mapped"))	/* msync fails with ENOMEM on an unmapped range */
		printf("reservation %s\n", msync(res, 2 * 4096, MS_ASYNC) ? "gone" : "intact");
}

int main(int argc, char **argv)
{
	int handler = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SCENARIO [handler] [anon]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "handler"))
			handler = 1;
		else if (!strcmp(argv[i], "anon"))
			anon = 1;
	}
	if (handler) {
		struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
	}
	if (!anon)
		drv_open();

	const char *s = argv[1];
	if (!strcmp(s, "null_read") || !strcmp(s, "null_write")) {
		uint8_t *bar = map(NULL, 4096, 0);
		(void)RD32(bar + REG_ID);                     /* the BAR itself works */
		puts("before fault");
		fflush(stdout);
		volatile uint32_t *np = (volatile uint32_t *)(uintptr_t)opaque(0);
		if (s[5] == 'r')
			(void)*np;
		else
			*np = 1;
	} else if (!strcmp(s, "pastend") || !strcmp(s, "pastend_fixed")) {
		base = strcmp(s, "pastend") ? map_into_reservation() : map_with_hole_after();
		(void)RD32(base + REG_ID);
		puts("before fault");
		fflush(stdout);
		(void)RD32(base + 4096);
	} else if (!strcmp(s, "straddle")) {
		base = map_with_hole_after();
		(void)RD32(base + REG_ID);
		puts("before fault");
		fflush(stdout);
#if defined(__x86_64__)
		__m128i v;                   /* movdqu 16 bytes across the end */
		__asm__ volatile("movdqu (%1), %0" : "=x"(v) : "r"(base + 4096 - 8) : "memory");
		(void)v;
#elif defined(__s390x__)
		/* lmg of two doublewords across the end */
		__asm__ volatile("lmg %%r0,%%r1,0(%0)" : : "a"(base + 4096 - 8) : "r0", "r1", "memory");
#else
#error "a 16-byte load for this architecture"
#endif
	} else if (!strcmp(s, "map_refused")) {
		map_refused();
		return 0;
	} else {
		fprintf(stderr, "unknown scenario %s\n", s);
		return 2;
	}
	puts("after fault");
	return 0;
}
