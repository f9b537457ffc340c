/* Private to src/backend: the backends themselves. */
#ifndef MMIOSHIM_BACKENDS_H
#define MMIOSHIM_BACKENDS_H

#include <stdbool.h>

#include "backend.h"

extern const struct backend backend_region;
extern const struct backend backend_direct;	/* x86_64 */
extern const struct backend backend_syscall;	/* s390x */
extern const struct backend backend_mio;	/* s390x */

/* s390x: does AT_HWCAP show the PCI MIO instructions (bit 21;
 * HWCAP_S390_PCI_MIO, which glibc before 2.35 does not define)? */
bool s390x_have_mio(void);
#define S390_PAGE 4096u

#endif
