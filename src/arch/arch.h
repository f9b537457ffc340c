/* The architecture interface: decode one faulting instruction into an
 * arch-neutral description, and emulate it against the saved registers.
 * One implementation per architecture under src/arch/<name>/. */
#ifndef MMIOSHIM_ARCH_H
#define MMIOSHIM_ARCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>
#include <capstone/capstone.h>

#include "err.h"

enum insn_kind {
	INSN_LOAD,	/* device -> register */
	INSN_STORE,	/* register or immediate -> device */
	INSN_RMW,	/* read, modify, write back (or/and/add ... with memory destination) */
	INSN_CMP,	/* read, set flags / condition code only */
	INSN_COPY,	/* string or block copy: rep movs/stos, MVC */
};

/* One decoded instruction. Built once per instruction address and cached,
 * so it must not hold pointers into the capstone buffer. */
struct insn {
	uint64_t pc;
	uint8_t len;		/* instruction length in bytes */
	uint8_t kind;		/* enum insn_kind */
	uint8_t width;		/* bytes of one device access (1..64) */
	uint8_t refuse;		/* enum mmio_err if it can never be emulated, else 0 */
	/* A string instruction (rep movs/stos): the bytes of each element,
	 * which the emulator moves one by one, each a device access of that
	 * width. 0: no element structure (or a block copy of the C library,
	 * which the shim performs in naturally aligned pieces). */
	uint8_t element;
	char text[64];		/* "mnemonic operands", for messages */
	unsigned char arch[96];	/* decoded operands, private to the architecture */
};

/* How the emulator reaches memory. An address inside a trapped mapping goes
 * to the device backend; any other address is ordinary memory. Both return
 * 0 or an enum mmio_err. Run in the signal handler. */
struct mmio_io {
	int (*read)(const struct mmio_io *io, uint64_t addr, size_t len, void *buf);
	int (*write)(const struct mmio_io *io, uint64_t addr, size_t len, const void *buf);
	void *ctx;
	/* Optional (may be NULL): before an instruction that makes several
	 * accesses, is the whole operand [addr, addr+len) usable? Returns
	 * MMIO_E_RANGE when it starts in a trapped mapping and runs past its
	 * end, so that the device sees nothing of a refused instruction. */
	int (*check)(const struct mmio_io *io, uint64_t addr, size_t len);
};

static inline int io_check(const struct mmio_io *io, uint64_t addr, size_t len)
{
	return io->check ? io->check(io, addr, len) : 0;
}

/* capstone mode for this architecture (called outside the handler). */
int arch_cs_open(csh *handle);

/* Decode the instruction at code[0..avail) whose address is pc.
 * Runs in the signal handler: no allocation beyond capstone's (which goes
 * to the shim's handler-safe allocator), no stdio, no locks.
 * Returns 0 and fills *out, or an enum mmio_err (out->text still filled
 * when capstone could print something). An instruction that decodes but
 * can never be emulated (atomic, unsupported) returns 0 with out->refuse
 * set, so the refusal is cached too. */
int arch_decode(csh handle, cs_insn *scratch, const uint8_t *code, size_t avail,
		uint64_t pc, struct insn *out);

/* Perform the access described by in against the registers in uc, through
 * io, write the result back as the architecture defines it, and advance the
 * program counter past the instruction. Runs in the signal handler.
 * Returns 0 or an enum mmio_err; on error uc is left unchanged. */
int arch_emulate(const struct insn *in, ucontext_t *uc, const struct mmio_io *io);

/* The faulting instruction's address, from the saved context. */
uint64_t arch_pc(const ucontext_t *uc);

/* The data address the instruction accesses first (for messages, and for
 * architectures whose si_addr is not exact). Returns 0 if it has none. */
uint64_t arch_data_address(const struct insn *in, const ucontext_t *uc);

/* Longest instruction of the architecture, in bytes. */
#define ARCH_MAX_INSN 16

/* What the shim asks the architecture (<arch>/hooks.c). */

/* The synchronous signals the shim owns: what an access to a trapped
 * mapping raises. */
extern const int arch_owned_signals[];
extern const unsigned arch_n_owned;

/* Where a fault of an owned signal came from: the faulting instruction's
 * address, and whether si_addr lies in the accessed page (a guard page:
 * SIGSEGV) or is the instruction itself (s390x: a plain access to a real
 * BAR mapping, SIGILL ILL_ILLADR), so that the data address must come from
 * the decoded operands. False: not a fault an access can make. Runs in the
 * signal handler. */
enum arch_fault_addr { ARCH_ADDR_IN_PAGE, ARCH_ADDR_FROM_OPERANDS };
bool arch_fault_site(int sig, const siginfo_t *si, const ucontext_t *uc, uint64_t *pc,
		     enum arch_fault_addr *addr);

/* Anonymous read-write memory by the raw system call (mmap itself is
 * interposed, by the shim and perhaps the simulator); MAP_FAILED on error.
 * May run in a signal handler. */
void *arch_raw_mmap(size_t len);

/* A system call that reaches PCI memory by a user address (s390x:
 * s390_pci_mmio_read/write, which hand-converted drivers call on their BAR
 * mapping): the address, the buffer, the length and the direction. False
 * for every other call. May run in a signal handler. */
struct arch_mmio_call {
	uintptr_t addr;
	void *buf;
	size_t len;
	bool write;
};
bool arch_mmio_syscall(long nr, const long args[6], struct arch_mmio_call *c);

#endif
