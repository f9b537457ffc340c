/* The debug trace: every emulated device access, and every map and unmap,
 * one record each in the chosen format (text.c, mmiotrace.c, jsonl.c).
 * Records are formatted on the stack and written with one write(2) from the
 * handler itself, so the trace is complete up to a crash and records of
 * several threads never mix. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "early_getenv.h"
#include "formats.h"
#include "support.h"

static const struct trace_format *const formats[] = { &trace_text, &trace_mmiotrace, &trace_jsonl };
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static int trace_fd = -1;
static const struct trace_format *format = &trace_text;
static struct timespec t0;

bool trace_enabled(void)
{
	return trace_fd >= 0;
}

size_t trace_fitted(int n, size_t size)
{
	/* may run in a signal handler */
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static void emit(const char *buf, size_t n)
{
	/* may run in a signal handler */
	while (n) {
		ssize_t w = write(trace_fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static struct trace_when now(void)
{
	/* may run in a signal handler */
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	long long ns = (t.tv_sec - t0.tv_sec) * 1000000000ll + (t.tv_nsec - t0.tv_nsec);
	if (ns < 0)
		ns = 0;
	return (struct trace_when){ (unsigned long)(ns / 1000000000), (unsigned long)(ns % 1000000000 / 1000),
				    (int)syscall(SYS_getpid), (int)syscall(SYS_gettid) };
}

static const struct trace_format *format_named(const char *name)
{
	for (size_t i = 0; i < N_FORMATS; i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	log_usage_exit("MMIOSHIM_TRACE_FORMAT=%s: accepted values: text|mmiotrace|jsonl", name);
}

static int open_file(const char *path, bool append)
{
	if (!strcmp(path, "-"))
		return real.fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
	int fd = real.open(path, flags, 0600);
	if (fd < 0)
		log_usage_exit("MMIOSHIM_TRACE=%s: cannot create the trace file: %s%s", path, strerror(errno),
			       errno == ELOOP ? " (it is a symbolic link, which is refused)" : "");
	/* keep O_APPEND semantics between threads and forked children */
	if (!append)
		real.fcntl(fd, F_SETFL, O_APPEND);
	return fd;
}

/* One clock for one trace: the process that creates the file starts it
 * and passes its start on; the processes that append (its children, a
 * chain of commands) count from the same start, so that the times of one
 * file compare. A monotonic clock: the same in every process of a boot. */
static void start_clock(bool appending)
{
	const char *v = early_getenv("MMIOSHIM_TRACE_START");

	if (appending && v && *v) {
		char *end;
		errno = 0;
		long long sec = strtoll(v, &end, 10);
		long nsec = *end == '.' ? strtol(end + 1, &end, 10) : -1;
		if (errno || *end || sec < 0 || nsec < 0 || nsec > 999999999)
			log_usage_exit("MMIOSHIM_TRACE_START=%s is not valid: it is set by the process that "
				       "creates the trace (SECONDS.NANOSECONDS of CLOCK_MONOTONIC)", v);
		t0 = (struct timespec){ .tv_sec = (time_t)sec, .tv_nsec = nsec };
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char start[48];
	snprintf(start, sizeof(start), "%lld.%09ld", (long long)t0.tv_sec, (long)t0.tv_nsec);
	setenv("MMIOSHIM_TRACE_START", start, 1);
}

void trace_init(void)
{
	const char *path = early_getenv("MMIOSHIM_TRACE");
	const char *fmt_env = early_getenv("MMIOSHIM_TRACE_FORMAT");
	const char *append = early_getenv("MMIOSHIM_TRACE_APPEND");
	const char *spec = early_getenv("MMIOSHIM_TRACE_FILTER");

	if (fmt_env && *fmt_env)
		format = format_named(fmt_env);
	if (append && *append && strcmp(append, "0") && strcmp(append, "1"))
		log_usage_exit("MMIOSHIM_TRACE_APPEND=%s: accepted values: 0|1", append);
	if (spec && *spec)
		filter_parse(spec);
	if (!path || !*path)
		return;
	bool appending = append && !strcmp(append, "1");
	trace_fd = open_file(path, appending);
	start_clock(appending);
	/* the first process truncates; the processes it starts (sh -c 'drv;
	 * drv', make) inherit the variable and append to the same trace */
	if (!appending && strcmp(path, "-"))
		setenv("MMIOSHIM_TRACE_APPEND", "1", 1);
	if (format->header) {
		char line[64];
		emit(line, format->header(line, sizeof(line)));
	}
}

void trace_where(char *buf, size_t size, uint64_t pc, bool json)
{
	/* may run in a signal handler */
	if (!symbols_describe((uintptr_t)pc, buf, size, json))
		fmt(buf, size, json ? "null" : "?");
}

void trace_access(const struct bar_label *at, uint64_t off, size_t len, uint64_t val, bool write, uint64_t pc)
{
	/* runs in the signal handler */
	struct trace_access_rec a = { at, off, len, val, write ? 'W' : 'R', pc };
	char line[512];

	if (trace_fd < 0 || !filter_match(at, off, len, a.dir))
		return;
	struct trace_when w = now();
	emit(line, format->access(line, sizeof(line), &w, &a));
}

void trace_map(const struct bar_label *at, uint64_t off, size_t len, uintptr_t addr, const char *backend, bool map)
{
	struct trace_map_rec m = { at, off, len, addr, backend, map };
	char line[1536];

	if (trace_fd < 0)
		return;
	struct trace_when w = now();
	emit(line, format->map(line, sizeof(line), &w, &m));
}

void trace_mark_text(char *out, size_t size, const char *text, bool words)
{
	size_t k = 0;

	for (const char *c = text; *c && k + 5 < size; c++) {
		bool word_start = c == text || c[-1] == ' ';
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
			k += (size_t)fmt(out + k, size - k, "\\x%02x", (unsigned char)*c);
		else if (words && word_start && (*c == 'R' || *c == 'W') && (c[1] == ' ' || !c[1]))
			k += (size_t)fmt(out + k, size - k, "\\%c", *c);
		else
			out[k++] = *c;
	}
	out[k] = '\0';
}

void trace_compat_words(char *out, size_t size, const struct trace_compat_rec *c)
{
	fmt(out, size, "compat %s config 0x%llx len %zu wrote 0x%0*llx sent 0x%0*llx fix %s", c->bdf,
	    (unsigned long long)c->off, c->len, (int)c->len * 2, (unsigned long long)c->wrote, (int)c->len * 2,
	    (unsigned long long)c->sent, c->fix);
}

void trace_compat(const char *bdf, uint64_t off, size_t len, uint64_t wrote, uint64_t sent, const char *fix)
{
	struct trace_compat_rec c = { bdf, off, len, wrote, sent, fix };
	char line[512];

	if (trace_fd < 0)
		return;
	struct trace_when w = now();
	emit(line, format->compat(line, sizeof(line), &w, &c));
}

void trace_mark(const char *text)
{
	char line[600];

	if (trace_fd < 0 || !text)
		return;
	struct trace_when w = now();
	emit(line, format->mark(line, sizeof(line), &w, text));
}
