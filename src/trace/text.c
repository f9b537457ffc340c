/* The text trace format: one line per access, map, unmap and marker,
 * seconds since the trace started, process id and thread id first. */
#include "formats.h"
#include "support.h"

static size_t text_access(char *buf, size_t size, const struct trace_when *w, const struct trace_access_rec *a)
{
	/* runs in the signal handler */
	char sym[SYMBOLS_DESCRIBED];

	trace_where(sym, sizeof(sym), a->pc, false);
	return trace_fitted(fmt(buf, size, "%lu.%06lu %d %d %c %zu %s BAR%d 0x%llx 0x%0*llx pc 0x%llx %s\n", w->sec,
				w->usec, w->pid, w->tid, a->dir, a->len, a->at->bdf, a->at->bar, (unsigned long long)a->off,
				(int)a->len * 2, (unsigned long long)a->val, (unsigned long long)a->pc, sym),
			    size);
}

static size_t text_map(char *buf, size_t size, const struct trace_when *w, const struct trace_map_rec *m)
{
	int n = m->map ? fmt(buf, size, "%lu.%06lu %d %d map %s BAR%d 0x%llx len 0x%zx at %p backend %s\n", w->sec,
			     w->usec, w->pid, w->tid, m->at->bdf, m->at->bar, (unsigned long long)m->off, m->len,
			     (void *)m->addr, m->backend)
		       : fmt(buf, size, "%lu.%06lu %d %d unmap %s BAR%d 0x%llx len 0x%zx at %p\n", w->sec,
			     w->usec, w->pid, w->tid, m->at->bdf, m->at->bar, (unsigned long long)m->off, m->len, (void *)m->addr);
	return trace_fitted(n, size);
}

static size_t text_mark(char *buf, size_t size, const struct trace_when *w, const char *text)
{
	char esc[520];

	trace_mark_text(esc, sizeof(esc), text, true);
	return trace_fitted(fmt(buf, size, "%lu.%06lu %d %d mark %s\n", w->sec, w->usec, w->pid, w->tid, esc), size);
}

static size_t text_compat(char *buf, size_t size, const struct trace_when *w, const struct trace_compat_rec *c)
{
	char words[200];

	trace_compat_words(words, sizeof(words), c);
	return trace_fitted(fmt(buf, size, "%lu.%06lu %d %d %s\n", w->sec, w->usec, w->pid, w->tid, words), size);
}

const struct trace_format trace_text = { "text", NULL, text_access, text_map, text_mark, text_compat };
