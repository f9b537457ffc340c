/* Every supported instruction form, emulated against a fake device and
 * executed natively on ordinary memory from the same random registers,
 * flags, vector and opmask registers: the registers, RFLAGS, vector
 * registers (with the XSAVE frame's write-back rules), device and memory
 * contents must come out identical, RIP must advance by the length, and
 * the io log must be exactly the one listed in x86_cases.py ("?": any log
 * the harness's per-kind rule accepts, for cases with random opmasks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "x86_harness.h"
#include "x86_cases.h"

enum { NEED_AVX = 1, NEED_AVX2 = 2, NEED_EVEX = 4, NEED_MOVBE = 8, NEED_SSE41 = 16, PATCH_ABS = 32 };

#define ITERATIONS 100

/* Assemble each case into .rodata between two labels. */
#define CODE(name, text, pins, io, need) \
	__asm__(".pushsection .rodata.x86cases, \"a\"\n" \
		"x86case_" #name "_begin:\n\t" text "\n" \
		"x86case_" #name "_end:\n\t.popsection\n");
X86_CASES(CODE)

#define DECLARE(name, text, pins, io, need) \
	extern const uint8_t x86case_##name##_begin[] __attribute__((visibility("hidden"))); \
	extern const uint8_t x86case_##name##_end[] __attribute__((visibility("hidden")));
X86_CASES(DECLARE)

struct xcase {
	const char *name, *text, *pins, *io;
	int need;
	const uint8_t *begin, *end;
};

#define ROW(name, text, pins, io, need) \
	{ #name, text, pins, io, need, x86case_##name##_begin, x86case_##name##_end },
static const struct xcase cases[] = { X86_CASES(ROW) };

static uint64_t seg_base(int code)
{
	uint64_t base = 0;
	syscall(SYS_arch_prctl, code, &base);
	return base;
}

static int reg_number(const char *s, size_t n)
{
	static const char *const names[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	for (int i = 0; i < 16; i++)
		if (strlen(names[i]) == n && !strncmp(names[i], s, n))
			return i;
	return -1;
}

/* "rdi=D16 rcx=2^ rbx=D0/2 rdi=F16 k1=0x7" */
static void apply_pins(struct cpu *c, const char *pins)
{
	const char *p = pins;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		if (eq - p == 2 && p[0] == 'k' && p[1] >= '0' && p[1] <= '7') {
			int k = p[1] - '0';
			char *end;
			c->k[k] = strtoull(eq + 1, &end, 0);
			p = end;
			continue;
		}
		int r = reg_number(p, (size_t)(eq - p));
		if (r < 0) {
			fprintf(stderr, "bad pin %s\n", pins);
			exit(1);
		}
		p = eq + 1;
		uint64_t base = 0;
		switch (*p) {
		case 'D': base = (uint64_t)env.dev; p++; break;
		case 'M': base = (uint64_t)env.mem; p++; break;
		case 'F': base = (uint64_t)env.dev - seg_base(0x1003); p++; break;
		case 'G': base = (uint64_t)env.dev - seg_base(0x1004); p++; break;
		}
		char *end;
		uint64_t v = base + strtoull(p, &end, 0);
		p = end;
		if (*p == '/') {
			v /= strtoull(p + 1, &end, 0);
			p = end;
		}
		if (*p == '^') {
			v = (uint32_t)v | (rnd() << 32);
			p++;
		}
		c->gpr[r] = v;
	}
}

static bool has(int need)
{
	return (!(need & NEED_AVX) || env.avx) && (!(need & NEED_AVX2) || env.avx2) &&
	       (!(need & NEED_EVEX) || env.avx512vl) && (!(need & NEED_MOVBE) || env.movbe) &&
	       (!(need & NEED_SSE41) || env.sse41);
}

static void run_case(const struct xcase *k)
{
	uint8_t bytes[ARCH_MAX_INSN + 16];
	size_t len = (size_t)(k->end - k->begin);
	struct insn in;

	memcpy(bytes, k->begin, len);
	if (k->need & PATCH_ABS) {
		uint64_t a = (uint64_t)env.dev + 16;
		memcpy(bytes + len - 8, &a, 8);
	}
	int rc = decode_bytes(bytes, len, &in);
	CHECK(rc == 0 && in.refuse == 0, "%s (%s): decode rc %d refuse %s, text \"%s\"", k->name, k->text, rc,
	      err_text(in.refuse), in.text);
	CHECK(in.len == len, "%s: length %u, assembled %zu", k->name, in.len, len);
	if (rc || in.refuse || in.len != len)
		return;

	for (int i = 0; i < ITERATIONS; i++) {
		struct cpu c;
		char log[512];
		cpu_random(&c);
		apply_pins(&c, k->pins);
		bool ok = differential(k->name, bytes, &in, &c);
		io_log(log, sizeof log);
		if (strcmp(k->io, "?") && strcmp(log, k->io)) {
			ok = false;
			CHECK(0, "%s (%s): io log \"%s\", expected \"%s\"", k->name, in.text, log, k->io);
		}
		if (!ok) {
			fprintf(stderr, "  in %s: \"%s\", iteration %d\n", k->name, in.text, i);
			return;
		}
	}
}

/* The cases are run in groups, one test each: those that need no CPU
 * feature, and one group per feature (a case belongs to the most demanding
 * feature it needs). A group whose feature the CPU lacks did not run:
 * exit 77 (a skip, with the reason), never a pass. X86_CPU_LACKS=NAME
 * makes the CPU lack that group's feature (the skip's own check). */
static const struct group {
	const char *name, *feature;
	int need;
} groups[] = {
	{ "base", NULL, 0 },		{ "sse41", "SSE4.1", NEED_SSE41 }, { "movbe", "MOVBE", NEED_MOVBE },
	{ "avx", "AVX", NEED_AVX },	{ "avx2", "AVX2", NEED_AVX2 },	   { "evex", "AVX-512VL", NEED_EVEX },
};
#define FEATURES (NEED_AVX | NEED_AVX2 | NEED_EVEX | NEED_MOVBE | NEED_SSE41)

static const struct group *group_of(int need)
{
	const struct group *g = &groups[0];

	for (size_t i = 1; i < sizeof groups / sizeof groups[0]; i++)
		if (need & groups[i].need)
			g = &groups[i];
	return g;
}

int main(int argc, char **argv)
{
	int n = (int)(sizeof cases / sizeof cases[0]), ran = 0;
	const struct group *g = NULL;
	const char *lacks = getenv("X86_CPU_LACKS");

	for (size_t i = 0; argc == 2 && i < sizeof groups / sizeof groups[0]; i++)
		if (!strcmp(argv[1], groups[i].name))
			g = &groups[i];
	if (!g) {
		fprintf(stderr, "usage: %s base|sse41|movbe|avx|avx2|evex\n", argv[0]);
		return 2;
	}
	env_init();
	if (g->need && (!has(g->need) || (lacks && !strcmp(lacks, g->name)))) {
		printf("SKIP: the CPU lacks %s: the %s cases did not run\n", g->feature, g->name);
		return 77;
	}
	for (int i = 0; i < n; i++) {
		if (group_of(cases[i].need & FEATURES) != g)
			continue;
		run_case(&cases[i]);
		ran++;
	}
	printf("%d %s cases, %d failures\n", ran, g->name, failures);
	return failures ? 1 : 0;
}
