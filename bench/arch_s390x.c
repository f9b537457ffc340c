/* s390x: the code of the generated first-time sites and the shim's
 * backends this architecture has. */
#include "bench.h"

/* l %r2,0(%r2); br %r14      st %r3,0(%r2); br %r14 */
const struct site_code site_load = { 6, { 0x58, 0x20, 0x20, 0x00, 0x07, 0xfe } };
const struct site_code site_store = { 6, { 0x50, 0x30, 0x20, 0x00, 0x07, 0xfe } };

const struct backend_part backends[] = {
	{ "region", 0, "BAR0 SCRATCH (regs), MMIOSIM_MMAP=none: pread/pwrite", { "MMIOSIM_MMAP=none", NULL } },
	{ "syscall", 0, "BAR0 SCRATCH (regs), s390_pci_mmio_read/write", { "MMIOSHIM_BACKEND=syscall", NULL } },
};
const size_t nbackends = sizeof(backends) / sizeof(backends[0]);
