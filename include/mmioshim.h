/* mmioshim's public interface. A driver never needs it: look the symbols up
 * with dlsym(RTLD_DEFAULT, ...) so that the program runs without the shim. */
#ifndef MMIOSHIM_H
#define MMIOSHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when libmmioshim.so is loaded and has trapped at least one BAR mapping,
 * 0 when it is loaded but has trapped nothing yet. */
int mmioshim_active(void);

/* Write a marker line into the trace (MMIOSHIM_TRACE), e.g. "reset done";
 * a MARK line in the mmiotrace format. Not for use in a signal handler. */
void mmioshim_mark(const char *text);

#ifdef __cplusplus
}
#endif

#endif
