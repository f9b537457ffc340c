/* s390x: the load and the store whose cost is measured, inline at every
 * measured site, and what the trap floor's handler knows about them.
 * bench/meson.build picks this header (BENCH_ARCH_H) by the host's CPU
 * family; arch_s390x.c has the rest of the architecture. */
#ifndef MMIO_BENCH_ARCH_H
#define MMIO_BENCH_ARCH_H

#include <stdint.h>
#include <ucontext.h>

#define ARCH_NAME "s390x"
#define LOAD_TEXT "l %rX,0(%rY)"
#define STORE_TEXT "st %rX,0(%rY)"

/* RX format, 4 bytes: 58 (l) and 50 (st) */
static inline __attribute__((always_inline)) uint32_t load32(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("l %0,0(%1)" : "=d"(v) : "a"(p) : "memory");
	return v;
}

static inline __attribute__((always_inline)) void store32(volatile void *p, uint32_t v)
{
	__asm__ volatile("st %0,0(%1)" : : "d"(v), "a"(p) : "memory");
}

#define INSN_LEN 4

static inline int insn_known(const uint8_t *ip)
{
	return (ip[0] == 0x58 || ip[0] == 0x50) && (ip[2] & 0x0f) == 0 && ip[3] == 0 && (ip[1] & 0x0f) == 0;
}

static inline uintptr_t *uc_pc(ucontext_t *uc)
{
	return (uintptr_t *)&uc->uc_mcontext.psw.addr;
}

#endif
