/* The direct backend: one volatile access of exactly the instruction's
 * width on the kernel's real mapping of the BAR. For tracing on
 * architectures whose CPU can reach PCI memory. */
#include <stdint.h>

#include "arch.h"
#include "shim.h"

/* aligned(1): the C library's copy routines may make unaligned scalar
 * accesses, which stay single accesses of their width */
typedef uint16_t u16 __attribute__((aligned(1)));
typedef uint32_t u32 __attribute__((aligned(1)));
typedef uint64_t u64 __attribute__((aligned(1)));
typedef uint64_t v16 __attribute__((vector_size(16), aligned(1)));
typedef uint64_t v32 __attribute__((vector_size(32), aligned(1)));

static bool direct_usable(const struct region *r, const char **why)
{
	if (!r->real) {
		*why = "the kernel did not map this BAR";
		return false;
	}
	return true;
}

#if defined(__x86_64__)
__attribute__((target("avx"))) static void copy32(volatile void *dst, const volatile void *src)
{
	*(volatile v32 *)dst = *(const volatile v32 *)src;
}
#else
static void copy32(volatile void *dst, const volatile void *src)
{
	*(volatile v16 *)dst = *(const volatile v16 *)src;
	*((volatile v16 *)dst + 1) = *((const volatile v16 *)src + 1);
}
#endif

/* Copy with one access of the given width where there is one, else in
 * naturally aligned pieces (block copies). */
static void copy_volatile(volatile char *dst, const volatile char *src, size_t len)
{
	/* runs in the signal handler */
	switch (len) {
	case 1: *(volatile uint8_t *)dst = *(const volatile uint8_t *)src; return;
	case 2: *(volatile u16 *)dst = *(const volatile u16 *)src; return;
	case 4: *(volatile u32 *)dst = *(const volatile u32 *)src; return;
	case 8: *(volatile u64 *)dst = *(const volatile u64 *)src; return;
	case 16: *(volatile v16 *)dst = *(const volatile v16 *)src; return;
	case 32: copy32(dst, src); return;
	}
	while (len) {
		size_t n = aligned_piece((uintptr_t)dst | (uintptr_t)src, len);
		copy_volatile(dst, src, n);
		dst += n;
		src += n;
		len -= n;
	}
}

static int direct_read(const struct region *r, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	copy_volatile(buf, (char *)r->real + off, len);
	return 0;
}

static int direct_write(const struct region *r, uint64_t off, size_t len, const void *buf)
{
	/* runs in the signal handler */
	copy_volatile((char *)r->real + off, buf, len);
	return 0;
}

const struct backend backend_direct = { "direct", direct_usable, direct_read, direct_write };
