/* What every part of the shim leans on: a formatter and messages that are
 * safe in a signal handler, and the next definitions of the functions the
 * shim interposes (so that its own calls never come back to itself). */
#ifndef MMIOSHIM_SUPPORT_H
#define MMIOSHIM_SUPPORT_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <sys/types.h>

struct __jmp_buf_tag;
struct ucontext_t;

#define EXPORT __attribute__((visibility("default")))

/* fmt.c — %s %c %d %i %u %x %X %p %%, flags '#' '0' '-', width, precision,
 * l ll z h hh j t; safe in a signal handler */
int fmt_v(char *buf, size_t size, const char *f, va_list ap);
int fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* log.c — messages on stderr, one write(2) each; safe in a signal handler */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
extern enum log_level log_level;	/* MMIOSHIM_LOG */
void log_msg(enum log_level level, const char *f, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* A bad setting: the message, then _exit(2) before the program runs on. */
void log_usage_exit(const char *f, ...) __attribute__((format(printf, 1, 2), noreturn));

/* real.c — the next definitions of what the shim interposes */
struct real_fns {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*mprotect)(void *, size_t, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	long (*syscall)(long, ...);
	/* sigjump.c */
	void (*siglongjmp)(struct __jmp_buf_tag *, int);
	void (*longjmp)(struct __jmp_buf_tag *, int);
	void (*longjmp_chk)(struct __jmp_buf_tag *, int);
	int (*setcontext)(const struct ucontext_t *);
	int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	ssize_t (*pread_chk)(int, void *, size_t, off_t, size_t);
	/* altstack.c */
	int (*sigaltstack)(const stack_t *, stack_t *);
	/* exit.c */
	void (*_exit)(int) __attribute__((noreturn));
};
extern struct real_fns real;
void real_init(void);

#endif
