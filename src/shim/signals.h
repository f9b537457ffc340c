/* The fault handler's place among the application's signal handling
 * (signals.c). */
#ifndef MMIOSHIM_SIGNALS_H
#define MMIOSHIM_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

void signals_install(void);
bool signals_owned(int sig);
/* Run in a signal handler: deliver a fault that is not ours as without the
 * shim; or one we cannot emulate, which then kills as it would have. */
void signals_forward(int sig, siginfo_t *si, void *uc);
void signals_die(int sig, siginfo_t *si, void *uc);

/* sigjump.c tells: the thread jumps out of the application handlers it is
 * in (siglongjmp, longjmp, setcontext); mask_restored when the jump sets
 * the signal mask saved before them. May run in a signal handler. */
void signals_left_handlers(bool mask_restored);
/* The owned signals this thread's program believes blocked, for a new
 * thread to inherit. */
void signals_thread_view(sigset_t *view);
void signals_set_thread_view(const sigset_t *view);
bool signals_view_blocks_any(const sigset_t *view);

/* altstack.c: where this thread's substitute alternate stack lies (false
 * when the kernel has the program's own). May run in a signal handler. */
bool altstack_substitute(void **base, size_t *size);

/* fork.c: the table's lock is held across fork */
void signals_fork_prepare(void);
void signals_fork_done(void);

#endif
