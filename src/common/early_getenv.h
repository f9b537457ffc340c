#ifndef MMIOSHIM_EARLY_GETENV_H
#define MMIOSHIM_EARLY_GETENV_H

/* getenv that also works when called before libc has set up environ. */
const char *early_getenv(const char *name);

#endif
