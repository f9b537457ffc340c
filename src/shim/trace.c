/* The debug trace: every emulated device access, and every map and unmap,
 * one line each in the chosen format (text, Linux mmiotrace, jsonl).
 * Lines are formatted on the stack and written with one write(2) from the
 * handler itself, so the trace is complete up to a crash and lines of
 * several threads never mix. Symbols come from symbols.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "early_getenv.h"
#include "shim.h"

enum trace_format { FMT_TEXT, FMT_MMIOTRACE, FMT_JSONL };

#define FILTER_MAX 8
struct filter {
	int nbdf, nbar, noff, ndir;
	char bdf[FILTER_MAX][32];
	int bar[FILTER_MAX];
	uint64_t off_lo[FILTER_MAX], off_hi[FILTER_MAX];
	char dir[FILTER_MAX];
};

static int trace_fd = -1;
static enum trace_format format;
static struct filter filter;
static struct timespec t0;

static const char *const format_names[] = { "text", "mmiotrace", "jsonl", NULL };

bool trace_enabled(void)
{
	return trace_fd >= 0;
}

static void bad(const char *var, const char *val, const char *why)
{
	cfg.log = LOG_ERROR;
	log_error("%s=%s: %s", var, val, why);
	_exit(2);
}

static uint64_t number(const char *var, const char *all, const char *s, char **end)
{
	errno = 0;
	unsigned long long v = strtoull(s, end, 0);
	if (errno || *end == s)
		bad(var, all, "a number (decimal or 0x hex) is expected");
	return v;
}

/* dev=BDF,bar=N,off=A[-B],dir=R|W; terms with the same key are
 * alternatives, different keys must all match. */
