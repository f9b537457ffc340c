/* x86_64: the load and the store whose cost is measured, inline at every
 * measured site, and what the trap floor's handler knows about them.
 * bench/meson.build picks this header (BENCH_ARCH_H) by the host's CPU
 * family; arch_x86_64.c has the rest of the architecture. */
#ifndef MMIO_BENCH_ARCH_H
#define MMIO_BENCH_ARCH_H

#include <stdint.h>
#include <ucontext.h>

#define ARCH_NAME "x86_64"
#define LOAD_TEXT "mov eax, dword ptr [rdi]"
#define STORE_TEXT "mov dword ptr [rdi], esi"

/* 8b 07: mov eax,[rdi]   89 37: mov [rdi],esi   (2 bytes each) */
static inline __attribute__((always_inline)) uint32_t load32(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=a"(v) : "D"(p) : "memory");
	return v;
}

static inline __attribute__((always_inline)) void store32(volatile void *p, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "S"(v), "D"(p) : "memory");
}

#define INSN_LEN 2

static inline int insn_known(const uint8_t *ip)
{
	return (ip[0] == 0x8b && ip[1] == 0x07) || (ip[0] == 0x89 && ip[1] == 0x37);
}

static inline uintptr_t *uc_pc(ucontext_t *uc)
{
	return (uintptr_t *)&uc->uc_mcontext.gregs[REG_RIP];
}

#endif
