/* Named fixes for driver bugs outside BAR accesses that stop a driver on
 * this host, absorbed where the shim sees the driver's configuration-space
 * traffic (compat.c). Never used in the signal handler. */
#ifndef MMIOSHIM_COMPAT_H
#define MMIOSHIM_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include "vfio.h"

/* After a read of n bytes at config offset off of the device: what the
 * driver saw. */
void compat_config_read(struct device *d, uint64_t off, const void *buf, size_t n);
/* Before a write of n bytes at config offset off: the bytes to send, either
 * buf or fixed[] (filled) when a fix applies. */
const void *compat_config_write(struct device *d, uint64_t off, const void *buf, size_t n, uint8_t fixed[2]);

#endif
