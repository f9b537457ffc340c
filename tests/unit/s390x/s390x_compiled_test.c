/* The instructions gcc and clang really emit for volatile accesses, and
 * glibc's memcpy/memset/memmove: every function of s390x_access.c, as each
 * compiler built it at each level and -march, is
 *  - scanned: every instruction with a storage operand that is not on the
 *    stack (base r15, or r11 the frame pointer at -O0) or pc-relative must
 *    be one the table emulates; the others are listed;
 *  - run natively on readable memory and again with that memory PROT_NONE,
 *    each fault emulated: same return value, same device contents, and a
 *    fault taken (the device page was really used).
 * A variant the CPU (or qemu) cannot run is scanned but not run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "s390x_harness.h"
#include "s390x_access.h"

#ifndef S390X_VARIANTS
#error "S390X_VARIANTS (the compiler/level/march variants built) must be defined"
#endif

typedef uint64_t access_fn(uint64_t, uint64_t, uint64_t);

#define DECLARE(v, f) access_fn v##_##f;
#define V(v) S390X_ACCESS(DECLARE, v)
S390X_VARIANTS
#undef V

struct fn {
	const char *variant, *name;
	access_fn *code;
};

#define ENTRY(v, f) { #v, #f, v##_##f },
#define V(v) S390X_ACCESS(ENTRY, v)
static const struct fn fns[] = { S390X_VARIANTS };
#undef V

#define ITERATIONS 6

/* Storage-family opcodes whose "storage operand" is an address only. */
static bool address_only(const uint8_t *b)
{
	uint16_t op = s390x_opcode(b);
	switch (op >> 8) {
	case 0x41: case 0x45: case 0x46: case 0x47: case 0x4d: case 0x86: case 0x87:
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f:
		return true;	/* la bal bct bc bas bxh bxle, shifts */
	}
	switch (op) {
	case 0xe371: case 0xe336: case 0xe346:			/* lay pfd bctg */
	case 0xeb0a: case 0xeb0b: case 0xeb0c: case 0xeb0d:	/* shifts */
	case 0xeb1c: case 0xeb1d: case 0xebdc: case 0xebdd: case 0xebde: case 0xebdf:
	case 0xeb44: case 0xeb45:				/* bxhg bxleg */
		return true;
	}
	return false;
}

static int unsupported, known_gaps;

/* Documented gaps (README's Limits, mmioshim(7)): floating-point
 * arithmetic with a storage operand (clang folds the volatile float load
 * of ldf into MEEB). */
static bool known_gap(const struct fn *f, const struct insn *in)
{
	return !strcmp(f->name, "ldf") && !strncmp(in->text, "meeb", 4);
}

/* Every storage instruction not on the stack must be a supported row. */
static void scan(const struct fn *f)
{
	Dl_info info;
	const ElfW(Sym) *sym = NULL;
	if (!dladdr1((void *)(uintptr_t)f->code, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !sym->st_size) {
		CHECK(0, "%s %s: no symbol size", f->variant, f->name);
		return;
	}
	const uint8_t *p = (const uint8_t *)(uintptr_t)f->code, *end = p + sym->st_size;
	while (p < end) {
		struct s390x_decoded x;
		unsigned len = s390x_ilen(p[0]);
		const struct s390x_row *row = s390x_decode_bytes(p, (size_t)(end - p), &x);
		bool stack = x.nmem && (x.m[0].b == 15 || x.m[0].b == 11) && (x.nmem < 2 || x.m[1].b == 15 || x.m[1].b == 11);
		bool relevant = x.nmem && !stack && !address_only(p) && p[0] != 0;
		if (relevant && (!row || row->op == S390X_OP_REFUSE)) {
			struct insn in;
			arch_decode(env.cs, env.scratch, p, (size_t)(end - p), (uintptr_t)p, &in);
			bool gap = known_gap(f, &in);
			printf("%s: %s %s: `%s`\n", gap ? "known gap" : "unsupported", f->variant, f->name, in.text);
			if (gap)
				known_gaps++;
			else
				unsupported++;
		}
		p += len;
	}
}

static sigjmp_buf ill_jmp;

static void on_ill(int sig)
{
	(void)sig;
	siglongjmp(ill_jmp, 1);
}

static bool native_call(access_fn *fn, uint64_t p, uint64_t v, uint64_t i, uint64_t *r)
{
	if (sigsetjmp(ill_jmp, 1))
		return false;
	*r = fn(p, v, i);
	return true;
}

/* Returns false if the variant cannot run here. */
static bool run(const struct fn *f)
{
	static uint8_t dev0[PAGE], dev_native[PAGE];

	for (int it = 0; it < ITERATIONS; it++) {
		uint64_t p = (uintptr_t)env.dev + 64, v = rnd_value(), i = rnd() % 512;
		if (!strcmp(f->name, "ld32_idx") || !strcmp(f->name, "st32_idx") || !strcmp(f->name, "doorbell"))
			i %= 64;
		fill_random(dev0, PAGE);

		memcpy(env.dev, dev0, PAGE);
		uint64_t native;
		if (!native_call(f->code, p, v, i, &native))
			return false;
		memcpy(dev_native, env.dev, PAGE);

		memcpy(env.shadow, dev0, PAGE);
		memset(env.dev, 0, PAGE);
		fio_reset();
		int err;
		uint64_t emulated = call_trapped(f->code, p, v, i, true, &err);
		char what[160];
		snprintf(what, sizeof what, "%s %s (v %llx, i %llu)", f->variant, f->name, (unsigned long long)v,
			 (unsigned long long)i);
		if (err == MMIO_E_UNSUPPORTED && known_gap(f, &env.last))
			return true;
		CHECK(!err, "%s: the handler could not emulate `%s`: %s", what, env.last.text,
		      err > 0 ? err_text(err) : "a fault outside the device page");
		if (err)
			return true;
		CHECK(native == emulated, "%s: returns %llx natively, %llx emulated", what, (unsigned long long)native,
		      (unsigned long long)emulated);
		CHECK(!memcmp(dev_native, env.shadow, PAGE), "%s: the device's contents differ", what);
		/* ld_select reads only when v is odd */
		if (strcmp(f->name, "ld_select") || (v & 1))
			CHECK(env.traps > 0, "%s: no fault taken", what);
	}
	return true;
}

int main(void)
{
	env_init();
	signal(SIGILL, on_ill);
	const char *skipped = "";
	int runs = 0;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		scan(&fns[i]);
		if (strcmp(fns[i].variant, skipped) && !run(&fns[i])) {
			printf("cannot run %s here (SIGILL in %s): scanned only\n", fns[i].variant, fns[i].name);
			skipped = fns[i].variant;
		} else if (strcmp(fns[i].variant, skipped)) {
			runs++;
		}
	}
	CHECK(unsupported == 0, "%d unsupported storage instructions emitted", unsupported);
	printf("%zu functions scanned, %d run natively and trapped, %d known gaps, %d failures\n",
	       sizeof fns / sizeof fns[0], runs, known_gaps, failures);
	return failures ? 1 : 0;
}
