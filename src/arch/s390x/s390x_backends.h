#ifndef MMIOSHIM_S390X_BACKENDS_H
#define MMIOSHIM_S390X_BACKENDS_H

#include <stdbool.h>

#include "shim.h"

/* HWCAP_S390_PCI_MIO: glibc before 2.35 does not define it */
#define HWCAP_S390_PCI_MIO_BIT (1ul << 21)
#define S390_PAGE 4096u

extern const struct backend backend_syscall, backend_mio;
bool s390x_have_mio(void);

#endif
