/* The fault handler's place among the application's signal handling
 * (signals.c). */
#ifndef MMIOSHIM_SIGNALS_H
#define MMIOSHIM_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

void signals_install(void);
bool signals_owned(int sig);
/* Run in a signal handler: deliver a fault that is not ours as without the
 * shim; or one we cannot emulate, which then kills as it would have. */
void signals_forward(int sig, siginfo_t *si, void *uc);
void signals_die(int sig, siginfo_t *si, void *uc);

#endif
