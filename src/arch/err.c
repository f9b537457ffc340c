#include "err.h"

static const char *const texts[MMIO_E_COUNT] = {
	[MMIO_OK] = "no error",
	[MMIO_E_DECODE] = "cannot decode the instruction",
	[MMIO_E_UNSUPPORTED] = "instruction not supported on device memory",
	[MMIO_E_ATOMIC] = "atomic or interlocked instruction on device memory",
	[MMIO_E_UNALIGNED] = "unaligned access (MMIOSHIM_UNALIGNED=split allows it)",
	[MMIO_E_RANGE] = "access runs past the end of the mapping",
	[MMIO_E_PROT] = "access not allowed by the mapping's protection",
	[MMIO_E_DEVICE] = "the device access failed",
	[MMIO_E_FAULT] = "the memory operand is not accessible",
};

const char *err_text(int err)
{
	if (err < 0 || err >= MMIO_E_COUNT || !texts[err])
		return "unknown error";
	return texts[err];
}
