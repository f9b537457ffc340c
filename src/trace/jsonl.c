/* The jsonl trace format: one JSON object per line; accesses have "dir",
 * other records an "event". */
#include "formats.h"
#include "support.h"

static size_t jsonl_access(char *buf, size_t size, const struct trace_when *w, const struct trace_access_rec *a)
{
	/* runs in the signal handler */
	char sym[SYMBOLS_DESCRIBED];

	trace_where(sym, sizeof(sym), a->pc, true);
	return trace_fitted(fmt(buf, size,
				"{\"t\": %lu.%06lu, \"pid\": %d, \"tid\": %d, \"dir\": \"%c\", \"width\": %zu, \"bdf\": \"%s\", "
				"\"bar\": %d, \"offset\": %llu, \"value\": %llu, \"pc\": %llu, \"sym\": %s}\n",
				w->sec, w->usec, w->pid, w->tid, a->dir, a->len, a->at->bdf, a->at->bar,
				(unsigned long long)a->off, (unsigned long long)a->val, (unsigned long long)a->pc, sym),
			    size);
}

static size_t jsonl_map(char *buf, size_t size, const struct trace_when *w, const struct trace_map_rec *m)
{
	return trace_fitted(fmt(buf, size,
				"{\"t\": %lu.%06lu, \"pid\": %d, \"tid\": %d, \"event\": \"%s\", \"bdf\": \"%s\", \"bar\": %d, "
				"\"offset\": %llu, \"len\": %zu, \"addr\": %lu, \"backend\": \"%s\"}\n",
				w->sec, w->usec, w->pid, w->tid, m->map ? "map" : "unmap", m->at->bdf, m->at->bar,
				(unsigned long long)m->off, m->len, (unsigned long)m->addr, m->backend),
			    size);
}

static size_t jsonl_mark(char *buf, size_t size, const struct trace_when *w, const char *text)
{
	char esc[520];

	trace_json_text(esc, sizeof(esc), text);
	return trace_fitted(fmt(buf, size, "{\"t\": %lu.%06lu, \"pid\": %d, \"tid\": %d, \"event\": \"mark\", \"text\": \"%s\"}\n",
				w->sec, w->usec, w->pid, w->tid, esc),
			    size);
}

static size_t jsonl_compat(char *buf, size_t size, const struct trace_when *w, const struct trace_compat_rec *c)
{
	return trace_fitted(fmt(buf, size,
				"{\"t\": %lu.%06lu, \"pid\": %d, \"tid\": %d, \"event\": \"compat\", \"bdf\": \"%s\", "
				"\"region\": \"config\", \"offset\": %llu, \"width\": %zu, \"wrote\": %llu, "
				"\"sent\": %llu, \"fix\": \"%s\"}\n",
				w->sec, w->usec, w->pid, w->tid, c->bdf, (unsigned long long)c->off, c->len,
				(unsigned long long)c->wrote, (unsigned long long)c->sent, c->fix),
			    size);
}

const struct trace_format trace_jsonl = { "jsonl", NULL, jsonl_access, jsonl_map, jsonl_mark, jsonl_compat };
