/* s390x: a plain CPU load or store cannot reach PCI memory, so every BAR
 * mapping is trapped. auto picks, per region, the PCI MIO instructions
 * (z15 and newer, when the kernel gave us a real mapping), else the
 * s390_pci_mmio_read/write system calls on that mapping, else pread/pwrite
 * on the VFIO fd (kernels before 6.15 refuse to map BARs). */
#include <sys/auxv.h>

#include "s390x_backends.h"
#include "shim.h"

const bool arch_cpu_reaches_bars = false;

const struct backend *backend_get(enum backend_id id)
{
	switch (id) {
	case BACKEND_REGION: return &backend_region;
	case BACKEND_SYSCALL: return &backend_syscall;
	case BACKEND_MIO: return &backend_mio;
	default: return NULL;
	}
}

bool s390x_have_mio(void)
{
	return getauxval(AT_HWCAP) & HWCAP_S390_PCI_MIO_BIT;
}

enum backend_id backend_choose(const struct region *r, const char **why)
{
	if (r->real && s390x_have_mio()) {
		*why = "the kernel mapped the BAR and the CPU has the PCI MIO instructions";
		return BACKEND_MIO;
	}
	if (r->real) {
		*why = "the kernel mapped the BAR; no PCI MIO instructions (AT_HWCAP)";
		return BACKEND_SYSCALL;
	}
	*why = "the kernel cannot mmap the BAR (Linux before 6.15)";
	return BACKEND_REGION;
}
