/* The direct backend: one volatile access of exactly the instruction's
 * width on the kernel's real mapping of the BAR. For tracing on
 * architectures whose CPU can reach PCI memory (x86_64; built only there). */
#include <stdint.h>

#include "backends.h"

/* aligned(1): the C library's copy routines may make unaligned scalar
 * accesses, which stay single accesses of their width */
typedef uint16_t u16 __attribute__((aligned(1)));
typedef uint32_t u32 __attribute__((aligned(1)));
typedef uint64_t u64 __attribute__((aligned(1)));
typedef uint64_t v16 __attribute__((vector_size(16), aligned(1)));
typedef uint64_t v32 __attribute__((vector_size(32), aligned(1)));

static bool direct_usable(const struct bar_io *io, const char **why)
{
	if (!io->real) {
		*why = "the kernel did not map this BAR";
		return false;
	}
	return true;
}

/* a 32-byte access exists only with AVX; a 32-byte operand comes from an
 * AVX instruction, so the CPU has it */
__attribute__((target("avx"))) static void copy32(volatile void *dst, const volatile void *src)
{
	*(volatile v32 *)dst = *(const volatile v32 *)src;
}

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

static int direct_read(const struct bar_io *io, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	copy_volatile(buf, (char *)io->real + off, len);
	return 0;
}

static int direct_write(const struct bar_io *io, uint64_t off, size_t len, const void *buf)
{
	/* runs in the signal handler */
	copy_volatile((char *)io->real + off, buf, len);
	return 0;
}

const struct backend backend_direct = { "direct", direct_usable, direct_read, direct_write };
