/* Accesses the shim must refuse (or, for unaligned ones, may split when
 * asked):   unsupported SCENARIO
 * lock_or xchg cmpxchg lock_xadd crc32: atomics and an instruction no
 *   driver uses on MMIO, each on SCRATCH (BAR0 + 0x8); on s390x the
 *   interlocked LAO, CS, CSG, LAA and LDEB (a BFP conversion);
 * unaligned_load32 (BYTES+1), unaligned_store64 (BYTES+2),
 * unaligned_load16 (BYTES+3).
 * Prints "before" after a normal access, "after" if it survived. */
#include "vfio_drv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	uint8_t *bar, *b;
	const char *s = argc > 1 ? argv[1] : "";

	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	b = bar + REG_BYTES;
	WR32(bar + REG_SCRATCH, opaque(0x1));
	WR64(b, opaque(0x8877665544332211ull));
	WR64(b + 8, opaque(0xffeeddccbbaa9988ull));
	puts("before");
	fflush(stdout);
	volatile uint32_t *scratch = (volatile uint32_t *)(void *)(bar + REG_SCRATCH);
	uint32_t v = (uint32_t)opaque(0x30);
	(void)scratch;
#if defined(EXPLICIT)
#define UNSUPPORTED(x86, s390x) ((void)0)
#elif defined(__x86_64__)
#define UNSUPPORTED(x86, s390x) x86
#elif defined(__s390x__)
#define UNSUPPORTED(x86, s390x) s390x
#else
#error "the unsupported instructions of this architecture"
#endif
	if (!strcmp(s, "lock_or")) {
		UNSUPPORTED(__asm__ volatile("lock orl $2, %0" : "+m"(*scratch) : : "memory"),
			    ({ uint32_t old_;   /* interlocked OR (z196) */
			       __asm__ volatile("lao %0,%2,%1" : "=d"(old_), "+QS"(*scratch) : "d"(2u) : "memory", "cc"); }));
	} else if (!strcmp(s, "xchg")) {
		UNSUPPORTED(__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*scratch) : : "memory"),
			    ({ uint32_t expect_ = 1;
			       __asm__ volatile("cs %0,%2,%1" : "+d"(expect_), "+Q"(*scratch) : "d"(v) : "memory", "cc"); }));
	} else if (!strcmp(s, "cmpxchg")) {
		UNSUPPORTED(({ uint32_t expect = 1;
			       __asm__ volatile("lock cmpxchgl %2, %1" : "+a"(expect), "+m"(*scratch) : "r"(v) : "memory", "cc"); }),
			    ({ uint64_t expect_ = 1;
			       __asm__ volatile("csg %0,%2,%1" : "+d"(expect_), "+QS"(*(volatile uint64_t *)(void *)scratch)
						: "d"((uint64_t)v) : "memory", "cc"); }));
	} else if (!strcmp(s, "lock_xadd")) {
		UNSUPPORTED(__asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*scratch) : : "memory", "cc"),
			    ({ uint32_t old_;
			       __asm__ volatile("laa %0,%2,%1" : "=d"(old_), "+QS"(*scratch) : "d"(v) : "memory", "cc"); }));
	} else if (!strcmp(s, "crc32")) {
		UNSUPPORTED(__asm__ volatile("crc32l %1, %0" : "+r"(v) : "m"(*scratch) : "memory"),
			    /* load lengthened (short BFP to long BFP) from the BAR:
			     * capstone 4.0.2 knows it, no driver uses it on MMIO */
			    __asm__ volatile("ldeb %%f0,%0" : : "R"(*scratch) : "f0", "memory"));
	} else if (!strcmp(s, "unaligned_load32")) {
		printf("value %08x\n", RD32(b + 1));
	} else if (!strcmp(s, "unaligned_store64")) {
		WR64(b + 2, opaque(0x0102030405060708ull));
		{
			__auto_type rd0_ = RD64(b);
			__auto_type rd1_ = RD64(b + 8);
			printf("bytes %016" PRIx64 " %016" PRIx64 "\n", rd0_, rd1_);
		}
	} else if (!strcmp(s, "unaligned_load16")) {
		printf("value %04x\n", RD16(b + 3));
	} else {
		fprintf(stderr, "unknown scenario %s\n", s);
		return 2;
	}
	printf("after %08x\n", v);
	return 0;
}
