/* Why an access could not be emulated. Shared by the core, the decoders and
 * the backends; err_text() gives the words used in messages. */
#ifndef MMIOSHIM_ERR_H
#define MMIOSHIM_ERR_H

enum mmio_err {
	MMIO_OK = 0,
	MMIO_E_DECODE,		/* the decoder cannot decode the bytes */
	MMIO_E_UNSUPPORTED,	/* decoded, but not emulated on device memory */
	MMIO_E_ATOMIC,		/* atomic or interlocked instruction on device memory */
	MMIO_E_UNALIGNED,	/* unaligned access (see MMIOSHIM_UNALIGNED) */
	MMIO_E_RANGE,		/* the access runs past the end of the mapping */
	MMIO_E_PROT,		/* the mapping's protection forbids the access */
	MMIO_E_DEVICE,		/* the backend's access failed */
	MMIO_E_FAULT,		/* an ordinary-memory operand is not accessible */
	MMIO_E_COUNT
};

const char *err_text(int err);

#endif
