/* The path of one trapped access: fault -> region -> decode -> emulate ->
 * resume. Anything that is not an access to a trapped mapping goes to the
 * application as if the shim were not there. */
#include <dlfcn.h>
#include <errno.h>
#include <time.h>

#include "arch.h"
#include "fault.h"
#include "regions.h"
#include "signals.h"
#include "support.h"
#include "trace.h"

/* One line saying what could not be done, where and why. */
static void report(const struct insn *in, const ucontext_t *uc, const struct region *r, int err)
{
	/* runs in the signal handler, on the way to the process's death */
	uint64_t pc = arch_pc(uc);
	uint64_t addr = arch_data_address(in, uc);
	char where[320] = "";
	Dl_info dli;
	char desc[300];

	/* dladdr takes the loader's lock; the faulting thread was running driver
	 * code, not the loader, so it cannot hold it, and we are about to die. */
	if (symbols_describe((uintptr_t)pc, desc, sizeof(desc), false)) {
		fmt(where, sizeof(where), " (%s)", desc);
	} else if (dladdr((void *)pc, &dli) && dli.dli_fname) {
		if (dli.dli_sname)
			fmt(where, sizeof(where), " (%s+0x%lx in %s)", dli.dli_sname,
			    (unsigned long)(pc - (uintptr_t)dli.dli_saddr), dli.dli_fname);
		else
			fmt(where, sizeof(where), " (in %s)", dli.dli_fname);
	}
	struct region at = *r;
	if (addr)
		region_lookup((uintptr_t)addr, &at);
	uint64_t off = addr >= at.guard ? addr - at.guard + at.bar_off : 0;
	log_error("cannot emulate `%s` at 0x%llx%s: address 0x%llx, device %s BAR%d offset 0x%llx: %s",
		  in->text[0] ? in->text : "(undecodable)", (unsigned long long)pc, where,
		  (unsigned long long)addr, at.label.bdf, at.label.bar, (unsigned long long)off, err_text(err));
}

/* Which instruction faulted, and is it on a trapped mapping? The
 * architecture says where the instruction is and whether si_addr lies in
 * the accessed page (exact on x86_64, page-granular on s390x) or the data
 * address must come from the decoded operands. */
static const struct insn *ours(int sig, siginfo_t *si, ucontext_t *uc, struct insn *scratch,
			       struct region *r, int *err)
{
	/* runs in a signal handler */
	uint64_t pc;
	enum arch_fault_addr how;

	if (!arch_fault_site(sig, si, uc, &pc, &how))
		return NULL;
	if (how == ARCH_ADDR_IN_PAGE) {
		if (!region_lookup((uintptr_t)si->si_addr, r))
			return NULL;
		return decoder_get(pc, scratch, err);
	}
	const struct insn *in = decoder_get(pc, scratch, err);
	if (*err || !region_lookup((uintptr_t)arch_data_address(in, uc), r))
		return NULL;
	return in;
}

void fault_handler(int sig, siginfo_t *si, void *ucv)
{
	/* runs in a signal handler */
	int saved_errno = errno;
	ucontext_t *uc = ucv;
	struct region r;
	struct insn scratch;
	int err = 0;
	struct timespec start;

	if (stats_enabled())
		clock_gettime(CLOCK_MONOTONIC, &start);
	const struct insn *in = ours(sig, si, uc, &scratch, &r, &err);
	if (!in) {
		signals_forward(sig, si, uc);
		goto out;
	}
	if (!err) {
		struct io_ctx ctx = { in, &r };
		struct mmio_io io = shim_io;
		io.ctx = &ctx;
		err = arch_emulate(in, uc, &io);
	}
	if (err == MMIO_E_PROT) {
		/* the driver's own mapping forbids it: the fault it would get anyway */
		signals_forward(sig, si, uc);
	} else if (err) {
		report(in, uc, &r, err);
		signals_die(sig, si, uc);
	} else if (stats_enabled()) {
		stats_fault(&start);
	}
out:
	errno = saved_errno;
}
