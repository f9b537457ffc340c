/* The kernel's extended signal frame, from its own header (kept apart from
 * glibc's signal headers): where _sigregs_ext starts. */
#include <stddef.h>
#include <asm/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>

extern const size_t s390x_kernel_ext_offset;
const size_t s390x_kernel_ext_offset = offsetof(struct ucontext_extended, uc_mcontext_ext);
