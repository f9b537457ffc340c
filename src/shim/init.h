/* Start-up and the MMIOSHIM_* settings (init.c, config.c). */
#ifndef MMIOSHIM_INIT_H
#define MMIOSHIM_INIT_H

#include "backend.h"

enum trap_mode { TRAP_AUTO, TRAP_ALL };
enum unaligned_mode { UNALIGNED_REFUSE, UNALIGNED_SPLIT };
enum compat_mode { COMPAT_AUTO, COMPAT_NONE };	/* compat.c */

struct config {
	enum backend_id backend;
	enum trap_mode trap;
	enum unaligned_mode unaligned;
	enum compat_mode compat;
};
extern struct config cfg;

/* Parse the environment; a bad value ends the process with status 2. */
void config_load(void);
/* Once, from the constructor or the first interposed call. */
void shim_ensure_init(void);
/* fork.c: once, at the first trapped mapping */
void fork_init(void);

#endif