static void parse_filter(const char *spec)
{
	static const char var[] = "MMIOSHIM_TRACE_FILTER";
	static const char accepted[] = "accepted: comma-separated dev=BDF, bar=0-5, off=N or N-M, dir=R or W";
	char buf[512], *save = NULL;

	if (strlen(spec) >= sizeof(buf))
		bad(var, spec, "too long");
	strcpy(buf, spec);
	for (char *term = strtok_r(buf, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *v = strchr(term, '='), *end;
		if (!v)
			bad(var, spec, accepted);
		*v++ = '\0';
		if (!strcmp(term, "dev") && filter.nbdf < FILTER_MAX && strlen(v) < 32) {
			strcpy(filter.bdf[filter.nbdf++], v);
		} else if (!strcmp(term, "bar") && filter.nbar < FILTER_MAX) {
			uint64_t b = number(var, spec, v, &end);
			if (*end || b > 5)
				bad(var, spec, accepted);
			filter.bar[filter.nbar++] = (int)b;
		} else if (!strcmp(term, "off") && filter.noff < FILTER_MAX) {
			uint64_t lo = number(var, spec, v, &end), hi = lo;
			if (*end == '-')
				hi = number(var, spec, end + 1, &end);
			if (*end || hi < lo)
				bad(var, spec, accepted);
			filter.off_lo[filter.noff] = lo;
			filter.off_hi[filter.noff++] = hi;
		} else if (!strcmp(term, "dir") && filter.ndir < FILTER_MAX && (!strcmp(v, "R") || !strcmp(v, "W"))) {
			filter.dir[filter.ndir++] = v[0];
		} else {
			bad(var, spec, accepted);
		}
	}
}

static bool filter_match(const struct region *r, uint64_t off, size_t len, char dir)
{
	/* runs in the signal handler */
	bool ok = !filter.nbdf;
	for (int i = 0; i < filter.nbdf && !ok; i++)
		ok = !strcmp(filter.bdf[i], r->bdf);
	bool bar = !filter.nbar;
	for (int i = 0; i < filter.nbar && !bar; i++)
		bar = filter.bar[i] == r->bar;
	bool o = !filter.noff;
	for (int i = 0; i < filter.noff && !o; i++)
		o = off <= filter.off_hi[i] && off + len - 1 >= filter.off_lo[i];
	bool d = !filter.ndir;
	for (int i = 0; i < filter.ndir && !d; i++)
		d = filter.dir[i] == dir;
	return ok && bar && o && d;
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

static void since_start(unsigned long *sec, unsigned long *usec)
{
	/* may run in a signal handler */
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ns = (now.tv_sec - t0.tv_sec) * 1000000000ll + (now.tv_nsec - t0.tv_nsec);
	*sec = (unsigned long)(ns / 1000000000);
	*usec = (unsigned long)(ns % 1000000000 / 1000);
}

static pid_t tid(void)
{
	/* may run in a signal handler */
	return (pid_t)syscall(SYS_gettid);
}

void trace_init(void)
{
	const char *path = early_getenv("MMIOSHIM_TRACE");
	const char *fmt_env = early_getenv("MMIOSHIM_TRACE_FORMAT");
	const char *append = early_getenv("MMIOSHIM_TRACE_APPEND");
	const char *spec = early_getenv("MMIOSHIM_TRACE_FILTER");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	format = FMT_TEXT;
	if (fmt_env && *fmt_env) {
		int i = 0;
		while (format_names[i] && strcmp(format_names[i], fmt_env))
			i++;
		if (!format_names[i])
			bad("MMIOSHIM_TRACE_FORMAT", fmt_env, "accepted values: text|mmiotrace|jsonl");
		format = (enum trace_format)i;
	}
	if (append && *append && strcmp(append, "0") && strcmp(append, "1"))
		bad("MMIOSHIM_TRACE_APPEND", append, "accepted values: 0|1");
	if (spec && *spec)
		parse_filter(spec);
	if (!path || !*path)
		return;
	if (!strcmp(path, "-")) {
		trace_fd = real.fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
		flags |= append && !strcmp(append, "1") ? O_APPEND : O_TRUNC;
		trace_fd = real.open(path, flags, 0600);
		if (trace_fd < 0) {
			char why[256];
			snprintf(why, sizeof(why), "cannot create the trace file: %s%s", strerror(errno),
				 errno == ELOOP ? " (it is a symbolic link, which is refused)" : "");
			bad("MMIOSHIM_TRACE", path, why);
		}
		/* keep O_APPEND semantics between threads and forked children */
		if (!(flags & O_APPEND))
			real.fcntl(trace_fd, F_SETFL, O_APPEND);
	}
	if (format == FMT_MMIOTRACE)
		emit("VERSION 20070824\n", 17);
}

/* "name+0x12 in object", "object+0x1234", or "?" (null in JSON) */
static void where(char *buf, size_t size, uint64_t pc, bool json)
{
	/* may run in a signal handler */
	if (!symbols_describe((uintptr_t)pc, buf, size, json))
		fmt(buf, size, json ? "null" : "?");
}

static void access_line(const struct region *r, uint64_t off, size_t len, uint64_t val, char dir, uint64_t pc)
{
	/* runs in the signal handler */
	char line[512], sym[320];
	unsigned long sec, usec;
	int n = 0;

	since_start(&sec, &usec);
	switch (format) {
	case FMT_TEXT:
		where(sym, sizeof(sym), pc, false);
		n = fmt(line, sizeof(line), "%lu.%06lu %d %c %zu %s BAR%d 0x%llx 0x%0*llx pc 0x%llx %s\n", sec, usec,
			tid(), dir, len, r->bdf, r->bar, (unsigned long long)(r->bar_off + off), (int)len * 2,
			(unsigned long long)val, (unsigned long long)pc, sym);
		break;
	case FMT_MMIOTRACE:
		n = fmt(line, sizeof(line), "%c %zu %lu.%06lu %d 0x%llx 0x%llx 0x%llx %d\n", dir, len, sec, usec,
			r->id, (unsigned long long)(r->phys + off), (unsigned long long)val,
			(unsigned long long)pc, tid());
		break;
	case FMT_JSONL:
		where(sym, sizeof(sym), pc, true);
		n = fmt(line, sizeof(line),
			"{\"t\": %lu.%06lu, \"tid\": %d, \"dir\": \"%c\", \"width\": %zu, \"bdf\": \"%s\", "
			"\"bar\": %d, \"offset\": %llu, \"value\": %llu, \"pc\": %llu, \"sym\": %s}\n",
			sec, usec, tid(), dir, len, r->bdf, r->bar, (unsigned long long)(r->bar_off + off),
			(unsigned long long)val, (unsigned long long)pc, sym);
		break;
	}
	emit(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void trace_access(const struct region *r, uint64_t off, size_t len, uint64_t val, bool write, uint64_t pc)
{
	/* runs in the signal handler */
	char dir = write ? 'W' : 'R';

	if (trace_fd >= 0 && filter_match(r, r->bar_off + off, len, dir))
		access_line(r, off, len, val, dir, pc);
}

/* A number from a sysfs attribute of the device (0x hex or decimal), 0 when
 * there is none. */
static unsigned sysfs_number(const char *bdf, const char *attr)
{
	char path[PATH_MAX];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%li", (long *)&v) != 1)
			v = 0;
		fclose(f);
	}
	return (unsigned)v;
}

/* The device's sysfs `resource` file: start, end and flags of the BARs and
 * the ROM; zeros where it says nothing. */
struct resource {
	unsigned long long start, end, flags;
};

static void sysfs_resources(const char *bdf, struct resource res[7])
{
	char path[PATH_MAX];
	FILE *f;

	memset(res, 0, 7 * sizeof(*res));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	if (!(f = fopen(path, "re")))
		return;
	for (int i = 0; i < 7; i++)
		if (fscanf(f, "%llx %llx %llx", &res[i].start, &res[i].end, &res[i].flags) != 3) {
			res[i] = (struct resource){ 0 };
			break;
		}
	fclose(f);
}

/* The PCIDEV line mmiotrace readers need before the device's MAP lines:
 * bus, devfn, vendor, device, irq, the BAR start addresses with their flags
 * and the lengths, as sysfs describes them. */
static void pcidev_line(const char *bdf)
{
	char line[1024];
	unsigned dom, bus, slot, fn, vendor, device, irq;
	struct resource res[7];

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return;
	vendor = sysfs_number(bdf, "vendor");
	device = sysfs_number(bdf, "device");
	irq = sysfs_number(bdf, "irq");
	sysfs_resources(bdf, res);
	int n = fmt(line, sizeof(line), "PCIDEV %02x%02x %04x%04x %x", bus, (slot << 3) | fn, vendor, device, irq);
	for (int i = 0; i < 7; i++)
		n += fmt(line + n, sizeof(line) - (size_t)n, " %llx", res[i].start | (res[i].flags & 0xf));
	for (int i = 0; i < 7; i++)
		n += fmt(line + n, sizeof(line) - (size_t)n, " %llx",
			 res[i].start ? res[i].end - res[i].start + 1 : 0);
	n += fmt(line + n, sizeof(line) - (size_t)n, " vfio-pci\n");
	emit(line, (size_t)n);
}

/* The bus address of a BAR, from sysfs; 0 when unknown. */
uint64_t trace_bar_phys(const char *bdf, int bar)
{
	struct resource res[7];

	sysfs_resources(bdf, res);
	return bar >= 0 && bar < 7 ? res[bar].start : 0;
}

void trace_map(const struct region *r, bool map)
{
	static char seen[16][32];
	static int nseen;
	char line[512];
	unsigned long sec, usec;
	int n = 0;

	if (trace_fd < 0)
		return;
	since_start(&sec, &usec);
	switch (format) {
	case FMT_TEXT:
		n = map ? fmt(line, sizeof(line), "%lu.%06lu %d map %s BAR%d 0x%llx len 0x%zx at %p backend %s\n", sec,
			      usec, tid(), r->bdf, r->bar, (unsigned long long)r->bar_off, r->len, (void *)r->guard,
			      backend_name(r->backend))
			: fmt(line, sizeof(line), "%lu.%06lu %d unmap %s BAR%d 0x%llx len 0x%zx at %p\n", sec, usec,
			      tid(), r->bdf, r->bar, (unsigned long long)r->bar_off, r->len, (void *)r->guard);
		break;
	case FMT_MMIOTRACE: {
		bool known = false;
		for (int i = 0; i < nseen && !known; i++)
			known = !strcmp(seen[i], r->bdf);
		if (map && !known) {
			if (nseen < 16)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s", r->bdf);
			pcidev_line(r->bdf);
		}
		n = map ? fmt(line, sizeof(line), "MAP %lu.%06lu %d 0x%llx 0x%lx 0x%zx 0x0 %d\n", sec, usec, r->id,
			      (unsigned long long)r->phys, (unsigned long)r->guard, r->len, tid())
			: fmt(line, sizeof(line), "UNMAP %lu.%06lu %d 0x0 %d\n", sec, usec, r->id, tid());
		break;
	}
	case FMT_JSONL:
		n = fmt(line, sizeof(line),
			"{\"t\": %lu.%06lu, \"tid\": %d, \"event\": \"%s\", \"bdf\": \"%s\", \"bar\": %d, "
			"\"offset\": %llu, \"len\": %zu, \"addr\": %lu, \"backend\": \"%s\"}\n",
			sec, usec, tid(), map ? "map" : "unmap", r->bdf, r->bar, (unsigned long long)r->bar_off,
			r->len, (unsigned long)r->guard, backend_name(r->backend));
		break;
	}
	emit(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* A marker's text on one line: control characters as \xNN, and in the
 * text format a word that is just R or W as \R or \W, so that only access
 * lines have a lone R or W. */
static void mark_text(char *out, size_t size, const char *text, bool words)
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

void trace_mark(const char *text)
{
	char line[600];
	unsigned long sec, usec;
	int n;

	if (trace_fd < 0 || !text)
		return;
	since_start(&sec, &usec);
	switch (format) {
	case FMT_JSONL: {
		char esc[520];
		size_t k = 0;
		for (const char *c = text; *c && k + 7 < sizeof(esc); c++) {
			if (*c == '"' || *c == '\\') {
				esc[k++] = '\\';
				esc[k++] = *c;
			} else if ((unsigned char)*c < 0x20) {
				k += (size_t)fmt(esc + k, sizeof(esc) - k, "\\u%04x", (unsigned char)*c);
			} else {
				esc[k++] = *c;
			}
		}
		esc[k] = '\0';
		n = fmt(line, sizeof(line), "{\"t\": %lu.%06lu, \"tid\": %d, \"event\": \"mark\", \"text\": \"%s\"}\n",
			sec, usec, tid(), esc);
		break;
	}
	default: {
		char esc[520];
		mark_text(esc, sizeof(esc), text, format == FMT_TEXT);
		if (format == FMT_TEXT)
			n = fmt(line, sizeof(line), "%lu.%06lu %d mark %s\n", sec, usec, tid(), esc);
		else
			n = fmt(line, sizeof(line), "MARK %lu.%06lu %s\n", sec, usec, esc);
		break;
	}
	}
	emit(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
