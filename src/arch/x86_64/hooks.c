/* x86_64 answers to the shim: every trapped access faults with SIGSEGV on
 * a guard page, with the exact data address in si_addr. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"

const int arch_owned_signals[] = { SIGSEGV };
const unsigned arch_n_owned = sizeof(arch_owned_signals) / sizeof(arch_owned_signals[0]);

bool arch_fault_site(int sig, const siginfo_t *si, const ucontext_t *uc, uint64_t *pc,
		     enum arch_fault_addr *addr)
{
	/* runs in a signal handler */
	if (sig != SIGSEGV || si->si_code <= 0)
		return false;
	*pc = arch_pc(uc);
	*addr = ARCH_ADDR_IN_PAGE;
	return true;
}

bool arch_mmio_syscall(long nr, const long args[6], struct arch_mmio_call *c)
{
	/* may run in a signal handler; no such call on x86_64 */
	(void)nr;
	(void)args;
	(void)c;
	return false;
}

void *arch_raw_mmap(size_t len)
{
	/* may run in a signal handler */
	return (void *)syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
