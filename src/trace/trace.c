/* The debug trace: every emulated device access, and every map and unmap,
 * one record each in the chosen format (text.c, mmiotrace.c, jsonl.c).
 * Records are formatted on the stack and written with one write(2) from the
 * handler itself, so the trace is complete up to a crash and records of
 * several threads never mix. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* Records that could not be written: the first failure is said at once,
 * the count at exit. Per process (a forked child counts its own). */
static atomic_ulong lost, written;
static atomic_int lost_errno;
static const char *trace_path;
static pid_t tracing;	/* the process these counts are of */

static void emit(const char *buf, size_t n)
{
	/* may run in a signal handler */
	while (n) {
		ssize_t w = write(trace_fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			if (atomic_fetch_add(&lost, 1) == 0) {
				atomic_store(&lost_errno, e);
				log_error("trace %s: a record could not be written (%s): the records that cannot be "
					  "written are lost, their number is said at exit",
					  trace_path, strerrorname_np(e) ? strerrorname_np(e) : "error");
			}
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
	atomic_fetch_add_explicit(&written, 1, memory_order_relaxed);
}

/* One record: n bytes of a line that a format made in buf of size bytes;
 * a record cut by the size still ends its line. */
static void record(char *buf, size_t size, size_t n)
{
	/* may run in a signal handler */
	if (n == 0)
		return;
	if (n >= size - 1 && buf[n - 1] != '\n')
		buf[n - 1] = '\n';
	emit(buf, n);
}

void trace_exit(void)
{
	if (trace_fd < 0 || getpid() != tracing)
		return;	/* a vfork child shares the parent's counts */
	filter_exit();
	unsigned long l = atomic_exchange(&lost, 0);
	if (!l)
		return;
	int e = atomic_load(&lost_errno);
	log_error("trace %s: %lu of %lu records lost (%s)", trace_path, l, l + atomic_load(&written),
		  strerror(e));
}

static void forked_child(void)
{
	tracing = getpid();
	atomic_store(&lost, 0);
	atomic_store(&written, 0);
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
	trace_path = strcmp(path, "-") ? path : "on standard error";
	tracing = getpid();
	pthread_atfork(NULL, NULL, forked_child);
	atexit(trace_exit);
	start_clock(appending);
	/* the first process truncates; the processes it starts (sh -c 'drv;
	 * drv', make) inherit the variable and append to the same trace */
	if (!appending && strcmp(path, "-"))
		setenv("MMIOSHIM_TRACE_APPEND", "1", 1);
	if (format->header) {
		char line[64];
		record(line, sizeof(line), format->header(line, sizeof(line)));
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
	char line[SYMBOLS_DESCRIBED + 256];

	if (trace_fd < 0 || !filter_match(at, off, len, a.dir))
		return;
	struct trace_when w = now();
	record(line, sizeof(line), format->access(line, sizeof(line), &w, &a));
}

void trace_map(const struct bar_label *at, uint64_t off, size_t len, uintptr_t addr, const char *backend, bool map)
{
	struct trace_map_rec m = { at, off, len, addr, backend, map };
	char line[1536];

	if (trace_fd < 0)
		return;
	filter_note_map(at);
	struct trace_when w = now();
	record(line, sizeof(line), format->map(line, sizeof(line), &w, &m));
}

/* The length of the UTF-8 sequence at c (RFC 3629: no overlong forms, no
 * surrogates, nothing beyond U+10FFFF), 0 if it is not one. */
static size_t utf8_length(const unsigned char *c)
{
	/* may run in a signal handler */
	unsigned lo = 0x80, hi = 0xbf;
	size_t n;

	if (c[0] >= 0xc2 && c[0] <= 0xdf)
		n = 2;
	else if (c[0] >= 0xe0 && c[0] <= 0xef)
		n = 3, lo = c[0] == 0xe0 ? 0xa0 : 0x80, hi = c[0] == 0xed ? 0x9f : 0xbf;
	else if (c[0] >= 0xf0 && c[0] <= 0xf4)
		n = 4, lo = c[0] == 0xf0 ? 0x90 : 0x80, hi = c[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (c[1] < lo || c[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (c[i] < 0x80 || c[i] > 0xbf)
			return 0;
	return n;
}

/* Append piece (n bytes) to out, keeping room for "..." and the nul; false
 * when it does not fit, and then out ends in "...". */
static bool put_piece(char *out, size_t size, size_t *k, const char *piece, size_t n)
{
	/* may run in a signal handler */
	if (*k + n + 4 > size) {
		if (*k + 4 <= size) {
			memcpy(out + *k, "...", 3);
			*k += 3;
		}
		return false;
	}
	memcpy(out + *k, piece, n);
	*k += n;
	return true;
}

void trace_mark_text(char *out, size_t size, const char *text, bool words)
{
	/* may run in a signal handler */
	size_t k = 0;

	for (const char *c = text; *c; c++) {
		bool word_start = c == text || c[-1] == ' ';
		char piece[8];
		size_t n = 1;
		piece[0] = *c;
		size_t seq = (unsigned char)*c >= 0x80 ? utf8_length((const unsigned char *)c) : 1;
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\' || !seq) {
			n = (size_t)fmt(piece, sizeof(piece), "\\x%02x", (unsigned char)*c);
		} else if (seq > 1) {
			memcpy(piece, c, seq);
			n = seq;
			c += seq - 1;
		} else if (words && word_start && (*c == 'R' || *c == 'W') && (c[1] == ' ' || !c[1])) {
			n = (size_t)fmt(piece, sizeof(piece), "\\%c", *c);
		}
		if (!put_piece(out, size, &k, piece, n))
			break;
	}
	out[k] = '\0';
}

void trace_json_text(char *out, size_t size, const char *text)
{
	/* may run in a signal handler */
	size_t k = 0;

	for (const unsigned char *c = (const unsigned char *)text; *c;) {
		char piece[8];
		size_t n = 1, used = 1;
		piece[0] = (char)*c;
		if (*c == '"' || *c == '\\') {
			piece[0] = '\\';
			piece[1] = (char)*c;
			n = 2;
		} else if (*c < 0x20 || *c == 0x7f) {
			n = (size_t)fmt(piece, sizeof(piece), "\\u%04x", *c);
		} else if (*c >= 0x80) {
			used = utf8_length(c);
			if (used) {
				memcpy(piece, c, used);
				n = used;
			} else {
				memcpy(piece, "\\ufffd", 6);
				n = 6;
				used = 1;
			}
		}
		if (!put_piece(out, size, &k, piece, n))
			break;
		c += used;
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
	record(line, sizeof(line), format->compat(line, sizeof(line), &w, &c));
}

void trace_mark(const char *text)
{
	char line[600];

	if (trace_fd < 0 || !text)
		return;
	struct trace_when w = now();
	record(line, sizeof(line), format->mark(line, sizeof(line), &w, text));
}
