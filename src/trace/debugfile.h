/* Private to src/trace: a stripped object's separate debug file. */
#ifndef MMIOSHIM_DEBUGFILE_H
#define MMIOSHIM_DEBUGFILE_H

struct Elf;
/* The debug file of the object at path (found by build ID or
 * .gnu_debuglink, as gdb finds it), opened read-only, or -1. */
int debugfile_open(struct Elf *elf, const char *path);

#endif
