/* What the interposed memory calls do to device mappings (map.c). */
#ifndef MMIOSHIM_MAP_H
#define MMIOSHIM_MAP_H

#include <stddef.h>
#include <sys/types.h>

struct device;
void *map_device(void *addr, size_t len, int prot, int flags, int fd, off_t off, struct device *dev);
int map_unmap(void *addr, size_t len);
void *map_remap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);
int map_protect(void *addr, size_t len, int prot);

#endif
