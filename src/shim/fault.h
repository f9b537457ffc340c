/* The path of one trapped access: the handler (fault.c), the decode cache
 * over capstone (decoder.c, csmem.c) and the emulator's view of memory
 * (io.c). */
#ifndef MMIOSHIM_FAULT_H
#define MMIOSHIM_FAULT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fault.c — the handler of the owned signals */
void fault_handler(int sig, siginfo_t *si, void *uc);

/* csmem.c — capstone's memory, safe in the handler (CS_OPT_MEM) */
void csmem_setup(void);
bool csmem_ready(void);	/* did capstone take it? (decoder_init says if not) */
void csmem_fork_prepare(void);
void csmem_fork_done(void);

/* decoder.c — capstone handles and the decode cache */
struct insn;
int decoder_init(void);
/* fork: no decode in flight, no handle held, in parent and child */
void decoder_fork_prepare(void);
void decoder_fork_done(void);
/* The decoded instruction at pc, from the cache or decoded now (into
 * *scratch when the cache has no room). *err is 0 or an enum mmio_err.
 * Runs in the handler. */
const struct insn *decoder_get(uint64_t pc, struct insn *scratch, int *err);

/* io.c — the emulator's view of memory */
struct mmio_io;
struct region;
extern const struct mmio_io shim_io;
/* what the fault path knows about the access, as shim_io's ctx */
struct io_ctx {
	const struct insn *in;
	const struct region *fault_region;
};
void io_init(void);
/* Is pc in the C library's code (memcpy and friends: block copies)? May
 * run in a signal handler. */
bool io_in_libc(uint64_t pc);
int io_mmio_call(const struct region *r, uintptr_t addr, void *buf, size_t len, bool write, uint64_t pc);

#endif
