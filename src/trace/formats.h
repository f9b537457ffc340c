/* Private to src/trace: one table of line makers per trace format. Each
 * writes one complete record (ending in '\n') into buf and returns its
 * length; trace.c writes it out. */
#ifndef MMIOSHIM_TRACE_FORMATS_H
#define MMIOSHIM_TRACE_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

/* When and by whom, common to every record. */
struct trace_when {
	unsigned long sec, usec;	/* since the trace started */
	int pid, tid;
};

struct trace_access_rec {
	const struct bar_label *at;
	uint64_t off;		/* BAR offset */
	size_t len;
	uint64_t val;
	char dir;		/* 'R' or 'W' */
	uint64_t pc;
};

struct trace_map_rec {
	const struct bar_label *at;
	uint64_t off;		/* BAR offset of the mapping's first byte */
	size_t len;
	uintptr_t addr;
	const char *backend;
	bool map;		/* false: unmap */
};

struct trace_compat_rec {
	const char *bdf;
	uint64_t off;		/* configuration-space offset */
	size_t len;
	uint64_t wrote, sent;
	const char *fix;
};

struct trace_format {
	const char *name;
	size_t (*header)(char *buf, size_t size);	/* may be NULL */
	/* runs in the signal handler */
	size_t (*access)(char *buf, size_t size, const struct trace_when *w, const struct trace_access_rec *a);
	size_t (*map)(char *buf, size_t size, const struct trace_when *w, const struct trace_map_rec *m);
	size_t (*mark)(char *buf, size_t size, const struct trace_when *w, const char *text);
	size_t (*compat)(char *buf, size_t size, const struct trace_when *w, const struct trace_compat_rec *c);
};

extern const struct trace_format trace_text, trace_mmiotrace, trace_jsonl;

/* The length fmt() wrote, cut to what fits in size (size > 0). */
size_t trace_fitted(int n, size_t size);
/* "name+0x12 in object", "object+0x1234", or "?" (null in JSON); may run
 * in a signal handler */
void trace_where(char *buf, size_t size, uint64_t pc, bool json);

/* "compat BDF config 0x4 len 2 wrote 0x0402 sent 0x0006 fix NAME": a
 * compatibility fix in words, as the text and mmiotrace formats show it. */
void trace_compat_words(char *out, size_t size, const struct trace_compat_rec *c);

/* A marker's text on one line: control characters and backslashes as
 * \xNN; with words, a word that is just R or W as \R or \W (so that only
 * access lines of the text format have a lone R or W). A text longer than
 * size allows ends in "...". May run in a signal handler. */
void trace_mark_text(char *out, size_t size, const char *text, bool words);
/* The contents of a JSON string: quote and backslash escaped, control
 * characters as \u00NN, bytes that are not UTF-8 as \ufffd; a text longer
 * than size allows ends in "...". May run in a signal handler. */
void trace_json_text(char *out, size_t size, const char *text);

/* sysfs.c — what the device's sysfs folder says (mmiotrace's PCIDEV line) */
size_t sysfs_pcidev_line(char *buf, size_t size, const char *bdf);

/* filter.c — MMIOSHIM_TRACE_FILTER */
void filter_parse(const char *spec);
/* runs in the signal handler */
bool filter_match(const struct bar_label *at, uint64_t off, size_t len, char dir);
/* A BAR of at's device is mapped; at exit, a dev= term that matched no
 * mapped device is said. */
void filter_note_map(const struct bar_label *at);
void filter_exit(void);

#endif
