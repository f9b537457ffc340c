/* The Linux mmiotrace format (Documentation/trace/mmiotrace.rst), which
 * existing mmiotrace tools read: bus addresses from sysfs, a PCIDEV line
 * before a device's first MAP, the thread id in the pid field. */
#include <stdio.h>
#include <string.h>

#include "formats.h"
#include "support.h"

/* Bus address of BAR offset off; without one, the offset itself. */
static uint64_t bus_address(const struct bar_label *at, uint64_t off)
{
	return at->phys ? at->phys + off : off;
}

static size_t mmiotrace_header(char *buf, size_t size)
{
	return trace_fitted(fmt(buf, size, "VERSION 20070824\n"), size);
}

static size_t mmiotrace_access(char *buf, size_t size, const struct trace_when *w,
			       const struct trace_access_rec *a)
{
	/* runs in the signal handler */
	return trace_fitted(fmt(buf, size, "%c %zu %lu.%06lu %d 0x%llx 0x%llx 0x%llx %d\n", a->dir, a->len, w->sec,
				w->usec, a->at->id, (unsigned long long)bus_address(a->at, a->off),
				(unsigned long long)a->val, (unsigned long long)a->pc, w->tid),
			    size);
}

/* The first map of a device is preceded by its PCIDEV line. */
static size_t pcidev_once(char *buf, size_t size, const char *bdf)
{
	static char seen[16][32];
	static int nseen;

	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], bdf))
			return 0;
	if (nseen < 16)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", bdf);
	return sysfs_pcidev_line(buf, size, bdf);
}

static size_t mmiotrace_map(char *buf, size_t size, const struct trace_when *w, const struct trace_map_rec *m)
{
	if (!m->map)
		return trace_fitted(fmt(buf, size, "UNMAP %lu.%06lu %d 0x0 %d\n", w->sec, w->usec, m->at->id, w->tid),
				    size);
	size_t n = pcidev_once(buf, size, m->at->bdf);
	return n + trace_fitted(fmt(buf + n, size - n, "MAP %lu.%06lu %d 0x%llx 0x%lx 0x%zx 0x0 %d\n", w->sec, w->usec,
				    m->at->id, (unsigned long long)(m->at->phys ? m->at->phys + m->off : 0),
				    (unsigned long)m->addr, m->len, w->tid),
				size - n);
}

static size_t mmiotrace_mark(char *buf, size_t size, const struct trace_when *w, const char *text)
{
	char esc[520];

	trace_mark_text(esc, sizeof(esc), text, false);
	return trace_fitted(fmt(buf, size, "MARK %lu.%06lu %s\n", w->sec, w->usec, esc), size);
}

/* mmiotrace has no record for configuration space: a MARK, as the kernel's
 * tracer writes for text from user space. */
static size_t mmiotrace_compat(char *buf, size_t size, const struct trace_when *w,
			       const struct trace_compat_rec *c)
{
	char words[200];

	trace_compat_words(words, sizeof(words), c);
	return mmiotrace_mark(buf, size, w, words);
}

const struct trace_format trace_mmiotrace = { "mmiotrace", mmiotrace_header, mmiotrace_access, mmiotrace_map,
					      mmiotrace_mark, mmiotrace_compat };
