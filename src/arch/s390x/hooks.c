/* s390x answers to the shim. A guard page gives SIGSEGV at the instruction
 * (si_addr page-granular); a plain access to a real BAR mapping gives
 * SIGILL ILL_ILLADR with si_addr at the instruction and the PSW already
 * past it: the data address then comes from the decoded operands. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"

#ifndef __NR_s390_pci_mmio_write
#define __NR_s390_pci_mmio_write 352
#define __NR_s390_pci_mmio_read 353
#endif

bool arch_mmio_syscall(long nr, const long args[6], struct arch_mmio_call *c)
{
	/* may run in a signal handler */
	if (nr != __NR_s390_pci_mmio_write && nr != __NR_s390_pci_mmio_read)
		return false;
	*c = (struct arch_mmio_call){ (uintptr_t)args[0], (void *)args[1], (size_t)args[2],
				      nr == __NR_s390_pci_mmio_write };
	return true;
}

const int arch_owned_signals[] = { SIGSEGV, SIGILL };
const unsigned arch_n_owned = sizeof(arch_owned_signals) / sizeof(arch_owned_signals[0]);

bool arch_fault_site(int sig, const siginfo_t *si, const ucontext_t *uc, uint64_t *pc,
		     enum arch_fault_addr *addr)
{
	/* runs in a signal handler */
	if (si->si_code <= 0)
		return false;
	if (sig == SIGSEGV) {
		*pc = arch_pc(uc);
		*addr = ARCH_ADDR_IN_PAGE;
		return true;
	}
	if (sig == SIGILL && si->si_code == ILL_ILLADR) {
		*pc = (uintptr_t)si->si_addr;
		*addr = ARCH_ADDR_FROM_OPERANDS;
		return true;
	}
	return false;
}

void *arch_raw_mmap(size_t len)
{
	/* may run in a signal handler; s390x passes the six arguments of mmap
	 * in a block */
	unsigned long args[6] = { 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1, 0 };
	return (void *)syscall(SYS_mmap, args);
}
