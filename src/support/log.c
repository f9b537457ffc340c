/* Messages on stderr. Each is formatted on the stack and written with one
 * write(2), so it is safe in the signal handler and lines from several
 * threads never interleave. */
#include <errno.h>
#include <unistd.h>

#include "support.h"

enum log_level log_level = LOG_WARN;

static void log_v(const char *f, va_list ap)
{
	/* may run in a signal handler */
	int saved = errno;
	char buf[1024];
	size_t n = (size_t)fmt(buf, sizeof(buf), "mmioshim: ");
	int m = fmt_v(buf + n, sizeof(buf) - n - 1, f, ap);

	n += (size_t)m < sizeof(buf) - n - 1 ? (size_t)m : sizeof(buf) - n - 2;
	buf[n++] = '\n';
	for (size_t done = 0; done < n;) {
		ssize_t w = write(STDERR_FILENO, buf + done, n - done);
		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0)
			done += (size_t)w;
	}
	errno = saved;
}

void log_msg(enum log_level level, const char *f, ...)
{
	/* may run in a signal handler */
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, f);
	log_v(f, ap);
	va_end(ap);
}

void log_usage_exit(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	log_v(f, ap);
	va_end(ap);
	_exit(2);
}
