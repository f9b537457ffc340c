/* x86_64: the code of the generated first-time sites and the shim's
 * backends this architecture has. */
#include "bench.h"

/* uint32_t f(void *p) { mov eax,[rdi]; ret }
 * void g(void *p, uint32_t v) { mov [rdi],esi; ret } */
const struct site_code site_load = { 3, { 0x8b, 0x07, 0xc3 } };
const struct site_code site_store = { 3, { 0x89, 0x37, 0xc3 } };

const struct backend_part backends[] = {
	{ "region", 0, "BAR0 SCRATCH (regs), pread/pwrite on the device fd", { NULL } },
	{ "direct", 2, "BAR2 memory, MMIOSHIM_TRAP=all, the kernel's mapping", { "MMIOSHIM_TRAP=all", NULL } },
};
const size_t nbackends = sizeof(backends) / sizeof(backends[0]);
